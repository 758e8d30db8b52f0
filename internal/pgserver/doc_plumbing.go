// Package pgproc is the plumbing of a throwaway PostgreSQL server, shared by
// the test harness (internal/testutil/pgtest) and the scratch server of snapshot
// --from-migrations (internal/pgserver): finding the server binaries
// ([Finder]), the OS user the server runs as ([ForServer]: initdb and pg_ctl
// refuse to run as root, so a process running as root starts them as the
// "postgres" user), the directory to make it in ([BaseDir]), its
// configuration file ([AppendConf], [ConfString]), the environment of its
// binaries ([ChildEnv]), and the watchdog that stops it and removes its
// directory once the process that started it is gone, however it ends
// ([StartWatchdog]).
//
// # What it never does
//
// It never starts a server itself and never touches a directory it is not
// handed.
package pgserver
