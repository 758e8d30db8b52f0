package migrations

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"

	"github.com/jackc/pgx/v5"
)

// golangMigrate follows golang-migrate/migrate: source/parse.go for file
// names, database/postgres/postgres.go for the table (SELECT version, dirty
// FROM schema_migrations LIMIT 1; no row is "no version"), migrate.go for what
// `migrate up` does: refuse while dirty, else run every migration after the
// recorded version.
//
// The table holds one row, so the history cannot tell which migrations below
// the version ran: every one at or below it counts as applied, and a file
// added later with a lower version is never run and cannot be seen here.
type golangMigrate struct{}

// golangMigrateName is source.Regex: 123_name.up.ext and 123_name.down.ext.
var golangMigrateName = regexp.MustCompile(`^([0-9]+)_(.*)\.(down|up)\.(.*)$`)

func (golangMigrate) command(dir string) string {
	return fmt.Sprintf(`migrate -path %s -database "$DATABASE_URL" up`, dir)
}

func (golangMigrate) table(opts Options) pgx.Identifier {
	return tableRef(opts, "", "schema_migrations")
}

func (golangMigrate) fits(dir string, ents []os.DirEntry) bool {
	for _, e := range ents {
		if !e.IsDir() && golangMigrateName.MatchString(e.Name()) {
			return true
		}
	}
	return false
}

func (golangMigrate) readFolder(f *Folder) error {
	ents, err := os.ReadDir(f.Dir)
	if err != nil {
		return fmt.Errorf("reading golang-migrate migrations: %w", err)
	}
	for _, e := range ents {
		sub := golangMigrateName.FindStringSubmatch(e.Name())
		if e.IsDir() || sub == nil || sub[3] != "up" {
			continue
		}
		path := filepath.Join(f.Dir, e.Name())
		v, err := strconv.ParseUint(sub[1], 10, 64)
		if err != nil || v > 1<<63-1 {
			return fmt.Errorf("reading golang-migrate migration %s: version %s does not fit a bigint", path, sub[1])
		}
		for _, m := range f.Migrations {
			if m.Version == int64(v) {
				return fmt.Errorf("reading golang-migrate migrations: duplicate up migration for version %d: %s and %s", v, m.File, path)
			}
		}
		text, err := readFile(path)
		if err != nil {
			return err
		}
		f.Migrations = append(f.Migrations, &Migration{
			ID: strconv.FormatUint(v, 10), Name: sub[1] + "_" + sub[2], File: path, SQL: text, Version: int64(v),
		})
	}
	slices.SortFunc(f.Migrations, func(a, b *Migration) int { return cmpInt(a.Version, b.Version) })
	return nil
}

func (golangMigrate) readHistory(ctx context.Context, q Querier, ref pgx.Identifier, f *Folder, h *History) error {
	rs, err := readRows(ctx, q, sqlGolangMigrate, ref, h)
	if err != nil {
		return err
	}
	for _, r := range rs {
		version, ok := integer(r[0])
		if !ok {
			h.Unreadable = append(h.Unreadable, "version "+shown(r[0])+" is not a number")
			continue
		}
		h.Version = version
		h.Applied = append(h.Applied, &Applied{ID: strconv.FormatInt(version, 10), Version: version, Failed: boolean(r[1])})
	}
	return nil
}

func (d golangMigrate) compare(f *Folder, h *History) []*Finding {
	var out []*Finding
	var dirty bool
	if len(h.Applied) > 0 {
		dirty = h.Applied[0].Failed
	}
	prev := int64(-1)
	for _, m := range f.Migrations {
		switch {
		case m.Version > h.Version || h.Version < 0:
			hint := ""
			if dirty {
				hint = fmt.Sprintf("migrate refuses to run while the database is dirty at version %d: clear that first, then run %s", h.Version, d.command(f.Dir))
			}
			out = append(out, pending(f, m, hint))
		case m.Version == h.Version && dirty:
			out = append(out, failed(f, m, h.Applied[0], d.dirtyHint(f, m.File, h.Version, prev)))
		}
		prev = m.Version
	}
	if h.Version >= 0 && f.Find(strconv.FormatInt(h.Version, 10)) == nil {
		a := h.Applied[0]
		if a.Failed {
			out = append(out, failed(f, nil, a, d.dirtyHint(f, "it", h.Version, -1)))
		} else {
			out = append(out, unknown(f, a, a.ID, fmt.Sprintf("migration version %d (the version recorded in %s)", h.Version, h.Table)))
		}
	}
	return out
}

func (golangMigrate) dirtyHint(f *Folder, file string, version, prev int64) string {
	last := "the last version that fully applied"
	if prev >= 0 {
		last = strconv.FormatInt(prev, 10)
	}
	return fmt.Sprintf("migrate refuses to run (Dirty database version %d): finish or undo by hand what %s changed, then mark the version with migrate -path %s -database \"$DATABASE_URL\" force V, where V is %d if you finished it or %s if you undid it, and run up again", version, file, f.Dir, version, last)
}

// ledger is database/postgres's ensureVersionTable and SetVersion: the one
// row is replaced by (version, dirty = true) before a migration runs and by
// (version, dirty = false) once it ran.
func (golangMigrate) ledger(f *Folder, ref pgx.Identifier) *Ledger {
	t := ref.Sanitize()
	set := func(dirty string) func(m *Migration, _ int) string {
		return func(m *Migration, _ int) string {
			return "TRUNCATE " + t + ";\nINSERT INTO " + t + " (version, dirty) VALUES (" + int64Lit(m.Version) + ", " + dirty + ")"
		}
	}
	return &Ledger{Table: ref,
		Create: schemaOf(ref) + "CREATE TABLE IF NOT EXISTS " + t + " (version bigint NOT NULL PRIMARY KEY, dirty boolean NOT NULL)",
		Before: set("true"), After: set("false")}
}
