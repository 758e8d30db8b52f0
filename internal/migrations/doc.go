// Package migrations names the root cause of most drift: a migration that has
// not run on this database. It reads an application's migrations folder and
// its migration tool's history table, and says, as the tool itself would
// decide, which migrations are pending, which ran but are not in the folder,
// which were changed after they ran and which failed.
//
// # What it owns
//
// [Detect] (and [DetectDB], when the layout fits several tools) names the
// tool; [ReadFolder] lists the folder's migrations in the order the tool
// applies them, each with the checksum the tool computes; [ReadHistory]
// reads the history table; [Compare] returns [Finding] values with drift's
// codes (drift.MigrationPending, MigrationUnknown, MigrationModified,
// MigrationFailed and MigrationHistoryMissing: the one registry of codes is
// drift's), each naming the migration, its file and the command that
// applies it. [Touches] lists the tables, columns, types, indexes,
// policies, grants and functions a SQL migration changes, so that a caller
// can link a finding about public.role_permissions to the pending migration
// that would fix it.
//
// # What each tool can tell
//
// tools.go holds the one table of tools; each tool's file holds its rules
// (layout, history table, order, and for SQL tools the statements it sends)
// and says which of the tool's source files it follows.
//
//   - drizzle (drizzle-kit migrate): drizzle.__drizzle_migrations(id, hash,
//     created_at), hash = SHA-256 of the file. Pending, unknown, modified.
//     The journal-era migrator runs only entries newer than the newest
//     created_at, so an entry merged late with an older "when" is reported
//     pending with a hint that drizzle will skip it. drizzle-kit 1.0's
//     folder layout and name column are read too. No failed state: the
//     migrator runs everything in one transaction. The folder's drizzle
//     config (migrations.table, migrations.schema) is not read: pass
//     [Options.Schema] and [Options.Table].
//
//   - prisma (prisma migrate deploy): _prisma_migrations. Pending, unknown,
//     modified (checksums match across CRLF and LF, as Prisma's do), failed
//     (finished_at and rolled_back_at both NULL); rolled-back rows do not
//     count as applied.
//
//   - goose (goose up): goose_db_version; the newest row of a version
//     decides. Pending (with the out-of-order case that goose up refuses
//     without -allow-missing) and unknown. goose keeps no checksum and no
//     failed state.
//
//   - golang-migrate (migrate up): schema_migrations holds one version and a
//     dirty flag. Pending (every file above the version), unknown (a version
//     with no file), failed (dirty). It cannot tell whether a file below the
//     version ran, nor whether a file changed: there is no checksum.
//
//   - Flyway (flyway migrate): flyway_schema_history. Pending (repeatable
//     migrations too, when they changed), unknown, modified (Flyway's CRC-32
//     over lines), failed (success = false); versions at or below a
//     BASELINE row count as applied, UNDO and DELETE rows undo a version.
//     Placeholders and Java migrations are not resolved.
//
//   - sqlx (sqlx migrate run): _sqlx_migrations. Pending, unknown, modified
//     (SHA-384), failed (success = false). The ignored-chars setting of
//     sqlx.toml is not read.
//
//   - dbmate (dbmate up): schema_migrations(version), one row per
//     migration that ran. Pending and unknown; no checksum, no failed state.
//     Its folder is told by the "-- migrate:up" sections of its files.
//
//   - node-pg-migrate (node-pg-migrate up): public.pgmigrations. Pending
//     (with the order check that stops up when a pending migration sorts
//     before one that ran) and unknown.
//
//   - knex (knex migrate:latest): knex_migrations, names with their
//     extension. Pending and unknown (knex calls the folder corrupt). A
//     stuck knex_migrations_lock is not read.
//
//   - Sequelize (sequelize-cli db:migrate): "SequelizeMeta". Pending and
//     unknown.
//
//   - TypeORM (typeorm migration:run): migrations, one row per class name
//     (or name property), read from the files without running them. Pending
//     and unknown.
//
//   - Rails (rails db:migrate): schema_migrations versions of the files of
//     db/migrate (the Dir to pass).
//     Pending and unknown ("NO FILE").
//
//   - Alembic (alembic upgrade): alembic_version holds the heads; every
//     revision reachable from them through down_revision and depends_on ran.
//     Pending and unknown heads. Revision files are read, not executed.
//
//   - Django (manage.py migrate): django_migrations(app, name), squashed
//     migrations counted as Django counts them. Pending and unknown, for the
//     apps whose migrations folders are under Dir; the app label is the
//     folder's name.
//
//   - Supabase CLI (supabase db push): supabase_migrations.schema_migrations,
//     one row per version that ran. Pending (with the hint that db push
//     passes over a version older than the newest that ran) and unknown.
//     The folder is the CLI's when supabase/config.toml sits beside it;
//     elsewhere its files look like sqlx's, and [DetectDB] tells them
//     apart by which history table exists.
//
// node-pg-migrate, knex, Sequelize, TypeORM, Rails, Alembic and Django keep
// neither a checksum nor a failed state: a file changed after it ran cannot
// be told, and a migration that failed there rolled back or left no row.
//
// A history table that lacks the columns its tool reads is a
// [*ColumnsError]. [Folder.Ledger] says how each SQL tool creates and
// writes its history table, for a replay that runs as the tool does.
// [Migration.Changes] reads SQL with [Touches], and Rails, Django, Alembic,
// knex and TypeORM migrations through their DSLs (codetouches.go), never
// running them, and says what it could not read.
//
// Where a tool keeps its history in a schema or table of another name, pass
// them in [Options]. Names are sent to the server as parameters of
// to_regclass and quoted with pgx.Identifier, never pasted as written.
//
// # What it never does
//
// It never writes: [ReadHistory] sends plain SELECTs through the caller's
// [Querier], meant to be a READ ONLY transaction, and a missing table is a
// finding, not something to create. It never takes the tool's lock (advisory
// or table), never runs a migration or any DDL, and never runs the tool.
// [ReadFolder] and [Touches] never touch a database.
package migrations
