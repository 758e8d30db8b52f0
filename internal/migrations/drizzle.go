package migrations

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/rbacdrift/rbacdrift/internal/safefile"
)

// drizzle follows drizzle-orm's migrator (drizzle-orm/src/migrator.ts,
// readMigrationFiles, and drizzle-orm/src/pg-core/dialect.ts, migrate; on the
// beta branch drizzle-orm/src/migrator.utils.ts and pg-core/async/session.ts),
// which `drizzle-kit migrate` runs.
//
// Journal layout (drizzle-kit before 1.0): meta/_journal.json lists entries
// {idx, version, when, tag, breakpoints} and each migration is <tag>.sql. The
// migrator selects the row with the newest created_at (ORDER BY created_at
// DESC LIMIT 1, so a NULL sorts first and counts as 0) and runs every entry
// whose when is greater, recording hash = SHA-256 hex of the file and
// created_at = when. It never looks at hashes, so an entry whose when is not
// newer than the newest row is skipped for good.
//
// Folder layout (drizzle-kit 1.0): one folder <YYYYMMDDHHMMSS>_<name> per
// migration holding migration.sql (and snapshot.json); the table gains a name
// column and the migrator runs every folder whose name is not recorded.
type drizzle struct{}

const (
	drizzleSchema = "drizzle"
	drizzleTable  = "__drizzle_migrations"
)

func (drizzle) command(string) string { return "npx drizzle-kit migrate" }

func (drizzle) table(opts Options) pgx.Identifier {
	return tableRef(opts, drizzleSchema, drizzleTable)
}

func (drizzle) fits(dir string, ents []os.DirEntry) bool {
	if _, err := os.Stat(filepath.Join(dir, "meta", "_journal.json")); err == nil {
		return true
	}
	for _, e := range ents {
		if e.IsDir() && isFile(filepath.Join(dir, e.Name(), "migration.sql")) && isFile(filepath.Join(dir, e.Name(), "snapshot.json")) {
			return true
		}
	}
	return false
}

func isFile(path string) bool {
	st, err := os.Stat(path)
	return err == nil && st.Mode().IsRegular()
}

// A drizzleJournal is meta/_journal.json.
type drizzleJournal struct {
	Version string `json:"version"`
	Dialect string `json:"dialect"`
	Entries []struct {
		Idx         int    `json:"idx"`
		Version     string `json:"version"`
		When        int64  `json:"when"`
		Tag         string `json:"tag"`
		Breakpoints bool   `json:"breakpoints"`
	} `json:"entries"`
}

func (drizzle) readFolder(f *Folder) error {
	jpath := filepath.Join(f.Dir, "meta", "_journal.json")
	b, err := safefile.ReadFile(jpath, safefile.MaxSchema, "a drizzle journal")
	if errors.Is(err, fs.ErrNotExist) {
		f.Layout = "folders"
		return drizzleFolders(f)
	}
	if err != nil {
		return fmt.Errorf("reading drizzle journal: %w", err)
	}
	f.Layout = "journal"
	var j drizzleJournal
	if err := json.Unmarshal(b, &j); err != nil {
		var syn *json.SyntaxError
		if errors.As(err, &syn) {
			return fmt.Errorf("reading drizzle journal %s:%d: %w", jpath, 1+bytes.Count(b[:syn.Offset], []byte("\n")), err)
		}
		return fmt.Errorf("reading drizzle journal %s: %w", jpath, err)
	}
	for i, e := range j.Entries {
		if e.Tag == "" {
			return fmt.Errorf("reading drizzle journal %s: entry %d has no tag", jpath, i)
		}
		path := filepath.Join(f.Dir, e.Tag+".sql")
		b, err := safefile.ReadFileIn(f.Dir, e.Tag+".sql", safefile.MaxMigration, "a migration")
		text := string(b)
		if err != nil {
			return fmt.Errorf("drizzle journal %s names %s: %w", jpath, e.Tag, err)
		}
		if f.Find(e.Tag) != nil {
			return fmt.Errorf("reading drizzle journal %s: tag %s appears twice", jpath, e.Tag)
		}
		f.Migrations = append(f.Migrations, &Migration{
			ID: e.Tag, Name: e.Tag, File: path, SQL: text, When: e.When,
			Checksum: sha256Hex(text),
			// drizzle-orm releases that normalise CRLF to LF before hashing
			// record the hash of the normalised text.
			accept: []string{sha256Hex(strings.ReplaceAll(text, "\r\n", "\n"))},
		})
	}
	return nil
}

// drizzleFolders reads drizzle-kit 1.0's layout: folders sorted by name, each
// with migration.sql, its time taken from the first 14 digits of the name.
func drizzleFolders(f *Folder) error {
	ents, err := os.ReadDir(f.Dir)
	if err != nil {
		return fmt.Errorf("reading drizzle migrations: %w", err)
	}
	for _, e := range ents {
		path := filepath.Join(f.Dir, e.Name(), "migration.sql")
		if !e.IsDir() || !isFile(path) {
			continue
		}
		text, err := readFile(path)
		if err != nil {
			return err
		}
		when, err := drizzleMillis(e.Name())
		if err != nil {
			return fmt.Errorf("reading drizzle migration %s: %w", path, err)
		}
		f.Migrations = append(f.Migrations, &Migration{
			ID: e.Name(), Name: e.Name(), File: path, SQL: text, When: when, Checksum: sha256Hex(text),
		})
	}
	slices.SortFunc(f.Migrations, func(a, b *Migration) int { return strings.Compare(a.Name, b.Name) })
	if len(f.Migrations) == 0 {
		return fmt.Errorf("reading drizzle migrations: %s has neither meta/_journal.json nor migration folders", f.Dir)
	}
	return nil
}

// drizzleMillis is drizzle's formatToMillis: the folder name's leading
// YYYYMMDDHHMMSS as UTC milliseconds.
func drizzleMillis(name string) (int64, error) {
	if len(name) < 14 {
		return 0, fmt.Errorf("folder name %q does not start with a YYYYMMDDHHMMSS timestamp", name)
	}
	t, err := time.Parse("20060102150405", name[:14])
	if err != nil {
		return 0, fmt.Errorf("folder name %q does not start with a YYYYMMDDHHMMSS timestamp", name)
	}
	return t.UnixMilli(), nil
}

func sha256Hex(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:])
}

func (drizzle) readHistory(ctx context.Context, q Querier, ref pgx.Identifier, f *Folder, h *History) error {
	named, err := hasColumn(ctx, q, ref, "name")
	if err != nil {
		return err
	}
	query := sqlDrizzle
	if named {
		query = sqlDrizzleNamed
	}
	rs, err := readRows(ctx, q, query, ref, h)
	if err != nil {
		return err
	}
	for _, r := range rs {
		hash := text(r[0])
		// created_at is a bigint; one that is NULL or not a number counts
		// as NULL, first in ORDER BY created_at DESC.
		when, hasWhen := integer(r[1])
		a := &Applied{Checksum: hash, null: r[0] == nil, Detail: "hash " + shown(r[0]), nullWhen: !hasWhen}
		if r[0] != nil {
			a.Detail = "hash " + hash
		}
		if hasWhen {
			a.When = when
			a.Detail = fmt.Sprintf("created_at %d, %s", a.When, a.Detail)
		}
		switch {
		case r[2] != nil:
			a.ID = text(r[2])
		default:
			a.ID = drizzleMatch(f, a, hasWhen)
		}
		h.Applied = append(h.Applied, a)
	}
	return nil
}

// drizzleMatch names a row without a name: the migration whose when is its
// created_at, else the one whose hash it has.
func drizzleMatch(f *Folder, a *Applied, hasWhen bool) string {
	if hasWhen {
		for _, m := range f.Migrations {
			if m.When == a.When {
				return m.ID
			}
		}
	}
	for _, m := range f.Migrations {
		if m.matches(a.Checksum) {
			return m.ID
		}
	}
	return ""
}

func (m *Migration) matches(sum string) bool {
	return sum == m.Checksum || slices.Contains(m.accept, sum)
}

func (drizzle) compare(f *Folder, h *History) []*Finding {
	// The journal-layout migrator's cut-off: the created_at of the first row
	// of ORDER BY created_at DESC, where NULL comes first and counts as 0.
	var newest int64
	var newestNull bool
	for _, a := range h.Applied {
		newestNull = newestNull || a.nullWhen
		newest = max(newest, a.When)
	}
	if newestNull {
		newest = 0
	}
	var out []*Finding
	for _, m := range f.Migrations {
		var a *Applied
		for _, x := range h.Applied {
			if x.ID == m.ID {
				a = x
				break
			}
		}
		if a == nil {
			hint := ""
			if f.Layout == "journal" && len(h.Applied) > 0 && m.When <= newest {
				hint = fmt.Sprintf("drizzle-kit migrate will skip it: it runs only journal entries whose \"when\" is newer than the newest created_at in %s (%d), and this entry's is %d (it was probably merged after a newer migration ran). Give the entry a \"when\" above %d in meta/_journal.json, or apply %s by hand and insert its row (hash %s, created_at %d)",
					h.Table, newest, m.When, newest, m.File, m.Checksum, m.When)
			}
			out = append(out, pending(f, m, hint))
			continue
		}
		if !m.matches(a.Checksum) {
			out = append(out, modified(f, m, a, fmt.Sprintf("drizzle never re-runs a migration: restore %s to the text that ran (git log -p %s) and put the change in a new migration (npx drizzle-kit generate)", m.File, m.File)))
		}
	}
	for _, a := range h.Applied {
		if a.ID == "" || f.Find(a.ID) == nil {
			name, what := a.ID, "migration "+a.ID
			if a.ID == "" {
				name, what = fmt.Sprintf("created_at=%d", a.When), "a migration with "+a.Detail
			}
			out = append(out, unknown(f, a, name, what))
		}
	}
	return out
}

// drizzleBreakpoint separates the statements of a drizzle-kit migration;
// drizzle-orm's migrator (readMigrationFiles) splits the file at it and runs
// each part as a query of its own.
const drizzleBreakpoint = "--> statement-breakpoint"

// up cuts a drizzle-kit migration at its breakpoints, as drizzle-orm's
// migrator (readMigrationFiles) does.
func (drizzle) up(m *Migration) (*Up, error) {
	return &Up{Statements: drizzleStatements(m.SQL)}, nil
}

func drizzleStatements(text string) []Statement {
	var out []Statement
	off := 0
	for {
		i := strings.Index(text[off:], drizzleBreakpoint)
		end := len(text)
		if i >= 0 {
			end = off + i
		}
		if strings.TrimSpace(text[off:end]) != "" {
			out = append(out, Statement{SQL: text[off:end], Off: off})
		}
		if i < 0 {
			return out
		}
		off = end + len(drizzleBreakpoint)
	}
}

// ledger is drizzle-orm's pg dialect migrate(): the schema and table made
// if missing, then one row of (hash, created_at) per migration, in the one
// transaction of every migration; drizzle-kit 1.0 also records the name.
func (drizzle) ledger(f *Folder, ref pgx.Identifier) *Ledger {
	t := ref.Sanitize()
	named := f.Layout == "folders"
	create := schemaOf(ref) + "CREATE TABLE IF NOT EXISTS " + t + " (id SERIAL PRIMARY KEY, hash text NOT NULL, created_at bigint"
	if named {
		create += ", name text"
	}
	return &Ledger{Table: ref, Create: create + ")",
		After: func(m *Migration, _ int) string {
			if named {
				return "INSERT INTO " + t + " (hash, created_at, name) VALUES (" + literal(m.Checksum) + ", " + int64Lit(m.When) + ", " + literal(m.Name) + ")"
			}
			return "INSERT INTO " + t + " (hash, created_at) VALUES (" + literal(m.Checksum) + ", " + int64Lit(m.When) + ")"
		}}
}
