package migrations

// The SQL this package sends: SELECTs only. A history table's name goes to
// the server as a parameter for to_regclass; once the server has said it
// exists, {table} in a template is replaced by pgx.Identifier.Sanitize of the
// same name. Nothing takes a lock beyond the AccessShareLock of a SELECT.

const (
	// sqlLookupTable returns the table's name as the server prints it
	// (schema-qualified when it is not first on the search_path), or NULL.
	sqlLookupTable = `SELECT to_regclass($1)::text`

	// sqlHasColumn reports whether the table has the column.
	sqlHasColumn = `SELECT EXISTS (
  SELECT FROM pg_catalog.pg_attribute
  WHERE attrelid = to_regclass($1) AND attname = $2 AND attnum > 0 AND NOT attisdropped)`

	// sqlDrizzle reads drizzle's journal-era table (id, hash, created_at).
	sqlDrizzle = `SELECT hash, created_at, NULL::text AS name FROM {table} ORDER BY id`

	// sqlDrizzleNamed reads drizzle-kit 1.0's table, which adds name.
	sqlDrizzleNamed = `SELECT hash, created_at, name FROM {table} ORDER BY id`

	// sqlPrisma reads _prisma_migrations in the order the rows were written.
	sqlPrisma = `SELECT migration_name, checksum, finished_at IS NOT NULL, rolled_back_at IS NOT NULL, coalesce(logs, '')
FROM {table} ORDER BY started_at, id`

	// sqlGoose reads goose_db_version newest first, as goose lists it.
	sqlGoose = `SELECT version_id, is_applied FROM {table} ORDER BY id DESC`

	// sqlGolangMigrate reads golang-migrate's single row, as its postgres driver does.
	sqlGolangMigrate = `SELECT version, dirty FROM {table} LIMIT 1`

	// sqlFlyway reads flyway_schema_history in the order Flyway installed the rows.
	sqlFlyway = `SELECT installed_rank, version, description, type, script, checksum, success
FROM {table} ORDER BY installed_rank`

	// sqlAlembic reads alembic_version: one row per head.
	sqlAlembic = `SELECT version_num FROM {table} ORDER BY version_num`

	// sqlDjango reads django_migrations in the order the rows were written.
	sqlDjango = `SELECT app, name FROM {table} ORDER BY id`

	// sqlNodePgMigrate reads pgmigrations as runner.ts getRunMigrations does.
	sqlNodePgMigrate = `SELECT name FROM {table} ORDER BY run_on, id`

	// sqlKnex reads knex_migrations as migration-list-resolver.js does.
	sqlKnex = `SELECT coalesce(name, '') FROM {table} ORDER BY id`

	// sqlSequelize reads SequelizeMeta as umzug's SequelizeStorage does.
	sqlSequelize = `SELECT name FROM {table} ORDER BY name`

	// sqlTypeORM reads TypeORM's migrations table.
	sqlTypeORM = `SELECT name FROM {table} ORDER BY id`

	// sqlDbmate reads dbmate's schema_migrations; the version is text.
	sqlDbmate = `SELECT version::text FROM {table} ORDER BY version`

	// sqlRails reads schema_migrations; the version is text in Rails.
	sqlRails = `SELECT version::text FROM {table} ORDER BY version`

	// sqlSupabase reads supabase_migrations.schema_migrations by version.
	sqlSupabase = `SELECT version, coalesce(name, '') FROM {table} ORDER BY version`

	// sqlSupabaseUnnamed reads the table of CLIs that kept no name.
	sqlSupabaseUnnamed = `SELECT version, '' FROM {table} ORDER BY version`

	// sqlColumns lists the table's columns, to tell a history table that is
	// not the tool's.
	sqlColumns = `SELECT coalesce(array_agg(attname::text ORDER BY attnum), '{}') FROM pg_catalog.pg_attribute
  WHERE attrelid = to_regclass($1) AND attnum > 0 AND NOT attisdropped`

	// sqlSqlx reads _sqlx_migrations by version.
	sqlSqlx = `SELECT version, description, success, encode(checksum, 'hex') FROM {table} ORDER BY version`
)
