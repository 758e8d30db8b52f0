package migrations

import (
	"context"
	"crypto/sha512"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5"
)

// sqlx follows launchbadge/sqlx: sqlx-core/src/migrate/source.rs for the
// folder, sqlx-core/src/migrate/migration.rs for the checksum,
// sqlx-core/src/migrate/migrator.rs and sqlx-postgres/src/migrate.rs for
// what `sqlx migrate run` does.
//
// Files are <version>_<description>.sql, or .up.sql and .down.sql for
// reversible migrations; a file whose name has no "_" or does not end in
// .sql is ignored, one whose prefix is not an integer is an error. The
// checksum is SHA-384 of the file's text, kept as bytea. Every migration
// without a row runs, whatever its version; a row with success = false
// makes the run stop (a dirty, partly applied migration), as do a checksum
// that differs and a row without a file (unless --ignore-missing).
type sqlx struct{}

var sqlxName = regexp.MustCompile(`^[0-9]+_.+\.sql$`)

func (sqlx) command(dir string) string { return "sqlx migrate run --source " + dir }

func (sqlx) table(opts Options) pgx.Identifier {
	return tableRef(opts, "", "_sqlx_migrations")
}

func (sqlx) fits(dir string, ents []os.DirEntry) bool {
	for _, e := range ents {
		if e.IsDir() || !sqlxName.MatchString(e.Name()) {
			continue
		}
		b, err := sniff(filepath.Join(dir, e.Name()))
		if err == nil && !strings.Contains(strings.ToLower(string(b)), "+goose up") {
			return true
		}
	}
	return false
}

func (sqlx) readFolder(f *Folder) error {
	names, err := sqlFiles(f.Dir, ".sql")
	if err != nil {
		return err
	}
	for _, name := range names {
		ver, rest, ok := strings.Cut(name, "_")
		if !ok || strings.HasSuffix(rest, ".down.sql") {
			continue
		}
		path := filepath.Join(f.Dir, name)
		v, err := strconv.ParseInt(ver, 10, 64)
		if err != nil {
			return fmt.Errorf("reading sqlx migration %s: expected an integer version prefix (e.g. 01_foo.sql)", path)
		}
		for _, m := range f.Migrations {
			if m.Version == v {
				return fmt.Errorf("reading sqlx migrations: duplicate version %d in %s and %s", v, m.File, path)
			}
		}
		text, err := readFile(path)
		if err != nil {
			return err
		}
		sum := sha512.Sum384([]byte(text))
		f.Migrations = append(f.Migrations, &Migration{
			ID: strconv.FormatInt(v, 10), Name: strings.TrimSuffix(strings.TrimSuffix(name, ".sql"), ".up"),
			File: path, SQL: text, Version: v, Checksum: hex.EncodeToString(sum[:]),
		})
	}
	slices.SortFunc(f.Migrations, func(a, b *Migration) int { return cmpInt(a.Version, b.Version) })
	return nil
}

func (sqlx) readHistory(ctx context.Context, q Querier, ref pgx.Identifier, f *Folder, h *History) error {
	rs, err := readRows(ctx, q, sqlSqlx, ref, h)
	if err != nil {
		return err
	}
	for _, r := range rs {
		version, ok := integer(r[0])
		if !ok {
			h.Unreadable = append(h.Unreadable, "version "+shown(r[0])+" is not a number")
			continue
		}
		h.Applied = append(h.Applied, &Applied{
			ID: strconv.FormatInt(version, 10), Version: version, Checksum: text(r[3]), null: r[3] == nil, Failed: !boolean(r[2]), Detail: text(r[1]),
		})
	}
	return nil
}

func (d sqlx) compare(f *Folder, h *History) []*Finding {
	var out []*Finding
	for _, m := range f.Migrations {
		var a *Applied
		for _, x := range h.Applied {
			if x.ID == m.ID {
				a = x
			}
		}
		switch {
		case a == nil:
			out = append(out, pending(f, m, ""))
		case a.Failed:
			out = append(out, failed(f, m, a, d.dirtyHint(f, h.Table, m.File, a.Version)))
		case a.Checksum != m.Checksum:
			out = append(out, modified(f, m, a, fmt.Sprintf("sqlx migrate run stops with \"migration %d was previously applied but has been modified\": restore %s to the text that ran and put the change in a new migration (sqlx migrate add)", m.Version, m.File)))
		}
	}
	for _, a := range h.Applied {
		switch {
		case f.Find(a.ID) != nil:
		case a.Failed:
			out = append(out, failed(f, nil, a, d.dirtyHint(f, h.Table, "it", a.Version)))
		default:
			out = append(out, unknown(f, a, fmt.Sprintf("%d_%s", a.Version, strings.ReplaceAll(a.Detail, " ", "_")), fmt.Sprintf("migration %d (%s)", a.Version, a.Detail)))
		}
	}
	return out
}

func (sqlx) dirtyHint(f *Folder, table, file string, version int64) string {
	return fmt.Sprintf("sqlx migrate run stops at a dirty migration: finish or undo by hand what %s changed, delete its row (DELETE FROM %s WHERE version = %d), then run sqlx migrate run --source %s", file, table, version, f.Dir)
}

// ledger is sqlx-postgres's ensure_migrations_table and the row apply
// inserts, in the migration's transaction.
func (sqlx) ledger(f *Folder, ref pgx.Identifier) *Ledger {
	t := ref.Sanitize()
	return &Ledger{Table: ref,
		Create: schemaOf(ref) + "CREATE TABLE IF NOT EXISTS " + t + " (version bigint PRIMARY KEY, description text NOT NULL, installed_on timestamptz NOT NULL DEFAULT now(), success boolean NOT NULL, checksum bytea NOT NULL, execution_time bigint NOT NULL)",
		After: func(m *Migration, _ int) string {
			_, desc, _ := strings.Cut(m.Name, "_")
			return "INSERT INTO " + t + " (version, description, success, checksum, execution_time) VALUES (" +
				int64Lit(m.Version) + ", " + literal(strings.ReplaceAll(desc, "_", " ")) + ", true, decode(" + literal(m.Checksum) + ", 'hex'), -1)"
		}}
}
