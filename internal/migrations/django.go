package migrations

import (
	"context"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"

	"github.com/jackc/pgx/v5"
)

// django follows Django's django/db/migrations: loader.py (the migrations
// of an app are the modules of its migrations package whose names do not
// start with "_" or "~"; a squashed migration, one with replaces, counts
// as applied when everything it replaces is, and is set aside, leaving the
// replaced ones, when only some are) and recorder.py (django_migrations(id,
// app, name, applied)).
//
// Dir is the project root, searched for <app>/migrations/ packages, or one
// app's migrations folder. The app label is taken to be the name of the
// folder that holds migrations/, which is Django's default (AppConfig.label
// is the last part of the app's module path); a label set in an AppConfig
// is not seen. Rows of apps that have no migrations folder here (Django's
// own auth, admin, contenttypes, third-party apps) are not reported.
// Migrations are listed by app and name, not in the dependency order
// `migrate` resolves.
type django struct{}

var (
	djangoImport   = regexp.MustCompile(`from django\.db import\b[^\n]*\bmigrations\b`)
	djangoReplaces = regexp.MustCompile(`(?s)\breplaces\s*=\s*\[(.*?)\]`)
	djangoPair     = regexp.MustCompile(`\(\s*['"]([^'"]+)['"]\s*,\s*['"]([^'"]+)['"]\s*\)`)
)

func (django) command(string) string { return "python manage.py migrate" }

func (django) table(opts Options) pgx.Identifier { return tableRef(opts, "", "django_migrations") }

func (django) fits(dir string, ents []os.DirEntry) bool {
	if isFile(filepath.Join(dir, "__init__.py")) && anyFileContains(dir, ents, hasExt(".py"), djangoImport) {
		return true
	}
	for _, e := range ents {
		sub := filepath.Join(dir, e.Name(), "migrations")
		if !e.IsDir() || !isFile(filepath.Join(sub, "__init__.py")) {
			continue
		}
		if subEnts, err := os.ReadDir(sub); err == nil && anyFileContains(sub, subEnts, hasExt(".py"), djangoImport) {
			return true
		}
	}
	return false
}

// djangoSkip are folders that hold no project apps.
var djangoSkip = []string{"node_modules", "venv", ".venv", "env", "site-packages", "__pycache__"}

func (django) readFolder(f *Folder) error {
	var dirs []string
	if isFile(filepath.Join(f.Dir, "__init__.py")) && filepath.Base(f.Dir) == "migrations" {
		dirs = []string{f.Dir}
	} else {
		err := filepath.WalkDir(f.Dir, func(path string, e fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if e.IsDir() && path != f.Dir && (strings.HasPrefix(e.Name(), ".") || slices.Contains(djangoSkip, e.Name())) {
				return filepath.SkipDir
			}
			if e.IsDir() && e.Name() == "migrations" && isFile(filepath.Join(path, "__init__.py")) {
				dirs = append(dirs, path)
				return filepath.SkipDir
			}
			return nil
		})
		if err != nil {
			return fmt.Errorf("reading django migrations: %w", err)
		}
	}
	for _, dir := range dirs {
		app := filepath.Base(filepath.Dir(dir))
		ents, err := os.ReadDir(dir)
		if err != nil {
			return fmt.Errorf("reading django migrations: %w", err)
		}
		for _, e := range ents {
			name := e.Name()
			if !e.Type().IsRegular() || !strings.HasSuffix(name, ".py") || strings.HasPrefix(name, "_") || strings.HasPrefix(name, "~") {
				continue
			}
			path := filepath.Join(dir, name)
			text, err := readFile(path)
			if err != nil {
				return err
			}
			name = strings.TrimSuffix(name, ".py")
			m := &Migration{ID: app + "." + name, Name: app + "." + name, File: path, SQL: text}
			if o := f.Find(m.ID); o != nil {
				return fmt.Errorf("reading django migrations: %s and %s are both migration %s of app %s", o.File, path, name, app)
			}
			if r := djangoReplaces.FindStringSubmatch(text); r != nil {
				for _, p := range djangoPair.FindAllStringSubmatch(r[1], -1) {
					m.after = append(m.after, p[1]+"."+p[2])
				}
			}
			f.Migrations = append(f.Migrations, m)
		}
	}
	slices.SortFunc(f.Migrations, func(a, b *Migration) int { return strings.Compare(a.ID, b.ID) })
	return nil
}

func (django) readHistory(ctx context.Context, q Querier, ref pgx.Identifier, f *Folder, h *History) error {
	rs, err := readRows(ctx, q, sqlDjango, ref, h)
	if err != nil {
		return err
	}
	for _, r := range rs {
		app := text(r[0])
		h.Applied = append(h.Applied, &Applied{ID: app + "." + text(r[1]), Detail: app})
	}
	return nil
}

func (django) compare(f *Folder, h *History) []*Finding {
	applied := map[string]bool{}
	for _, a := range h.Applied {
		applied[a.ID] = true
	}
	replaced := map[string]bool{} // migrations a usable squash stands for
	partial := map[string]bool{}  // squashes set aside: only some of what they replace ran
	for _, m := range f.Migrations {
		if len(m.after) == 0 {
			continue
		}
		n := 0
		for _, r := range m.after {
			if applied[r] {
				n++
			}
		}
		switch n {
		case len(m.after):
			applied[m.ID] = true
			fallthrough
		case 0:
			for _, r := range m.after {
				replaced[r] = true
			}
		default:
			partial[m.ID] = true
		}
	}
	apps := map[string]bool{}
	var out []*Finding
	for _, m := range f.Migrations {
		apps[m.ID[:strings.IndexByte(m.ID, '.')]] = true
		if applied[m.ID] || replaced[m.ID] {
			continue
		}
		hint := ""
		if partial[m.ID] {
			var ran, not []string
			for _, r := range m.after {
				if applied[r] {
					ran = append(ran, r)
				} else if f.Find(r) == nil {
					not = append(not, r)
				}
			}
			if len(not) == 0 {
				continue // the replaced migrations are in the folder and reported on their own
			}
			hint = fmt.Sprintf("only part of what it replaces ran (%s ran, %s did not): Django sets the squashed migration aside and needs the files of %s, which are gone; restore them and run python manage.py migrate", strings.Join(ran, ", "), strings.Join(not, ", "), strings.Join(not, ", "))
		}
		out = append(out, pending(f, m, hint))
	}
	for _, a := range h.Applied {
		if apps[a.Detail] && f.Find(a.ID) == nil && !replaced[a.ID] && !slices.ContainsFunc(f.Migrations, func(m *Migration) bool { return slices.Contains(m.after, a.ID) }) {
			u := unknown(f, a, a.ID, fmt.Sprintf("migration %s of app %s", strings.TrimPrefix(a.ID, a.Detail+"."), a.Detail))
			u.Hint = "Django ignores a row without a file, so nothing fails, but the database has changes this checkout does not know: deploy from the branch that has the migration, or delete its row from django_migrations once its changes are undone"
			out = append(out, u)
		}
	}
	return out
}
