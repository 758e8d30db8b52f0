package migrations

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5"
)

// goose follows pressly/goose v3: migration.go (NumericComponent) and
// migrate.go (collectMigrationsFS, EnsureDBVersionContext) for the folder and
// the current version, up.go (UpToContext, findMissingMigrations) for what
// `goose up` runs, internal/dialects/postgres.go for the table.
//
// Files are <version>_<name>.sql (or .go), the version a positive integer
// (sequential or a timestamp); every .sql file of the folder must be named so.
// goose_db_version(id, version_id, is_applied, tstamp) gets a row for version
// 0 when it is created and a row per migration that ran; for each version the
// newest row (highest id) says whether it is applied. goose keeps no
// checksum and runs each migration in its own transaction, so it has no
// failed state to read.
type goose struct{}

func (goose) command(dir string) string {
	return fmt.Sprintf(`goose -dir %s postgres "$DATABASE_URL" up`, dir)
}

func (goose) table(opts Options) pgx.Identifier {
	return tableRef(opts, "", "goose_db_version")
}

func (goose) fits(dir string, ents []os.DirEntry) bool {
	for _, e := range ents {
		if e.IsDir() || !strings.HasSuffix(e.Name(), ".sql") {
			continue
		}
		if _, err := gooseVersion(e.Name()); err != nil {
			continue
		}
		b, err := sniff(filepath.Join(dir, e.Name()))
		if err == nil && strings.Contains(strings.ToLower(string(b)), "+goose up") {
			return true
		}
	}
	return false
}

// gooseVersion is NumericComponent: the digits before the first "_" of
// a .sql or .go file name, greater than zero.
func gooseVersion(name string) (int64, error) {
	ext := filepath.Ext(name)
	if ext != ".sql" && ext != ".go" {
		return 0, errors.New("migration file does not have .sql or .go file extension")
	}
	before, _, ok := strings.Cut(name, "_")
	if !ok {
		return 0, errors.New("no filename separator '_' found")
	}
	n, err := strconv.ParseInt(before, 10, 64)
	if err != nil {
		return 0, fmt.Errorf("version %q is not a number", before)
	}
	if n < 1 {
		return 0, errors.New("migration version must be greater than zero")
	}
	return n, nil
}

func (goose) readFolder(f *Folder) error {
	names, err := sqlFiles(f.Dir, ".sql", ".go")
	if err != nil {
		return err
	}
	for _, name := range names {
		path := filepath.Join(f.Dir, name)
		v, err := gooseVersion(name)
		if err != nil {
			if strings.HasSuffix(name, ".go") {
				continue // goose registers only Go files named like migrations
			}
			return fmt.Errorf("reading goose migration %s: %w", path, err)
		}
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		for _, m := range f.Migrations {
			if m.Version == v {
				return fmt.Errorf("reading goose migrations: duplicate version %d in %s and %s", v, m.File, path)
			}
		}
		text, err := readFile(path)
		if err != nil {
			return err
		}
		f.Migrations = append(f.Migrations, &Migration{
			ID: strconv.FormatInt(v, 10), Name: strings.TrimSuffix(name, filepath.Ext(name)), File: path, SQL: text, Version: v,
		})
	}
	slices.SortFunc(f.Migrations, func(a, b *Migration) int { return cmpInt(a.Version, b.Version) })
	return nil
}

func cmpInt(a, b int64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

func (goose) readHistory(ctx context.Context, q Querier, ref pgx.Identifier, f *Folder, h *History) error {
	rs, err := readRows(ctx, q, sqlGoose, ref, h)
	if err != nil {
		return err
	}
	seen := map[int64]bool{}
	for _, r := range rs { // newest first: the first row of a version decides
		version, ok := integer(r[0])
		if !ok {
			h.Unreadable = append(h.Unreadable, "version_id "+shown(r[0])+" is not a number")
			continue
		}
		if seen[version] || version == 0 {
			continue
		}
		seen[version] = true
		a := &Applied{ID: strconv.FormatInt(version, 10), Version: version}
		if !boolean(r[1]) {
			a.kind = "unapplied"
		}
		h.Applied = append(h.Applied, a)
	}
	slices.SortFunc(h.Applied, func(a, b *Applied) int { return cmpInt(a.Version, b.Version) })
	return nil
}

func (d goose) compare(f *Folder, h *History) []*Finding {
	var current int64
	state := map[int64]string{}
	for _, a := range h.Applied {
		state[a.Version] = a.kind
		if a.kind == "" {
			current = max(current, a.Version)
		}
	}
	var out []*Finding
	for _, m := range f.Migrations {
		kind, ok := state[m.Version]
		switch {
		case ok && kind == "":
			continue
		case ok:
			out = append(out, pending(f, m, fmt.Sprintf("goose up will skip it: the newest row for version %d in %s says is_applied = false (rolled back by an old goose), and goose up counts any row as applied; delete the rows of version %d, then run %s", m.Version, h.Table, m.Version, d.command(f.Dir))))
		case m.Version < current:
			out = append(out, pending(f, m, fmt.Sprintf("goose up refuses to run while version %d is older than the current version %d (a missing, out-of-order migration): run goose -dir %s -allow-missing postgres \"$DATABASE_URL\" up", m.Version, current, f.Dir)))
		default:
			out = append(out, pending(f, m, ""))
		}
	}
	for _, a := range h.Applied {
		if a.kind == "" && f.Find(a.ID) == nil {
			out = append(out, unknown(f, a, a.ID, "migration version "+a.ID))
		}
	}
	return out
}

// gooseAnnotation reads a "-- +goose ..." line: the annotation, upper-cased,
// or "".
func gooseAnnotation(l string) string {
	rest, ok := strings.CutPrefix(strings.TrimSpace(l), "--")
	if !ok {
		return ""
	}
	rest, ok = strings.CutPrefix(strings.TrimSpace(rest), "+goose ")
	if !ok {
		return ""
	}
	return strings.ToUpper(strings.Join(strings.Fields(rest), " "))
}

// up cuts the Up part of a goose SQL migration into the statements
// goose sends (pressly/goose internal/sqlparser): a statement ends at a line
// that ends with a semicolon, or at StatementEnd when it began with
// StatementBegin; each is a query of its own, all in one transaction unless
// the file says NO TRANSACTION.
func (goose) up(m *Migration) (*Up, error) {
	if strings.HasSuffix(m.File, ".go") {
		return nil, fmt.Errorf("applying goose migration %s: a Go migration is code, not SQL", m.File)
	}
	u := &Up{Tx: true}
	text := m.SQL
	up, inBlock, seenUp := false, false, false
	start := -1 // offset where the current statement starts
	flush := func(end int) {
		if start >= 0 && strings.TrimSpace(text[start:end]) != "" {
			u.Statements = append(u.Statements, Statement{SQL: text[start:end], Off: start})
		}
		start = -1
	}
	for _, l := range lines(text) {
		end := l.off + len(l.text)
		switch a := gooseAnnotation(l.text); {
		case a == "UP":
			flush(l.off)
			up, seenUp = true, true
			continue
		case a == "DOWN":
			flush(l.off)
			up = false
			continue
		case a == "NO TRANSACTION":
			u.Tx = false
			continue
		case a == "STATEMENTBEGIN":
			flush(l.off)
			inBlock = true
			continue
		case a == "STATEMENTEND":
			if up {
				flush(l.off)
			}
			inBlock = false
			continue
		case a != "":
			continue // ENVSUB ON/OFF and the like
		}
		if !up {
			continue
		}
		if start < 0 {
			if strings.TrimSpace(l.text) == "" || strings.HasPrefix(strings.TrimSpace(l.text), "--") {
				continue
			}
			start = l.off
		}
		if !inBlock && strings.HasSuffix(strings.TrimSpace(stripLineComment(l.text)), ";") {
			flush(end)
		}
	}
	if up {
		flush(len(text))
	}
	if !seenUp {
		return nil, fmt.Errorf("reading goose migration %s: no -- +goose Up annotation", m.File)
	}
	return u, nil
}

// stripLineComment removes a trailing -- comment outside quotes, as goose
// does before looking for the semicolon.
func stripLineComment(l string) string {
	inQuote := byte(0)
	for i := 0; i < len(l); i++ {
		c := l[i]
		switch {
		case inQuote != 0:
			if c == inQuote {
				inQuote = 0
			}
		case c == '\'' || c == '"':
			inQuote = c
		case c == '-' && i+1 < len(l) && l[i+1] == '-':
			return l[:i]
		}
	}
	return l
}

// ledger is the postgres dialect's CreateTable (and the version 0 row
// goose inserts with it) and InsertVersion.
func (goose) ledger(f *Folder, ref pgx.Identifier) *Ledger {
	t := ref.Sanitize()
	return &Ledger{Table: ref,
		Create: schemaOf(ref) + "CREATE TABLE " + t + " (id integer PRIMARY KEY GENERATED BY DEFAULT AS IDENTITY, version_id bigint NOT NULL, is_applied boolean NOT NULL, tstamp timestamp NOT NULL DEFAULT now());\n" +
			"INSERT INTO " + t + " (version_id, is_applied) VALUES (0, true)",
		After: func(m *Migration, _ int) string {
			return "INSERT INTO " + t + " (version_id, is_applied) VALUES (" + int64Lit(m.Version) + ", true)"
		}}
}
