package check

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
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
	// FS, when set, holds Dir (a slash-separated path inside it): the
	// folder of a model loaded with [spec.LoadFS]. Nil: the operating
	// system's file system.
	FS fs.FS
}

// Resolve returns what a check of m compares: the model's migrations
// section, with its folder relative to the model file (inside the model's
// file system when it was loaded from one), overridden by o: o.Dir replaces
// the model's folder, and its tool and table with it; o.Tool and o.Table
// replace the model's. Nil when neither names a folder; a tool or a table
// without a folder is a [*MigrationError]. o may be nil.
func (o *MigrationOptions) Resolve(m *spec.Model) (*MigrationOptions, error) {
	var out *MigrationOptions
	if mm := m.Migrations; mm != nil {
		out = &MigrationOptions{Dir: mm.Dir, Tool: mm.Tool, Schema: mm.Schema, Table: mm.Table, FS: m.FS}
		switch {
		case m.FS != nil:
			out.Dir = path.Join(path.Dir(m.File), mm.Dir)
		case !filepath.IsAbs(mm.Dir) && m.File != "":
			out.Dir = filepath.Join(filepath.Dir(m.File), mm.Dir)
		}
	}
	if o == nil {
		return out, nil
	}
	if o.Dir != "" {
		out = &MigrationOptions{Dir: o.Dir, FS: o.FS}
	}
	if out == nil {
		if o.Tool != "" || o.Table != "" {
			return nil, &MigrationError{Err: errors.New("a migration tool or history table is given without a migrations folder")}
		}
		return nil, nil
	}
	if o.Tool != "" {
		out.Tool = o.Tool
	}
	if o.Table != "" {
		out.Schema, out.Table = o.Schema, o.Table
	}
	return out, nil
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
	if o.FS != nil {
		return checkMigrationsFS(ctx, s, o)
	}
	opts := migrations.Options{Dir: o.Dir, Tool: migrations.Tool(o.Tool), Schema: o.Schema, Table: o.Table}
	var findings []*migrations.Finding
	err := s.Steps(ctx, pgsession.UnitOptions{}, func(q pgsession.Querier) error {
		if opts.Tool == "" {
			// What the database holds decides: a folder that looks like one
			// tool's is another's when only that one's history table is here.
			tool, err := migrations.DetectDB(ctx, q, opts.Dir)
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
		var cols *migrations.ColumnsError
		if errors.As(err, &cols) {
			return &MigrationError{Err: err}
		}
		if err != nil {
			return fmt.Errorf("reading the %s history: %w", opts.Tool, err)
		}
		findings = migrations.Compare(folder, hist)
		return nil
	})
	return findings, err
}

// checkMigrationsFS is [checkMigrations] for a folder inside o.FS. Package
// migrations reads the operating system's files only, so the folder is
// copied to a private temporary folder for the time of the comparison, and
// the findings and errors name the folder as o.Dir again.
func checkMigrationsFS(ctx context.Context, s *pgsession.Session, o *MigrationOptions) ([]*migrations.Finding, error) {
	tmp, err := os.MkdirTemp("", "rbacdrift-migrations-")
	if err != nil {
		return nil, fmt.Errorf("copying the migrations folder %s: %w", o.Dir, err)
	}
	defer os.RemoveAll(tmp)
	if err := copyFS(filepath.Join(tmp, "m"), o.FS, o.Dir); err != nil {
		return nil, &MigrationError{Err: fmt.Errorf("reading the migrations folder %s: %w", o.Dir, err)}
	}
	local := *o
	local.FS, local.Dir = nil, filepath.Join(tmp, "m")
	back := strings.NewReplacer(local.Dir, o.Dir)
	found, err := checkMigrations(ctx, s, &local)
	var me *MigrationError
	if errors.As(err, &me) {
		return nil, &MigrationError{Err: errors.New(back.Replace(me.Error()))}
	}
	if err != nil {
		return nil, err
	}
	for _, f := range found {
		for _, p := range []*string{&f.Object, &f.Expected, &f.Actual, &f.Message, &f.Hint, &f.File} {
			*p = back.Replace(*p)
		}
	}
	return found, nil
}

// copyFS copies the regular files and folders under dir of fsys to dst.
func copyFS(dst string, fsys fs.FS, dir string) error {
	return fs.WalkDir(fsys, dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel := strings.TrimPrefix(strings.TrimPrefix(p, dir), "/")
		target := filepath.Join(dst, filepath.FromSlash(rel))
		switch {
		case d.IsDir():
			return os.MkdirAll(target, 0o700)
		case !d.Type().IsRegular():
			return nil // links and devices: package migrations reads regular files only
		}
		data, err := fs.ReadFile(fsys, p)
		if err != nil {
			return err
		}
		return os.WriteFile(target, data, 0o600)
	})
}

// migrationFindings turns the package's findings into the report's, and
// links every other finding that a pending or failed migration explains to
// it (ExplainedBy): a finding about a table, a column or an enum the
// migration creates, alters or drops, and a query that names such a table.
//
// Look-alike hints read the history first: a finding a pending migration
// explains says the database is behind and names the migration
// ([drift.HintBehind]); when the history says every migration ran, the
// model is what is behind ([drift.HintAllRan]). A pending migration whose
// code could not be read in full says so.
func migrationFindings(m *spec.Model, fs []*drift.Finding, mfs []*migrations.Finding) []*drift.Finding {
	out := make([]*drift.Finding, 0, len(mfs))
	for _, mf := range mfs {
		f := &drift.Finding{Code: drift.Code(mf.Code), Severity: drift.Severity(mf.Severity), Object: mf.Object,
			Expected: mf.Expected, Actual: mf.Actual, Message: mf.Message, Hint: mf.Hint, File: mf.File,
			Subject: drift.MigrationSubject}
		out = append(out, f)
		if mf.Migration == nil || (mf.Code != drift.MigrationPending && mf.Code != drift.MigrationFailed) {
			continue
		}
		objs, unread := mf.Migration.Changes()
		if unread != "" {
			f.Message += fmt.Sprintf(" (rbacdrift could not read all it changes: %s; findings it explains may not be linked to it)", unread)
		}
		touched := touchedNames(m, objs)
		if len(touched) == 0 {
			continue
		}
		for _, g := range fs {
			if g.ExplainedBy == "" && explains(m, touched, g) {
				g.ExplainedBy = mf.Object
				if mf.Code == drift.MigrationPending {
					g.Hint = drift.HintBehind(g.Hint, mf.Migration.Name)
				}
			}
		}
	}
	if len(mfs) == 0 { // every migration of the folder ran, and nothing else did
		for _, g := range fs {
			g.Hint = drift.HintAllRan(g.Hint)
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
