package replay

import (
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/rbacdrift/rbacdrift/internal/migrations"
)

// keepLedger fills in what the plan writes to the tool's history table, as
// the tool writes it: the table made before the first migration, each
// migration recorded as it runs (golang-migrate: marked dirty before, clean
// after). A project whose migrations alter the tool's own table replays.
func (p *Plan) keepLedger(f *migrations.Folder, byFile map[string]*migrations.Migration) {
	l := f.Ledger(migrations.Options{})
	if l == nil {
		return
	}
	p.history, p.setup = l.Table, l.Create
	for i, pm := range p.Migrations {
		m := byFile[pm.File]
		if l.Before != nil {
			pm.before = l.Before(m, i)
		}
		if l.After != nil {
			pm.after = l.After(m, i)
		}
	}
}

// record sends what the tool writes to its history table before or after m;
// an error there is the migration's, as the tool would report it.
func (m *Migration) record(exec func(string) ([]*pgconn.Result, error), sql string, p *Plan) error {
	if sql == "" {
		return nil
	}
	if _, err := exec(sql); err != nil {
		line, col := position(m.text, len(m.text))
		return &MigrationError{Migration: m.Name, File: m.File, Line: line, Column: col,
			Err: fmt.Errorf("recording it in %s's history table %s, as the tool does: %w", p.Tool, p.history.Sanitize(), err)}
	}
	return nil
}

// createDatabase makes the temporary database, owned by owner: on a
// throwaway cluster from template0 in UTF8; on a --dev-db server from the
// server's default template (template1, where a platform such as Supabase
// keeps its schemas), or the one named.
func createDatabase(name, owner string, opts Options) string {
	sql := "CREATE DATABASE " + pgx.Identifier{name}.Sanitize() + " OWNER " + pgx.Identifier{owner}.Sanitize()
	switch {
	case opts.DevDB == nil:
		sql += " TEMPLATE template0 ENCODING 'UTF8'"
	case opts.Template != "":
		sql += " TEMPLATE " + pgx.Identifier{opts.Template}.Sanitize()
	}
	return sql
}
