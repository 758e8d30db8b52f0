package migrations

import (
	"context"
	"fmt"
	"hash/crc32"
	"io/fs"
	"math/big"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5"
)

// flyway follows Flyway's core (flyway/flyway, flyway-core): the checksum of
// org/flywaydb/core/internal/resolver/ChecksumCalculator.java, the names of
// MigrationInfoHelper and MigrationVersion, and flyway_schema_history as
// migrate and validate read it.
//
// Versioned migrations are V<version>__<description>.sql, the version's
// parts separated by "." or "_" and compared as numbers (1.0 equals 1);
// repeatable ones are R__<description>.sql, run after the versioned ones, by
// description, and again whenever their checksum changes. The location is
// scanned recursively. The checksum is CRC-32, as a signed 32-bit integer,
// of the file's lines (split at CRLF, LF or CR) without their terminators,
// the first line without a byte order mark. A BASELINE row makes every
// version at or below it count as applied; an UNDO_SQL or DELETE row undoes
// the row of its version; a row with success = false is a failed migration,
// which `flyway migrate` refuses to pass until `flyway repair`.
type flyway struct{}

var flywayName = regexp.MustCompile(`^(V|R)(.*?)__(.+)\.sql$`)

func (flyway) command(dir string) string {
	return fmt.Sprintf("flyway -locations=filesystem:%s migrate", dir)
}

func (flyway) table(opts Options) pgx.Identifier {
	return tableRef(opts, "", "flyway_schema_history")
}

func (flyway) fits(dir string, ents []os.DirEntry) bool {
	for _, e := range ents {
		if !e.IsDir() && flywayName.MatchString(e.Name()) {
			return true
		}
	}
	return false
}

func (flyway) readFolder(f *Folder) error {
	err := filepath.WalkDir(f.Dir, func(path string, e fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		sub := flywayName.FindStringSubmatch(e.Name())
		if e.IsDir() || sub == nil {
			return nil
		}
		text, err := readFile(path)
		if err != nil {
			return err
		}
		m := &Migration{
			Name: strings.TrimSuffix(e.Name(), ".sql"), File: path, SQL: text,
			Checksum: strconv.FormatInt(int64(flywayChecksum(text)), 10),
		}
		desc := strings.ReplaceAll(sub[3], "_", " ")
		if sub[1] == "R" {
			if sub[2] != "" {
				return fmt.Errorf("reading flyway migration %s: a repeatable migration has no version", path)
			}
			m.Repeatable, m.ID = true, desc
		} else {
			v, err := flywayVersion(sub[2])
			if err != nil {
				return fmt.Errorf("reading flyway migration %s: %w", path, err)
			}
			m.version, m.ID = v, flywayVersionText(v)
		}
		for _, o := range f.Migrations {
			if o.ID == m.ID && o.Repeatable == m.Repeatable {
				return fmt.Errorf("reading flyway migrations: %s and %s have the same version or description %s", o.File, path, m.ID)
			}
		}
		f.Migrations = append(f.Migrations, m)
		return nil
	})
	if err != nil {
		return fmt.Errorf("reading flyway migrations: %w", err)
	}
	slices.SortFunc(f.Migrations, func(a, b *Migration) int {
		switch {
		case a.Repeatable != b.Repeatable:
			if a.Repeatable {
				return 1
			}
			return -1
		case a.Repeatable:
			return strings.Compare(a.ID, b.ID)
		}
		return flywayCompare(a.version, b.version)
	})
	return nil
}

// flywayChecksum is ChecksumCalculator.calculateChecksumForResource.
func flywayChecksum(text string) int32 {
	text = strings.TrimPrefix(text, "\uFEFF")
	crc := crc32.NewIEEE()
	for len(text) > 0 {
		i := strings.IndexAny(text, "\r\n")
		if i < 0 {
			crc.Write([]byte(text))
			break
		}
		crc.Write([]byte(text[:i]))
		if strings.HasPrefix(text[i:], "\r\n") {
			i++
		}
		text = text[i+1:]
	}
	return int32(crc.Sum32())
}

// flywayVersion parses a version as MigrationVersion does: "_" means ".",
// each part a non-negative integer.
func flywayVersion(s string) ([]int64, error) {
	if s == "" {
		return nil, fmt.Errorf("no version after V")
	}
	var out []int64
	for _, p := range strings.Split(strings.ReplaceAll(s, "_", "."), ".") {
		n, ok := new(big.Int).SetString(p, 10)
		if !ok || n.Sign() < 0 || !n.IsInt64() {
			return nil, fmt.Errorf("version %q is not dotted numbers", s)
		}
		out = append(out, n.Int64())
	}
	// Trailing zero parts do not change a version: 1.0 is 1.
	for len(out) > 1 && out[len(out)-1] == 0 {
		out = out[:len(out)-1]
	}
	return out, nil
}

func flywayVersionText(v []int64) string {
	s := make([]string, len(v))
	for i, n := range v {
		s[i] = strconv.FormatInt(n, 10)
	}
	return strings.Join(s, ".")
}

func flywayCompare(a, b []int64) int {
	for i := range max(len(a), len(b)) {
		var x, y int64
		if i < len(a) {
			x = a[i]
		}
		if i < len(b) {
			y = b[i]
		}
		if c := cmpInt(x, y); c != 0 {
			return c
		}
	}
	return 0
}

func (flyway) readHistory(ctx context.Context, q Querier, ref pgx.Identifier, f *Folder, h *History) error {
	rs, err := readRows(ctx, q, sqlFlyway, ref, h)
	if err != nil {
		return err
	}
	for _, r := range rs {
		rank, version, kind := text(r[0]), r[1], text(r[3])
		if kind == "SCHEMA" {
			continue
		}
		a := &Applied{ID: text(r[2]), Failed: !boolean(r[6]), Detail: text(r[4]), kind: kind, repeatable: version == nil}
		if r[5] != nil {
			sum, ok := integer(r[5])
			if !ok {
				// Flyway's checksum is an integer; anything else matches no file.
				a.Checksum = text(r[5])
			} else {
				a.Checksum = strconv.FormatInt(sum, 10)
			}
		}
		if version != nil {
			v, err := flywayVersion(text(version))
			if err != nil {
				h.Unreadable = append(h.Unreadable, fmt.Sprintf("installed_rank %s: %v", rank, err))
				continue
			}
			a.ID = flywayVersionText(v)
		}
		h.Applied = append(h.Applied, a)
	}
	return nil
}

// flywayState is what the history says of one version or description: the
// newest row that applied, failed or undid it.
func flywayState(h *History, id string, repeatable bool) *Applied {
	var last *Applied
	for _, a := range h.Applied {
		if a.ID != id || a.kind == "BASELINE" || flywayRepeatableRow(a) != repeatable {
			continue
		}
		last = a
	}
	if last != nil && (last.kind == "DELETE" || strings.HasPrefix(last.kind, "UNDO")) {
		return nil
	}
	return last
}

// flywayRepeatableRow: a repeatable migration's row has no version; its ID
// is its description.
func flywayRepeatableRow(a *Applied) bool { return a.repeatable }

func (d flyway) compare(f *Folder, h *History) []*Finding {
	var baseline, current []int64
	for _, a := range h.Applied {
		if a.repeatable {
			continue
		}
		v, err := flywayVersion(a.ID)
		if err != nil {
			continue
		}
		if a.kind == "BASELINE" {
			baseline = v
		}
		if !a.Failed && flywayCompare(v, current) > 0 {
			current = v
		}
	}
	var out []*Finding
	for _, m := range f.Migrations {
		a := flywayState(h, m.ID, m.Repeatable)
		switch {
		case a == nil && !m.Repeatable && baseline != nil && flywayCompare(m.version, baseline) <= 0:
			// below the baseline: Flyway counts it as applied
		case a == nil && !m.Repeatable && flywayCompare(m.version, current) < 0:
			out = append(out, pending(f, m, fmt.Sprintf("flyway migrate will stop at validation: version %s is older than the current version %s (an ignored, out-of-order migration); run flyway -locations=filesystem:%s -outOfOrder=true migrate", m.ID, flywayVersionText(current), f.Dir)))
		case a == nil:
			out = append(out, pending(f, m, ""))
		case a.Failed:
			out = append(out, failed(f, m, a, fmt.Sprintf("flyway migrate refuses to continue past a failed migration: undo what %s half applied, run flyway -locations=filesystem:%s repair to remove the failed row, then %s", m.File, f.Dir, d.command(f.Dir))))
		case m.Checksum != a.Checksum && m.Repeatable:
			p := pending(f, m, fmt.Sprintf("it changed since it last ran (checksum %s, now %s): %s runs it again", a.Checksum, m.Checksum, d.command(f.Dir)))
			p.Applied = a
			p.Message = fmt.Sprintf("repeatable migration %s changed since it last ran: the database has the old version", m.Name)
			out = append(out, p)
		case m.Checksum != a.Checksum:
			out = append(out, modified(f, m, a, fmt.Sprintf("flyway migrate fails validation with a checksum mismatch: restore %s to the text that ran and put the change in a new version; only if the change is cosmetic, run flyway -locations=filesystem:%s repair to record the new checksum", m.File, f.Dir)))
		}
	}
	for _, a := range h.Applied {
		if a.kind == "BASELINE" || a.kind == "DELETE" || strings.HasPrefix(a.kind, "UNDO") {
			continue
		}
		rep := flywayRepeatableRow(a)
		if flywayState(h, a.ID, rep) != a {
			continue // superseded by a newer row for the same migration
		}
		found := false
		for _, m := range f.Migrations {
			found = found || m.ID == a.ID && m.Repeatable == rep
		}
		switch {
		case found:
		case a.Failed:
			out = append(out, failed(f, nil, a, fmt.Sprintf("flyway migrate refuses to continue past a failed migration: undo what %s half applied, then run flyway -locations=filesystem:%s repair", a.Detail, f.Dir)))
		default:
			out = append(out, unknown(f, a, strings.TrimSuffix(path.Base(a.Detail), ".sql"), fmt.Sprintf("migration %s (%s)", a.ID, a.Detail)))
		}
	}
	return out
}

// ledger is Flyway's createMetaDataTable.sql for PostgreSQL and the row it
// inserts for each migration (type SQL, the script's path in the location).
func (flyway) ledger(f *Folder, ref pgx.Identifier) *Ledger {
	t := ref.Sanitize()
	name := ref[len(ref)-1]
	return &Ledger{Table: ref,
		Create: schemaOf(ref) + "CREATE TABLE " + t + ` ("installed_rank" integer NOT NULL, "version" varchar(50), "description" varchar(200) NOT NULL,
  "type" varchar(20) NOT NULL, "script" varchar(1000) NOT NULL, "checksum" integer, "installed_by" varchar(100) NOT NULL,
  "installed_on" timestamp NOT NULL DEFAULT now(), "execution_time" integer NOT NULL, "success" boolean NOT NULL);
ALTER TABLE ` + t + " ADD CONSTRAINT " + pgx.Identifier{name + "_pk"}.Sanitize() + ` PRIMARY KEY ("installed_rank");
CREATE INDEX ` + pgx.Identifier{name + "_s_idx"}.Sanitize() + " ON " + t + ` ("success")`,
		After: func(m *Migration, i int) string {
			version, desc := "NULL", m.ID
			if !m.Repeatable {
				version = literal(m.ID)
				if _, d, ok := strings.Cut(m.Name, "__"); ok {
					desc = strings.ReplaceAll(d, "_", " ")
				}
			}
			script, err := filepath.Rel(f.Dir, m.File)
			if err != nil {
				script = filepath.Base(m.File)
			}
			return "INSERT INTO " + t + ` ("installed_rank", "version", "description", "type", "script", "checksum", "installed_by", "execution_time", "success") VALUES (` +
				strconv.Itoa(i+1) + ", " + version + ", " + literal(desc) + ", 'SQL', " + literal(filepath.ToSlash(script)) + ", " + m.Checksum + ", current_user, 0, true)"
		}}
}
