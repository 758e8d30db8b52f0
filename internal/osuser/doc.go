// Package osuser runs a throwaway PostgreSQL server's processes as the
// right OS user: initdb and pg_ctl refuse to run as root, so a process that
// runs as root starts them as the "postgres" user. It also starts the
// watchdog that stops such a server and removes its directory once the
// process that started it is gone, however it ends. The test harness
// (internal/pgtest) and the scratch server of snapshot --from-migrations
// (internal/scratchpg) share it.
//
// # What it never does
//
// It never starts a server itself and never touches a directory it is not
// handed.
package osuser
