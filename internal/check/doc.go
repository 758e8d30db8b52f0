// Package check is rbacdrift's pipeline, the one place where a check is put
// together: the command (cmd/rbacdrift), the Go API (package rbacdrift),
// tenant schemas and fleets all run [Check], and keep only their flags, exit
// codes and rendering, or their types.
//
// # What it owns
//
//   - [Check]: the catalog ([introspect.Load]), the server's reading of the
//     declared types ([introspect.ResolveTypes]), the comparison
//     ([drift.Compare]), the dry run of the model's queries (package dryrun),
//     the migrations folder against the tool's history table, and the
//     waivers ([drift.ApplyWaivers]). It reads the model's own migrations
//     section; [CheckOptions.Migrations] only overrides it
//     ([MigrationOptions.Resolve]). A migration that has not run becomes the
//     root cause (ExplainedBy) of the findings it explains.
//   - [CheckResult.Report]: the one place a check's report is built, for the
//     command, the API and each target of a fleet; [FleetReport] the fleet's.
//   - Tenants (CheckOptions.Schemas): one catalog read for every schema; each
//     tenant is compared with its part of the catalog, and the model's
//     queries are dry-run once per group of tenants whose parts are alike (a
//     fingerprint generated from that very part, see tenants.go).
//   - Fleets ([CheckFleet]): many databases, a few at a time, within one
//     overall deadline (the timeout plus [Grace]); a target whose turn did
//     not come is reported [FailNotChecked].
//   - [Explain]: an error of a check or a snapshot as a message and a
//     [Failure] kind, which the command maps to an exit code.
//
// # Sessions
//
// Every unit of work is a READ ONLY transaction with its own SET LOCAL
// limits, ended with ROLLBACK (see [pgsession.Session]); the startup
// settings of a session rbacdrift opens itself are defence in depth.
// [pgsession.Path] says which of them held, for --verbose and the JSON
// report.
//
// # What it never does
//
// It never writes to the database and never leaves a setting or a prepared
// statement behind on a connection; it never prints, and never decides an
// exit code: it returns findings, results and failures. The only files it
// writes are a private temporary copy of a migrations folder read from an
// fs.FS (package migrations reads the operating system's files), removed
// before [Check] returns.
package check
