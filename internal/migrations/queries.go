package migrations

// The SQL this package sends: SELECTs only. A history table's name goes to
// the server as a parameter for to_regclass; once the server has said it
// exists, {table} in a template is replaced by pgx.Identifier.Sanitize of the
// same name. Nothing takes a lock beyond the AccessShareLock of a SELECT.
//
// A history table is read defensively, as input that may be hostile: every
// column comes as text cut on the server to {v} characters (maxValue + 1, so
// that a longer value is told from one that fits; see clip), whatever its
// type, so that a wrong-typed column is parsed here rather than refused by
// the scan, a NULL scans into a nil pointer, and a 100 MB value never
// crosses the wire; and at most {rows} rows (maxRows + 1) are read.

const (
	// sqlLookupTable returns the table's name as the server prints it
	// (schema-qualified when it is not first on the search_path), or NULL.
	sqlLookupTable = `SELECT to_regclass($1)::text`

	// sqlHasColumn reports whether the table has the column.
	sqlHasColumn = `SELECT EXISTS (
  SELECT FROM pg_catalog.pg_attribute
  WHERE attrelid = to_regclass($1) AND attname = $2 AND attnum > 0 AND NOT attisdropped)`

	// sqlDrizzle reads drizzle's journal-era table (id, hash, created_at).
	sqlDrizzle = `SELECT left(hash::text, {v}), left(created_at::text, {v}), NULL::text AS name FROM {table} ORDER BY id LIMIT {rows}`

	// sqlDrizzleNamed reads drizzle-kit 1.0's table, which adds name.
	sqlDrizzleNamed = `SELECT left(hash::text, {v}), left(created_at::text, {v}), left(name::text, {v}) FROM {table} ORDER BY id LIMIT {rows}`

	// sqlPrisma reads _prisma_migrations in the order the rows were written.
	sqlPrisma = `SELECT left(migration_name::text, {v}), left(checksum::text, {v}), (finished_at IS NOT NULL)::text, (rolled_back_at IS NOT NULL)::text, left(logs::text, {v})
FROM {table} ORDER BY started_at, id LIMIT {rows}`

	// sqlGoose reads goose_db_version newest first, as goose lists it.
	sqlGoose = `SELECT left(version_id::text, {v}), is_applied::text FROM {table} ORDER BY id DESC LIMIT {rows}`

	// sqlGolangMigrate reads golang-migrate's single row, as its postgres driver does.
	sqlGolangMigrate = `SELECT left(version::text, {v}), dirty::text FROM {table} LIMIT 1`

	// sqlFlyway reads flyway_schema_history in the order Flyway installed the rows.
	sqlFlyway = `SELECT left(installed_rank::text, {v}), left(version::text, {v}), left(description::text, {v}), left(type::text, {v}),
  left(script::text, {v}), left(checksum::text, {v}), success::text
FROM {table} ORDER BY installed_rank LIMIT {rows}`

	// sqlAlembic reads alembic_version: one row per head.
	sqlAlembic = `SELECT left(version_num::text, {v}) FROM {table} ORDER BY version_num LIMIT {rows}`

	// sqlDjango reads django_migrations in the order the rows were written.
	sqlDjango = `SELECT left(app::text, {v}), left(name::text, {v}) FROM {table} ORDER BY id LIMIT {rows}`

	// sqlNodePgMigrate reads pgmigrations as runner.ts getRunMigrations does.
	sqlNodePgMigrate = `SELECT left(name::text, {v}) FROM {table} ORDER BY run_on, id LIMIT {rows}`

	// sqlKnex reads knex_migrations as migration-list-resolver.js does.
	sqlKnex = `SELECT left(name::text, {v}) FROM {table} ORDER BY id LIMIT {rows}`

	// sqlSequelize reads SequelizeMeta as umzug's SequelizeStorage does.
	sqlSequelize = `SELECT left(name::text, {v}) FROM {table} ORDER BY name LIMIT {rows}`

	// sqlTypeORM reads TypeORM's migrations table.
	sqlTypeORM = `SELECT left(name::text, {v}) FROM {table} ORDER BY id LIMIT {rows}`

	// sqlDbmate reads dbmate's schema_migrations; the version is text.
	sqlDbmate = `SELECT left(version::text, {v}) FROM {table} ORDER BY version LIMIT {rows}`

	// sqlRails reads schema_migrations; the version is text in Rails.
	sqlRails = `SELECT left(version::text, {v}) FROM {table} ORDER BY version LIMIT {rows}`

	// sqlSupabase reads supabase_migrations.schema_migrations by version.
	sqlSupabase = `SELECT left(version::text, {v}), left(name::text, {v}) FROM {table} ORDER BY version LIMIT {rows}`

	// sqlSupabaseUnnamed reads the table of CLIs that kept no name.
	sqlSupabaseUnnamed = `SELECT left(version::text, {v}), '' FROM {table} ORDER BY version LIMIT {rows}`

	// sqlColumns lists the table's columns, to tell a history table that is
	// not the tool's.
	sqlColumns = `SELECT coalesce(array_agg(attname::text ORDER BY attnum), '{}') FROM pg_catalog.pg_attribute
  WHERE attrelid = to_regclass($1) AND attnum > 0 AND NOT attisdropped`

	// sqlSqlx reads _sqlx_migrations by version.
	sqlSqlx = `SELECT left(version::text, {v}), left(description::text, {v}), success::text,
  left(encode(checksum::text::bytea, 'hex'), {v}) FROM {table} ORDER BY version LIMIT {rows}`
)
