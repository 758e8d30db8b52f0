// Package harvest finds the statements an application really sends, in
// pg_stat_statements or in the server's log, keeps those that read or write
// the model's tables, and writes them as an sqlc-style query file that
// rbacdrift check dry-runs like the queries written into the model.
//
// # How it decides what a statement touches
//
// The server decides, not the text: each statement is prepared as the role
// that sent it (SET LOCAL ROLE) and planned with EXPLAIN (VERBOSE, FORMAT
// JSON) EXECUTE of NULL arguments under plan_cache_mode =
// force_generic_plan, which works the same from PostgreSQL 13 to 18; the
// relations are read from the plan. Statements the server cannot prepare or
// plan are reported apart, not guessed at.
//
// # What it never does
//
// It never executes a harvested statement (EXPLAIN without ANALYZE only),
// never writes to the database, and never keeps anything on the server past
// its unit of work: each is one READ ONLY transaction that ends with
// ROLLBACK, with its prepared statement closed inside it.
//
// # The query file
//
// [Merge] keeps the names and order of an existing harvested file, adds new
// statements at the end and marks those no longer seen with a comment,
// without deleting them. A name is the statement's verb, its main table and a
// short hash of its normalised text, so it stays the same from one harvest
// to the next.
package harvest
