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

// supabase follows the Supabase CLI (supabase/cli): pkg/migration for the
// folder (supabase/migrations/<version>_<name>.sql, the version digits,
// 14 of them when `supabase migration new` writes it, files sorted by
// name; a file not named so is skipped) and for the history table
// supabase_migrations.schema_migrations(version text PRIMARY KEY,
// statements text[], name text), to which newer CLIs add created_by and
// idempotency_key. A migration ran when its version has a row: `supabase db
// push` applies every local version without one, each in one transaction
// that also inserts the row. It refuses to run while the table holds a
// version with no file ("Remote migration versions not found in local
// migrations directory"), and passes over a local version older than the
// newest one that ran unless --include-all. No checksum, no failed state.
//
// The layout alone is sqlx's too; the folder's context tells them apart:
// supabase/config.toml beside the migrations folder (or the folder being
// supabase/migrations) marks a Supabase project.
type supabase struct{}

var supabaseName = regexp.MustCompile(`^([0-9]+)_(.*)\.sql$`)

func (supabase) command(string) string { return `supabase db push --db-url "$DATABASE_URL"` }

func (supabase) table(opts Options) pgx.Identifier {
	return tableRef(opts, "supabase_migrations", "schema_migrations")
}

// fits: the layout, where the CLI keeps it; elsewhere the same files are
// only [supabase.alike].
func (d supabase) fits(dir string, ents []os.DirEntry) bool {
	return supabaseMarks(dir) && d.alike(dir, ents)
}

func (supabase) alike(dir string, ents []os.DirEntry) bool {
	return slices.ContainsFunc(ents, func(e os.DirEntry) bool { return e.Type().IsRegular() && supabaseName.MatchString(e.Name()) })
}

// marks reports that dir sits where the Supabase CLI keeps its migrations.
func supabaseMarks(dir string) bool {
	parent := filepath.Dir(filepath.Clean(dir))
	return isFile(filepath.Join(parent, "config.toml")) && filepath.Base(filepath.Clean(dir)) == "migrations" ||
		filepath.Base(parent) == "supabase" && filepath.Base(filepath.Clean(dir)) == "migrations"
}

func (supabase) readFolder(f *Folder) error {
	if err := listFiles(f, func(file string) (string, string, bool) {
		sub := supabaseName.FindStringSubmatch(file)
		if sub == nil {
			return "", "", false
		}
		return sub[1], strings.TrimSuffix(file, ".sql"), true
	}); err != nil {
		return err
	}
	slices.SortFunc(f.Migrations, func(a, b *Migration) int { return strings.Compare(a.File, b.File) })
	return nil
}

func (supabase) readHistory(ctx context.Context, q Querier, ref pgx.Identifier, f *Folder, h *History) error {
	query := sqlSupabase
	if ok, err := hasColumn(ctx, q, ref, "name"); err != nil {
		return err
	} else if !ok {
		query = sqlSupabaseUnnamed
	}
	rs, err := readRows(ctx, q, query, ref, h)
	if err != nil {
		return err
	}
	for _, r := range rs {
		h.Applied = append(h.Applied, &Applied{ID: text(r[0]), Detail: text(r[1])})
	}
	return nil
}

func (d supabase) compare(f *Folder, h *History) []*Finding {
	ran := map[string]bool{}
	newest := ""
	for _, a := range h.Applied {
		ran[a.ID] = true
		newest = max(newest, a.ID)
	}
	var out []*Finding
	for _, m := range f.Migrations {
		if ran[m.ID] {
			continue
		}
		hint := ""
		if m.ID < newest {
			hint = fmt.Sprintf("supabase db push passes over it: its version is older than %s, the newest that ran; apply it with supabase db push --include-all, or give it a newer version", newest)
		}
		out = append(out, pending(f, m, hint))
	}
	for _, a := range h.Applied {
		if f.Find(a.ID) != nil {
			continue
		}
		name := a.ID
		if a.Detail != "" {
			name += "_" + a.Detail
		}
		u := unknown(f, a, name, "migration "+a.ID)
		u.Hint = fmt.Sprintf("supabase db push stops with \"Remote migration versions not found in local migrations directory\": fetch the file from the branch that has it (supabase migration fetch), or once its changes are undone mark it with supabase migration repair --status reverted %s", a.ID)
		out = append(out, u)
	}
	return out
}

// up sends the file as one query, in the transaction that records it.
func (supabase) up(m *Migration) (*Up, error) {
	return &Up{Statements: []Statement{{SQL: m.SQL}}, Tx: true}, nil
}

// ledger is the CLI's CreateMigrationTable (the schema, the table, the
// columns added since) and the row of each migration: its version, name
// and statements (here the file, as one).
func (supabase) ledger(f *Folder, ref pgx.Identifier) *Ledger {
	t := ref.Sanitize()
	return &Ledger{Table: ref,
		Create: schemaOf(ref) + "CREATE TABLE IF NOT EXISTS " + t + " (version text NOT NULL PRIMARY KEY);\n" +
			"ALTER TABLE " + t + " ADD COLUMN IF NOT EXISTS statements text[];\n" +
			"ALTER TABLE " + t + " ADD COLUMN IF NOT EXISTS name text",
		After: func(m *Migration, _ int) string {
			_, name, _ := strings.Cut(m.Name, "_")
			return "INSERT INTO " + t + " (version, name, statements) VALUES (" + literal(m.ID) + ", " + literal(name) + ", ARRAY[" + literal(m.SQL) + "])"
		}}
}
