// Package pgsession owns rbacdrift's connections to the databases it
// checks: parsing and redacting connection strings ([ParseTarget],
// [RedactURL]), opening a session ([Open]), and the one read-only unit of
// work every statement goes through ([Session.Unit], [Session.Read],
// [Session.Parts], [Session.Steps]).
//
// # Connection strings
//
// [ParseTarget] takes a postgres:// URL, another URL form that dburl knows,
// libpq key=value pairs or the libpq environment. Its errors, [RedactURL]
// and [Target.String] never hold the password nor any part of it: in a URL,
// everything between "scheme://user:" and the last '@' is the password, so
// that one holding '/', '?', '#' or ':' is redacted whole. A URL whose user
// information holds more than one '@' is refused before anything is
// resolved, with how to encode it (%40).
//
// # Sessions
//
// [Open] puts default_transaction_read_only, the limits (statement_timeout,
// lock_timeout, idle_in_transaction_session_timeout), jit=off and
// application_name=rbacdrift in the startup packet, as defence in depth on a
// direct connection; when a server or pooler refuses them it connects again
// without them and says so ([Session.Startup], [Path]). [NewSession] wraps a
// connection someone else opened (the Go API's caller), leaving its
// statement cache and exec mode alone. Failures are typed, so that a caller
// words them: a [*ConnectError] with its [ConnectKind], a [*TimeoutError]
// for a statement past the unit's statement_timeout.
//
// # The unit of work
//
// unit.go is the one file that opens and ends a read-only unit of work, and
// the one file of product code that sends the ROLLBACK ending one. A unit
// is BEGIN READ ONLY; SET LOCAL of the limits; a savepoint; the caller's
// SET LOCALs and statements; then, after a sync so that the server runs
// them after an error too: the Close of the unit's named statements, ROLLBACK
// TO the savepoint, pg_advisory_unlock_all() and ROLLBACK. A unit of parts
// ([Session.Parts]) takes a second savepoint after the caller's SET LOCALs;
// each part after the first closes the statements of the part before it,
// rolls back to that savepoint and takes what is left of the unit's
// statement_timeout and lock_timeout. See [Session].
//
// # What it never does
//
// It never commits, never writes, never leaves a setting, a prepared
// statement, an advisory lock or an open transaction behind on a server
// connection, never prints a password, and names no flag of the command in
// its messages: the command words its typed errors. It knows nothing of the
// model, the catalog or findings.
package pgsession
