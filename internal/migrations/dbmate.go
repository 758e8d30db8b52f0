package migrations

import (
	"fmt"
	"github.com/jackc/pgx/v5"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
)

// dbmateFile is a dbmate migration's name: a version, an underscore, a name.
var dbmateFile = regexp.MustCompile(`^([0-9]+)_.*\.sql$`)

// dbmateDirective matches dbmate's section markers (pkg/dbmate/migration.go):
// "-- migrate:up" or "-- migrate:down", with options such as transaction:false.
var dbmateDirective = regexp.MustCompile(`^--\s*migrate:(up|down)\b(.*)$`)

// dbmate follows amacneil/dbmate: pkg/dbmate/db.go (the folder, db/migrations
// by default: files <version>_<name>.sql, applied in version order, which
// for dbmate's timestamps is name order; `dbmate up` runs every file whose
// version is not recorded) and pkg/dbmate/migration.go (the part of a file
// after "-- migrate:up" and before "-- migrate:down", in one transaction
// unless the up line says transaction:false). The history table is
// schema_migrations(version varchar(128) PRIMARY KEY) on the search_path.
// dbmate keeps no checksum and no failed state.
var dbmate = nameTool{
	name:  "schema_migrations",
	query: sqlDbmate,
	cmd:   func(dir string) string { return "dbmate --migrations-dir " + dir + " up" },
	fit: func(dir string, ents []os.DirEntry) bool {
		for _, e := range ents {
			if !e.Type().IsRegular() || !dbmateFile.MatchString(e.Name()) {
				continue
			}
			if b, err := os.ReadFile(filepath.Join(dir, e.Name())); err == nil && dbmateUpLine(string(b)) >= 0 {
				return true
			}
		}
		return false
	},
	list: func(f *Folder) error {
		if err := listFiles(f, func(file string) (string, string, bool) {
			sub := dbmateFile.FindStringSubmatch(file)
			if sub == nil {
				return "", "", false
			}
			return sub[1], strings.TrimSuffix(file, ".sql"), true
		}); err != nil {
			return err
		}
		slices.SortFunc(f.Migrations, func(a, b *Migration) int { return strings.Compare(a.Name, b.Name) })
		return nil
	},
	split: dbmateUp,
	// db.go's CreateMigrationsTable and InsertMigration, in the migration's
	// transaction.
	keep: func(ref pgx.Identifier) *Ledger {
		t := ref.Sanitize()
		return &Ledger{Table: ref,
			Create: schemaOf(ref) + "CREATE TABLE IF NOT EXISTS " + t + " (version varchar(128) PRIMARY KEY)",
			After: func(m *Migration, _ int) string {
				return "INSERT INTO " + t + " (version) VALUES (" + literal(m.ID) + ")"
			}}
	},
}

// dbmateUpLine returns the index in lines(text) of the "-- migrate:up"
// line; -1 when there is none.
func dbmateUpLine(text string) int {
	for i, l := range lines(text) {
		if d := dbmateDirective.FindStringSubmatch(strings.TrimSpace(l.text)); d != nil && d[1] == "up" {
			return i
		}
	}
	return -1
}

// dbmateUp is the up section of a dbmate migration, sent as one query.
func dbmateUp(m *Migration) (*Up, error) {
	u := &Up{Tx: true}
	start, end := -1, len(m.SQL)
	for _, l := range lines(m.SQL) {
		d := dbmateDirective.FindStringSubmatch(strings.TrimSpace(l.text))
		if d != nil && d[1] == "up" && start < 0 {
			start = l.off + len(l.text)
			u.Tx = !strings.Contains(d[2], "transaction:false")
		} else if d != nil && d[1] == "down" && start >= 0 {
			end = l.off
			break
		}
	}
	if start < 0 {
		return nil, fmt.Errorf("reading dbmate migration %s: no -- migrate:up section", m.File)
	}
	if strings.TrimSpace(m.SQL[start:end]) != "" {
		u.Statements = []Statement{{SQL: m.SQL[start:end], Off: start}}
	}
	return u, nil
}
