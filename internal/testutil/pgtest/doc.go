// Package pgtest gives each Go test its own fresh database on a real
// PostgreSQL server. There is no mock: every test that needs a database talks
// to a running server.
//
// # Which server
//
// The first call to [GetServer] (or [NewDB]) in a test binary looks for a
// server, once, in this order:
//
//  1. RBACDRIFT_TEST_DATABASE_URL, a superuser postgres:// URL of an existing
//     server, for example
//     postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable.
//  2. A throwaway cluster made with the local initdb and pg_ctl, found on PATH,
//     then in /usr/lib/postgresql/*/bin (highest version), then through
//     pg_config --bindir. It listens only on a Unix socket in a private
//     temporary directory and runs with fsync off. When the tests run as root
//     the cluster runs as the "postgres" OS user, because initdb refuses root.
//  3. A postgres:15-alpine container through testcontainers-go, when a Docker
//     engine answers within two seconds.
//
// When none is found every test that asks fails (it never skips) with a
// message that says how to get a server. The outcome, failure included, is
// kept for the life of the test binary.
//
// RBACDRIFT_TEST_PG_BINDIR, the bin directory of one PostgreSQL install
// (like one that scripts/pg-fetch.sh prints), replaces that order:
// the server is a throwaway cluster started from its initdb and pg_ctl, and
// RBACDRIFT_TEST_DATABASE_URL and the machine's own binaries are ignored. A
// directory without initdb and pg_ctl, or one that the postgres OS user
// cannot reach when the tests run as root, fails every test. [StartCluster]
// and [StartReplica] use it too, so that `make test-versions` runs the whole
// suite on each major version; where it has no pg_basebackup, a replica is
// made by copying the data directory between pg_backup_start and
// pg_backup_stop.
//
// # Using it
//
// A package whose tests use a database calls [Main] from TestMain, so that a
// cluster started by this package is stopped and removed when the tests end:
//
//	func TestMain(m *testing.M) { pgtest.Main(m) }
//
// A test then asks for a database and, when it needs them, for roles:
//
//	db := pgtest.NewDB(t)
//	db.Exec(t, "CREATE TABLE t (id int PRIMARY KEY)")
//	app := db.LoginRole(t, "app", "secret")
//	conn, err := pgx.Connect(ctx, db.URLAs(app, "secret"))
//
// A database is created from template0 with UTF8 encoding and the C collation,
// so that results and their order do not depend on the server's defaults. Its
// name comes from the test name and a random suffix, and so do the names of
// roles, because roles belong to the whole server and tests run in parallel.
// All of them are dropped when the test ends.
//
// [StartCluster] starts a further throwaway cluster for the tests that need one
// of their own (another configuration, a TCP port, a replica).
//
// # Leaks
//
// Every cluster has a small watchdog process that stops the server and removes
// its directory as soon as the test process is gone, however it ends: a
// timeout, a panic, Ctrl-C or a missing TestMain. A container is reaped by
// testcontainers' own reaper.
//
// # What it never does
//
// It never touches a database or role it did not create, never skips a test
// for want of a server, never uses a mock, and is imported by tests only.
package pgtest
