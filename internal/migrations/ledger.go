package migrations

import (
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5"
)

// A Ledger is what a SQL tool writes to its history table as it applies
// migrations: it creates the table before the first migration, and records
// each migration as it goes. A replay that does the same runs a project
// whose migrations alter or read the tool's own table (a golang-migrate
// project that adds a column to schema_migrations) as the tool runs it.
type Ledger struct {
	// Table is the history table; a name without a schema is created in
	// the first schema of the search_path, as the tools do.
	Table pgx.Identifier
	// Create makes the table (and its schema) as the tool makes it.
	Create string
	// Before, when set, is sent before the migration's statements (golang-
	// migrate marks the version dirty first); After records that it ran,
	// inside the migration's transaction when it has one. Both take the
	// migration's index in the folder.
	Before, After func(m *Migration, i int) string
}

// A ledgerer is a driver of a SQL tool that knows how it keeps its history.
type ledgerer interface {
	ledger(f *Folder, ref pgx.Identifier) *Ledger
}

// Ledger returns how the folder's tool keeps its history table, with the
// table named as opts names it; nil for a tool whose migrations are code.
func (f *Folder) Ledger(opts Options) *Ledger {
	d := driverFor(f.Tool)
	l, ok := d.(ledgerer)
	if !ok {
		return nil
	}
	return l.ledger(f, d.table(opts))
}

// literal quotes s as a SQL string literal that reads the same whatever
// standard_conforming_strings says.
func literal(s string) string {
	if strings.ContainsRune(s, '\\') {
		return "E'" + strings.NewReplacer(`\`, `\\`, `'`, `''`).Replace(s) + "'"
	}
	return "'" + strings.ReplaceAll(s, "'", "''") + "'"
}

func int64Lit(n int64) string { return strconv.FormatInt(n, 10) }

// schemaOf returns "CREATE SCHEMA IF NOT EXISTS s;\n" for a qualified ref.
func schemaOf(ref pgx.Identifier) string {
	if len(ref) < 2 {
		return ""
	}
	return "CREATE SCHEMA IF NOT EXISTS " + pgx.Identifier{ref[0]}.Sanitize() + ";\n"
}
