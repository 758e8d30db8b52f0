// Package dryrun dry-runs the application's permission queries against the
// live database, as the application's own role, and turns what the server
// says into [drift.Finding]s: query-error, query-param-mismatch,
// query-result-mismatch, query-permission-denied, rls-hides-all-rows,
// run-as-unavailable, query-returned-no-rows and query-returned-rows.
//
// # What it sends
//
// The queries go [QueriesPerUnit] to a unit of work
// ([pgsession.Session.Parts]: BEGIN READ ONLY, the session's limits, and
// always ROLLBACK, also after an error; statement_timeout is what is left
// of the run's budget when the unit starts), each query a part of its own:
// it starts from a savepoint that undoes what the query before it set or
// broke, with what is left of the unit's time limits, so that a slow query
// ends as its own finding and the queries after it still run. In its part:
//
//  1. (SET LOCAL plan_cache_mode = force_generic_plan once per unit) the
//     tenant schema first on the search_path (when checking one), then the query's run_as as the
//     role (through set_config, so the role name is a parameter), then the
//     session the application gets: the role's own settings in this
//     database as a login gets them (pg_db_role_setting, those it may set
//     itself), the model's settings and the query's, each with
//     set_config(name, value, true), name and value as parameters.
//  2. Parse and describe the query as a prepared statement ([StatementName]),
//     with the parameter types the model declares (the ones the driver
//     sends); the server infers the others. Nothing is executed.
//  3. EXPLAIN (VERBOSE, FORMAT JSON) EXECUTE of it with NULL arguments. The
//     executor checks privileges when it starts, which EXPLAIN does and
//     PREPARE does not, and some errors (ON CONFLICT without a matching unique
//     index) only appear when planning. A generic plan keeps the NULL
//     arguments from folding every filter to false.
//  4. Only when the model asks for samples: one execution per sample with its
//     arguments, still read-only, under statement_timeout, and rolled back;
//     a sample with settings of its own runs between SAVEPOINT and ROLLBACK
//     TO SAVEPOINT rbacdrift_sample, so that the next sample does not see
//     them.
//
// The unit is one round trip: a failed statement makes the server skip the
// rest of its query's statements, which is what the steps need (no EXPLAIN
// after a failed prepare, no sample after a failed EXPLAIN). What a step took
// from the answer before it is known from the SQL: the statement kind from
// its first keyword, the number of NULL arguments of the EXPLAIN from the
// declared parameter types and the highest $N (checked against the server's
// description when it comes back, and asked again when they differ). The
// next part closes the prepared statement, and the unit's end releases any
// advisory lock a query (or a function the planner ran) took, before the
// ROLLBACK, so that neither outlives it: a transaction pooler hands the server
// connection to another client once the transaction ends. When a type did
// not match, one more unit prepares the query unnamed, without declared
// types, to learn the ones the server infers.
//
// Before the first query one unit ([introspect.ReadRoles]) reads the roles;
// after the last, one more ([introspect.ReadQueryFactsBatch]) reads the
// row-level security, ownership, privileges and policies of the relations
// each query names, as they apply to its role.
//
// # What it never does
//
// It never commits, never executes a statement that is not a query with a
// sample, never sends a statement outside the session's unit of work, never
// leaves a prepared statement, setting or lock behind, never names a flag of
// the command in a finding, and never rewrites the application's SQL: it
// reads it only to explain the server's errors (which table an alias stands
// for, which tables a query names).
package dryrun
