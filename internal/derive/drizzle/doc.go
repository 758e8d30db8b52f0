// Package drizzle reads the snapshots drizzle-kit writes beside its
// migrations and derives the model of the schema after the last migration.
//
// # Which snapshot
//
// [Snapshot] resolves a migrations folder: before drizzle-kit 1.0,
// meta/_journal.json lists the migrations in order and the last entry's
// meta/NNNN_snapshot.json (versions 5 to 7) describes the schema after it;
// from 1.0 each migration is a folder named by its timestamp with a
// snapshot.json (version 8, a flat "ddl" list of entities), and the last
// folder wins. A path that is a file is read as the snapshot.
//
// # The mapping
//
// [Parse] maps tables (schema-qualified unless public), columns in the
// snapshot's order with drizzle's type spellings (serial types as such,
// enums by name, qualified when not in public), NOT NULL, defaults (drizzle
// keeps them as SQL text: 'global', now()), identity and generated columns,
// primary keys (a column's primaryKey or compositePrimaryKeys), unique
// constraints, indexes with their uniqueness and predicate, foreign keys
// with their actions (none given is NO ACTION), enums, and row-level
// security: enabled when the table is marked so or has policies, as
// drizzle-kit's CREATE TABLE does, with each policy's command, roles,
// expressions and permissiveness. Every error, a broken JSON file's
// included, names file:line:column.
//
// # What it never does
//
// It never runs drizzle-kit or Node and never executes the migrations' SQL;
// what the snapshot does not record (grants, FORCE ROW LEVEL SECURITY,
// statements written by hand into a migration) stays out of the model,
// which means unchecked.
package drizzle
