// Package replay derives a model from an application's SQL migrations by
// running them, in the order the migration tool runs them, on an empty
// scratch database, and snapshotting that database as a live one is
// snapshotted: `rbacdrift snapshot --from-migrations`.
//
// # What it owns
//
// [Read] turns a migrations folder into a [Plan]: the tool (named, or
// detected by internal/migrations, which also orders the folder and cuts
// each migration), its migrations in order, and each cut into the queries
// the tool sends:
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
// migrations; on a named server only the run's own roles are created.
//
// # Hostile migrations
//
// The migrations run as a role made for the run ([MigratorPrefix] and the
// database's suffix) that owns the scratch database and nothing else: not a
// superuser, so COPY ... PROGRAM, COPY to or from a file, lo_export,
// pg_read_file, ALTER SYSTEM, untrusted languages and untrusted extensions
// fail, as a [*MigrationError] naming the file and line whose Hint says
// why; trusted extensions (pgcrypto, citext ...) work. It may create roles
// only on PostgreSQL 16 and later, where CREATEROLE covers only the roles
// it creates. After the database, every role it created and then the role
// itself are dropped, so a run leaves nothing on a --dev-db server. Each
// statement is bounded by the snapshot's timeout (statement_timeout,
// lock_timeout, idle_in_transaction_session_timeout, and from PostgreSQL 14
// client_connection_check_interval, so a killed rbacdrift leaves no busy
// backend), all of them together by [Options.ApplyTimeout] ([*TimeoutError]).
//
// [Read] looks at the folder before a reader opens anything in it: a FIFO,
// a device, a socket or a link out of the folder is refused; and a
// migration whose file lies outside the folder (a journal entry
// "../../etc/passwd") is refused before its text can reach a server.
//
// # What it never does
//
// It never runs a migration tool, Node, Python, Ruby or the application's
// code; it never writes to a database it did not create, and the database
// the caller's URL names is only connected to. It never applies migrations
// as a superuser. The snapshot itself is read
// only, as every snapshot is.
package replay
