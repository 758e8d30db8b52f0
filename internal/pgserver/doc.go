// Package scratchpg starts a throwaway PostgreSQL server for one run of the
// command: `rbacdrift snapshot --from-migrations` applies an application's
// migrations to it, takes the model, and throws it away.
//
// # What it owns
//
// [Start] finds the local server binaries (initdb and pg_ctl on PATH, then
// the highest version of /usr/lib/postgresql/*/bin, then pg_config
// --bindir), makes a cluster with initdb in a private temporary directory,
// and starts it with pg_ctl listening only on a Unix socket in that
// directory: no TCP port, trust authentication for the superuser
// "postgres", fsync off (the data is thrown away). When the process runs as
// root, the cluster runs as the "postgres" OS user, because initdb refuses
// root. [Cluster.Stop] stops the server and removes the directory.
//
// A small watchdog process stops the server and removes the directory when
// the process ends without calling Stop: a panic, a kill. It runs in a
// process group of its own, so Ctrl-C in a terminal reaches the command (which
// calls Stop) but not the watchdog; pg_ctl detaches the server the same way.
//
// [ErrNoBinaries] says that no initdb and pg_ctl were found.
//
// # What it never does
//
// It never touches a server it did not start, never listens on the network,
// and never leaves a directory or a server process behind once Stop returns.
// Test code uses internal/testutil/pgtest instead, which also knows servers from an
// environment variable and containers.
package pgserver
