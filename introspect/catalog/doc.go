// Package catalog holds what rbacdrift reads from a live PostgreSQL catalog:
// relations with their columns, keys, indexes, privileges and policies,
// enums, the server's identity, and the facts the dry run of an application
// query needs. These are plain values; package introspect fills them in.
//
// # What it never does
//
// It never talks to the database and imports no driver, so that the
// comparison (package drift) can take a catalog without one.
package catalog
