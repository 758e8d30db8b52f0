// Package introspect reads the live PostgreSQL catalog: the relations, columns,
// keys, indexes, enums, privileges (what each role can really use, through
// the roles it inherits too), row-level security policies, sequences and
// functions of exactly the objects it is asked about, and the server's own
// reading of declared type names.
//
// # How it reads
//
// Every catalog query is a named constant in a queries file: queries.go for
// the catalog batch of [Load], queries_grants.go for effective privileges,
// queries_sequences.go for sequences and column maxima, queries_functions.go,
// queries_dryrun.go for what the dry run reads, queries_snapshot.go for the
// listings of a snapshot and of tenant schemas ([ListRelations],
// [ListSchemas]). It reads pg_catalog, never information_schema (slow on big catalogs, and it hides privileges the
// connecting role cannot see), takes the wanted names as array parameters and
// never concatenates identifiers. [Load] sends all catalog queries in one
// pipelined batch, so the number of round trips does not grow with the model;
// [LoadParallel] sends one such batch per session, each for part of the
// relations, so that a big snapshot uses more than one server core.
//
// # Sessions
//
// Every read goes through a [pgsession.Session]'s read-only unit of work
// ([pgsession.Session.Read] or [pgsession.Session.Unit]): one pipelined round
// trip that opens BEGIN READ ONLY with the session's limits, runs the reads
// and rolls back, so that nothing outlives it on a server connection.
// introspect sends nothing on a connection itself.
//
// # What it never does
//
// It never writes, never runs application SQL, knows nothing of YAML, and
// names no flag of the command in its errors (they wrap the server's). The
// one read that is not of the catalog, [ReadColumnMaxima], reads max() of
// serial and identity columns only where one index entry answers it, with
// names from the catalog quoted by pgx.Identifier, in one statement of a
// read-only unit bounded by statement_timeout and lock_timeout.
package introspect
