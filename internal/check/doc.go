// Package engine is rbacdrift's pipeline, the one place where a check and a
// snapshot are put together: the command (cmd/rbacdrift) and the Go API
// (package rbacdrift) both call it, and keep only their flags, exit codes
// and rendering, or their types.
//
// A check ([Check]) reads the catalog ([introspect.Load]), asks the server
// what the declared types mean ([introspect.ResolveTypes]), compares
// ([drift.Compare]), dry-runs the model's queries (package dryrun) and
// applies the waivers ([drift.ApplyWaivers]). A snapshot ([Snapshot]) lists
// and reads the relations over two sessions and turns the catalog into a
// model ([drift.Snapshot]). [Explain] turns what went wrong into a message
// and a kind that the command maps to an exit code.
//
// # Sessions
//
// Every unit of work is a READ ONLY transaction with its own SET LOCAL
// limits, ended with ROLLBACK (see [pgsession.Session]); the startup
// settings of a session rbacdrift opens itself are defence in depth. A
// [Path] says which of them held, for --verbose and the JSON report.
//
// # What it never does
//
// It never writes, never leaves a setting or a prepared statement behind on
// a connection, and never prints: it returns findings and failures.
package check
