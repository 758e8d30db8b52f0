// Package replay derives a model from an application's SQL migrations by
// running them, in the order the migration tool runs them, on an empty
// scratch database, and snapshotting that database as a live one is
// snapshotted: `rbacdrift snapshot --from-migrations`.
//
// # What it owns
//
// [Read] turns a migrations folder into a [Plan]: the tool (named, or
// detected by internal/migrations, which also orders the folder; dbmate is
// read here), its migrations in order, and each cut into the queries the
// tool sends:
//
//   - drizzle: the journal's order; each file split at "--> statement-breakpoint",
//     every part a query of its own, all migrations in one transaction, as
//     drizzle-orm's migrator does;
//   - prisma: folder-name order, each migration.sql as one query;
//   - goose: version order; the "-- +goose Up" part only, cut into statements
//     as goose cuts them (StatementBegin/StatementEnd kept whole), in a
//     transaction unless "-- +goose NO TRANSACTION";
//   - golang-migrate: version order, the .up.sql files only, each as one query;
//   - Flyway: V migrations in version order, then R__ repeatables by
//     description, each file as one query (placeholders are not replaced);
//   - sqlx: version order, each file (or .up.sql) as one query;
//   - dbmate: version order of db/migrations/<version>_<name>.sql, the part
//     between "-- migrate:up" and "-- migrate:down", in a transaction unless
//     transaction:false;
//   - Supabase: version order of supabase/migrations, each file in a
//     transaction.
//
// Each tool's history table is created before the first migration and
// written as each one runs, as the tool does (history.go, with the SQL of
// internal/migrations' Folder.Ledger), so migrations that alter the tool's
// own table replay. A Supabase project gets rbacdrift's own minimal
// platform base first (platform.go, platform/*.sql): the roles, and the
// extensions, auth and storage schemas its migrations assume, laid down by
// the superuser; [Header] says it was assumed.
//
// A folder of migrations written as code (knex, TypeORM, Sequelize,
// node-pg-migrate, Django, Alembic, Rails, goose's .go files) is a
// [*CodeError]: they can only be run by their own tool.
//
// [Apply] runs a plan on a session; a failing migration is a
// [*MigrationError] naming the file, the line and column the server's error
// position points at, and the server's error. [Derive] does the whole job:
// a throwaway cluster from internal/pgserver, or a temporary database
// (named [TempPrefix] and a random suffix) on a server the caller names;
// the temporary database is made from the server's default template, or
// [Options.Template]; then Apply, [derive.Snapshot], and the database and
// cluster removed on
// every path out, Ctrl-C included. On a throwaway cluster the roles the
// migrations grant to (and those of the selection's Roles) are created
// first, NOLOGIN, since an application's roles are made outside its
// migrations; on a named server roles are never created.
//
// # What it never does
//
// It never runs a migration tool, Node, Python, Ruby or the application's
// code; it never writes to a database it did not create, and the database
// the caller's URL names is only connected to. The snapshot itself is read
// only, as every snapshot is.
package replay
