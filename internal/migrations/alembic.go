package migrations

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"

	"github.com/jackc/pgx/v5"
)

// alembic follows sqlalchemy/alembic: alembic/script/base.py
// (Script._from_path: every .py file of versions/ except __init__ and
// editor backups; a Script is its module's revision, down_revision and
// depends_on) and alembic/runtime/migration.py (alembic_version, one
// version_num row per head). What ran is every revision reachable from a
// recorded head through down_revision and depends_on; alembic upgrade
// runs the rest.
//
// The module is not executed: revision, down_revision and depends_on are
// read from their top-level assignments (a string, None, or a tuple or
// list of strings), which is how Alembic writes them.
type alembic struct{}

var (
	alembicAssign = regexp.MustCompile(`(?m)^(revision|down_revision|depends_on)\s*(?::[^=\n]*)?=\s*(.+)$`)
	alembicQuoted = regexp.MustCompile(`['"]([^'"]+)['"]`)
)

func (alembic) command(string) string { return "alembic upgrade heads" }

func (alembic) table(opts Options) pgx.Identifier { return tableRef(opts, "", "alembic_version") }

// alembicVersions returns the versions folder: dir itself, or dir/versions
// when dir is the script folder (the one with env.py).
func alembicVersions(dir string) string {
	if st, err := os.Stat(filepath.Join(dir, "versions")); err == nil && st.IsDir() {
		return filepath.Join(dir, "versions")
	}
	return dir
}

func (alembic) fits(dir string, ents []os.DirEntry) bool {
	v := alembicVersions(dir)
	if v != dir {
		var err error
		if ents, err = os.ReadDir(v); err != nil {
			return false
		}
	}
	return anyFileContains(v, ents, hasExt(".py"), regexp.MustCompile(`(?m)^down_revision\b`))
}

func (alembic) readFolder(f *Folder) error {
	dir := alembicVersions(f.Dir)
	ents, err := os.ReadDir(dir)
	if err != nil {
		return fmt.Errorf("reading alembic revisions: %w", err)
	}
	for _, e := range ents {
		name := e.Name()
		if !e.Type().IsRegular() || !strings.HasSuffix(name, ".py") || strings.HasPrefix(name, ".#") || strings.HasPrefix(name, "__init__") {
			continue
		}
		path := filepath.Join(dir, name)
		text, err := readFile(path)
		if err != nil {
			return err
		}
		m := &Migration{Name: strings.TrimSuffix(name, ".py"), File: path, SQL: text}
		for _, a := range alembicAssign.FindAllStringSubmatch(text, -1) {
			var vals []string
			for _, q := range alembicQuoted.FindAllStringSubmatch(a[2], -1) {
				vals = append(vals, q[1])
			}
			switch a[1] {
			case "revision":
				if len(vals) == 1 {
					m.ID = vals[0]
				}
			default:
				m.after = append(m.after, vals...)
			}
		}
		if m.ID == "" {
			return fmt.Errorf("reading alembic revision %s: no revision = '...' line", path)
		}
		if o := f.Find(m.ID); o != nil {
			return fmt.Errorf("reading alembic revisions: %s and %s are both revision %s", o.File, path, m.ID)
		}
		f.Migrations = append(f.Migrations, m)
	}
	f.Migrations = alembicOrder(f.Migrations)
	return nil
}

// alembicOrder sorts revisions base first: each after the revisions it
// comes after, ties by file name.
func alembicOrder(ms []*Migration) []*Migration {
	slices.SortFunc(ms, func(a, b *Migration) int { return strings.Compare(a.Name, b.Name) })
	done := map[string]bool{}
	known := map[string]bool{}
	for _, m := range ms {
		known[m.ID] = true
	}
	var out []*Migration
	for len(out) < len(ms) {
		progress := false
		for _, m := range ms {
			if done[m.ID] {
				continue
			}
			ready := true
			for _, p := range m.after {
				ready = ready && (done[p] || !known[p])
			}
			if ready {
				done[m.ID], progress = true, true
				out = append(out, m)
			}
		}
		if !progress { // a cycle: keep the rest in name order
			for _, m := range ms {
				if !done[m.ID] {
					done[m.ID] = true
					out = append(out, m)
				}
			}
		}
	}
	return out
}

func (alembic) readHistory(ctx context.Context, q Querier, ref pgx.Identifier, f *Folder, h *History) error {
	rs, err := readRows(ctx, q, sqlAlembic, ref, h)
	if err != nil {
		return err
	}
	for _, r := range rs {
		h.Applied = append(h.Applied, &Applied{ID: text(r[0])})
	}
	return nil
}

func (d alembic) compare(f *Folder, h *History) []*Finding {
	applied := map[string]bool{}
	var walk func(id string)
	walk = func(id string) {
		if applied[id] {
			return
		}
		applied[id] = true
		if m := f.Find(id); m != nil {
			for _, p := range m.after {
				walk(p)
			}
		}
	}
	for _, a := range h.Applied {
		walk(a.ID)
	}
	var out []*Finding
	for _, m := range f.Migrations {
		if !applied[m.ID] {
			out = append(out, pending(f, m, ""))
		}
	}
	for _, a := range h.Applied {
		if f.Find(a.ID) == nil {
			u := unknown(f, a, a.ID, fmt.Sprintf("revision %s (a head in %s)", a.ID, h.Table))
			u.Hint = fmt.Sprintf("alembic stops with \"Can't locate revision identified by '%s'\": deploy from the branch that has the revision, or, once its changes are undone, alembic stamp the revision the database really is at", a.ID)
			out = append(out, u)
		}
	}
	return out
}
