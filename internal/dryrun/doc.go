// Package dryrun dry-runs the application's permission queries against the
// live database, as the application's own role, and turns what the server
// says into [drift.Finding]s: query-error, query-param-mismatch,
// query-result-mismatch, query-permission-denied, rls-hides-all-rows,
// run-as-unavailable, query-returned-no-rows and query-returned-rows.
//
// # What it sends
//
// Each query gets a transaction of its own, opened with BEGIN READ ONLY and
// always ended with ROLLBACK, also after an error:
//
//  1. SET LOCAL of the session's limits (statement_timeout, lock_timeout,
//     idle_in_transaction_session_timeout, jit) and plan_cache_mode =
//     force_generic_plan, then SET LOCAL ROLE to the query's run_as (through set_config, so the
//     role name is a parameter), when it has one.
//  2. Parse and describe the query as a prepared statement, with the
//     parameter types the model declares (the ones the driver sends); the
//     server infers the others. Nothing is executed.
//  3. EXPLAIN (VERBOSE, FORMAT JSON) EXECUTE of it with NULL arguments. The
//     executor checks privileges when it starts, which EXPLAIN does and
//     PREPARE does not, and some errors (ON CONFLICT without a matching unique
//     index) only appear when planning. A generic plan keeps the NULL
//     arguments from folding every filter to false.
//  4. Only when the model asks for a sample: one execution with the sample's
//     arguments, still read-only, under statement_timeout, and rolled back.
//
// The prepared statement ([StatementName]) is closed inside the transaction,
// just before the ROLLBACK, so that it never outlives it: a transaction
// pooler hands the server connection to another client once the transaction
// ends.
//
// The whole transaction is one pipeline, sent in one round trip: a failed
// statement makes the server skip the rest up to the pipeline's Sync, which
// is what the steps need (no EXPLAIN after a failed prepare, no sample after
// a failed EXPLAIN), and the Close and the ROLLBACK follow that Sync, so the
// server runs them after an error too. What a step took from the answer
// before it is known from the SQL: the statement kind from its first
// keyword, the number of NULL arguments of the EXPLAIN from the declared
// parameter types and the highest $N (checked against the server's
// description when it comes back). The queries' transactions are not sent
// together: each gets as its statement_timeout what is left of the run's
// budget when it starts, so that a slow query ends as its own finding and
// the queries after it still run. Then one catalog read ([introspect.ReadQueryFacts], a
// read-only unit of its own) reads the row-level security, ownership,
// privileges and policies of the relations the query names, as they apply
// to its role. Before the first query one more ([introspect.ReadRoles])
// reads the roles.
//
// # What it never does
//
// It never commits, never executes a statement that is not a query with a
// sample, never leaves a prepared statement or setting behind, and never
// rewrites the application's SQL: it reads it only to explain the server's
// errors (which table an alias stands for, which tables a query names).
package dryrun
