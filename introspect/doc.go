// Package introspect reads the live PostgreSQL catalog: the relations, columns,
// keys, indexes, enums, privileges and row-level security policies of exactly
// the objects it is asked about, and the server's own reading of declared
// type names.
//
// # How it reads
//
// Every catalog query is a named constant in queries.go (queries_snapshot.go
// for the listing of a snapshot, [ListRelations]). It reads pg_catalog,
// never information_schema (slow on big catalogs, and it hides privileges the
// connecting role cannot see), takes the wanted names as array parameters and
// never concatenates identifiers. [Load] sends all catalog queries in one
// pipelined batch, so the number of round trips does not grow with the model;
// [LoadParallel] sends one such batch per session, each for part of the
// relations, so that a big snapshot uses more than one server core.
//
// # Sessions
//
// [Connect] opens a session that cannot write: default_transaction_read_only,
// statement_timeout, lock_timeout, idle_in_transaction_session_timeout, jit=off
// and application_name=rbacdrift are set in the startup packet, before any
// statement runs.
//
// # What it never does
//
// It never writes, never runs application SQL and knows nothing of YAML.
package introspect
