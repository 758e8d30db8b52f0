// Package pgserver starts throwaway PostgreSQL servers: the scratch server
// that `rbacdrift snapshot --from-migrations` applies an application's
// migrations to and then throws away, and the clusters of the test harness
// (internal/testutil/pgtest). Both are one implementation, [Start].
//
// # What it owns
//
// [Start] finds the local server binaries ([Finder]: initdb and pg_ctl on
// PATH, then the highest version of /usr/lib/postgresql/*/bin, then
// pg_config --bindir) unless [Options] names a directory, makes a cluster
// with initdb in a private temporary directory, and starts it with pg_ctl
// listening on a Unix socket in that directory, and on a TCP port of
// 127.0.0.1 only when [Options] asks for one: trust authentication for the
// superuser "postgres", fsync off (the data is thrown away), the caller's
// postgresql.conf and pg_hba.conf lines and files. When the process runs as
// root, the cluster runs as the "postgres" OS user ([ForServer]), because
// initdb refuses root. [Cluster.Stop] stops the server and removes the
// directory.
//
// A small watchdog process ([Watchdog]) stops the server and removes the
// directory when the process ends without calling Stop: a panic, a kill. It
// runs in a process group of its own, so Ctrl-C in a terminal reaches the
// process (which calls Stop) but not the watchdog; the server's binaries run
// the same way.
//
// The plumbing is exported for the harness's other processes (PgBouncer, a
// replica's base backup): the configuration file ([AppendConf],
// [ConfString]), the binaries' environment ([ChildEnv]), where to make a
// directory ([BaseDir], [DirBase]).
//
// [ErrNoBinaries] says that no initdb and pg_ctl were found.
//
// # What it never does
//
// It never touches a server it did not start, never listens beyond
// 127.0.0.1 (and there only when asked), and never leaves a directory or a
// server process behind once Stop returns. It knows nothing of test
// databases, environment variables or containers: internal/testutil/pgtest
// does.
package pgserver
