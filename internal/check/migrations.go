package check

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strings"

	"github.com/rbacdrift/rbacdrift/drift"
	"github.com/rbacdrift/rbacdrift/internal/migrations"
	"github.com/rbacdrift/rbacdrift/internal/pgsession"
	"github.com/rbacdrift/rbacdrift/internal/sqllex"
	"github.com/rbacdrift/rbacdrift/spec"
)

// MigrationOptions say where the application's migrations are, for
// [CheckOptions.Migrations].
type MigrationOptions struct {
	Dir           string // the folder, as the user named it
	Tool          string // empty: detected from the folder (and the history table)
	Schema, Table string // a history table other than the tool's own
}

// MigrationOptionsOf returns the model's migrations section with its folder
// made relative to the working directory (the model names it relative to
// the model file); nil when the model has none.
func MigrationOptionsOf(m *spec.Model) *MigrationOptions {
	if m.Migrations == nil {
		return nil
	}
	dir := m.Migrations.Dir
	if !filepath.IsAbs(dir) && m.File != "" {
		dir = filepath.Join(filepath.Dir(m.File), dir)
	}
	return &MigrationOptions{Dir: dir, Tool: m.Migrations.Tool, Schema: m.Migrations.Schema, Table: m.Migrations.Table}
}

// A MigrationError is a migrations folder that cannot be read: the flags or
// the model are wrong, not the database.
type MigrationError struct{ Err error }

func (e *MigrationError) Error() string { return e.Err.Error() }
func (e *MigrationError) Unwrap() error { return e.Err }

// checkMigrations compares the folder with the tool's history table, read
// in one READ ONLY transaction with the session's limits, and returns the
// findings.
func checkMigrations(ctx context.Context, s *pgsession.Session, o *MigrationOptions) ([]*migrations.Finding, error) {
	opts := migrations.Options{Dir: o.Dir, Tool: migrations.Tool(o.Tool), Schema: o.Schema, Table: o.Table}
	var findings []*migrations.Finding
	err := s.Steps(ctx, pgsession.UnitOptions{}, func(q pgsession.Querier) error {
		if opts.Tool == "" {
			tool, err := migrations.Detect(opts.Dir)
			var amb *migrations.AmbiguousError
			if errors.As(err, &amb) {
				tool, err = migrations.DetectDB(ctx, q, opts.Dir)
			}
			if err != nil {
				return &MigrationError{Err: err}
			}
			opts.Tool = tool
		}
		folder, err := migrations.ReadFolder(opts)
		if err != nil {
			return &MigrationError{Err: err}
		}
		hist, err := migrations.ReadHistory(ctx, q, folder, opts)
		if err != nil {
			return fmt.Errorf("reading the %s history: %w", opts.Tool, err)
		}
		findings = migrations.Compare(folder, hist)
		return nil
	})
	return findings, err
}

// migrationFindings turns the package's findings into the report's, and
// links every other finding that a pending or failed migration explains to
// it (ExplainedBy): a finding about a table, a column or an enum the
// migration creates, alters or drops, and a query that names such a table.
func migrationFindings(m *spec.Model, fs []*drift.Finding, mfs []*migrations.Finding) []*drift.Finding {
	out := make([]*drift.Finding, 0, len(mfs))
	for _, mf := range mfs {
		f := &drift.Finding{Code: drift.Code(mf.Code), Severity: drift.Severity(mf.Severity), Object: mf.Object,
			Expected: mf.Expected, Actual: mf.Actual, Message: mf.Message, Hint: mf.Hint, File: mf.File,
			Subject: drift.MigrationSubject}
		out = append(out, f)
		if mf.Migration == nil || (mf.Code != migrations.CodePending && mf.Code != migrations.CodeFailed) {
			continue
		}
		touched := touchedNames(m, mf.Migration.Touches())
		if len(touched) == 0 {
			continue
		}
		for _, g := range fs {
			if g.ExplainedBy == "" && explains(m, touched, g) {
				g.ExplainedBy = mf.Object
			}
		}
	}
	return out
}

// touchedNames returns the schema-qualified tables and types a migration
// changes.
func touchedNames(m *spec.Model, objs []migrations.Object) map[string]bool {
	out := map[string]bool{}
	qualify := func(n string) string {
		if n == "" {
			return ""
		}
		if strings.Contains(n, ".") {
			return n
		}
		return m.Schema + "." + n
	}
	for _, o := range objs {
		switch o.Kind {
		case "table", "type", "view":
			out[qualify(o.Name)] = true
			if o.To != "" {
				out[qualify(o.To)] = true
			}
		case "column", "index", "policy", "trigger":
			if o.Table != "" {
				out[qualify(o.Table)] = true
			}
		}
	}
	delete(out, "")
	return out
}

// explains reports whether a migration that touches the named tables and
// types explains f.
func explains(m *spec.Model, touched map[string]bool, f *drift.Finding) bool {
	switch {
	case strings.HasPrefix(f.Subject, "query:"):
		name := strings.TrimPrefix(f.Subject, "query:")
		for _, q := range m.Queries {
			if q.Name == name {
				return namesTouched(m, touched, q.SQL)
			}
		}
		return false
	case strings.HasPrefix(f.Subject, "enum "):
		return touched[strings.TrimPrefix(f.Subject, "enum ")]
	}
	return touched[f.Subject]
}

// namesTouched reports whether sql names one of the touched relations, as
// a bare or qualified identifier.
func namesTouched(m *spec.Model, touched map[string]bool, sql string) bool {
	toks, _ := sqllex.Tokenize(sql)
	for i, t := range toks {
		if t.Kind != sqllex.TokIdent && t.Kind != sqllex.TokQuoted {
			continue
		}
		name := t.Text
		if i+2 < len(toks) && toks[i+1].Text == "." && (toks[i+2].Kind == sqllex.TokIdent || toks[i+2].Kind == sqllex.TokQuoted) {
			name = t.Text + "." + toks[i+2].Text
		} else if i > 0 && toks[i-1].Text == "." {
			continue
		} else {
			name = m.Schema + "." + name
		}
		if touched[name] {
			return true
		}
	}
	return false
}
