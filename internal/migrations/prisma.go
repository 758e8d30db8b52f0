package migrations

import (
	"context"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/jackc/pgx/v5"
)

// prisma follows Prisma's schema engine (prisma/prisma-engines):
// schema-engine/core/src/commands/apply_migrations.rs decides what runs,
// schema-engine/connectors/schema-connector/src/checksum.rs how a script
// matches its checksum, and migrations_directory.rs the layout.
//
// The folder holds migration_lock.toml and one folder <timestamp>_<name> per
// migration with migration.sql, applied in name order. A row of
// _prisma_migrations counts as applied unless rolled_back_at is set; a row
// with neither finished_at nor rolled_back_at is a failed migration, and
// `prisma migrate deploy` refuses to run anything while one exists. The
// checksum is the SHA-256 hex of migration.sql; a script matches when the
// digest of the text, of the text with CRLF turned into LF, or of the text
// with LF turned into CRLF is the one recorded, and a recorded checksum that
// is not 64 characters long is compared in the old format that did not
// zero-pad bytes.
type prisma struct{}

func (prisma) command(string) string { return "npx prisma migrate deploy" }

func (prisma) table(opts Options) pgx.Identifier {
	return tableRef(opts, "", "_prisma_migrations")
}

func (prisma) fits(dir string, ents []os.DirEntry) bool {
	if isFile(filepath.Join(dir, "migration_lock.toml")) {
		return true
	}
	for _, e := range ents {
		if e.IsDir() && isFile(filepath.Join(dir, e.Name(), "migration.sql")) && !isFile(filepath.Join(dir, e.Name(), "snapshot.json")) {
			return true
		}
	}
	return false
}

func (prisma) readFolder(f *Folder) error {
	ents, err := os.ReadDir(f.Dir)
	if err != nil {
		return fmt.Errorf("reading prisma migrations: %w", err)
	}
	for _, e := range ents { // os.ReadDir sorts by name, as Prisma applies them
		if !e.IsDir() {
			continue
		}
		path := filepath.Join(f.Dir, e.Name(), "migration.sql")
		text, err := readFile(path)
		if err != nil {
			return fmt.Errorf("prisma migration folder %s has no migration.sql: %w", e.Name(), err)
		}
		f.Migrations = append(f.Migrations, &Migration{
			ID: e.Name(), Name: e.Name(), File: path, SQL: text,
			Checksum: sha256Hex(text),
			accept: []string{
				sha256Hex(strings.ReplaceAll(text, "\r\n", "\n")),
				sha256Hex(strings.ReplaceAll(text, "\n", "\r\n")),
			},
		})
	}
	return nil
}

// prismaMatches is script_matches_checksum.
func prismaMatches(m *Migration, sum string) bool {
	for _, s := range append([]string{m.Checksum}, m.accept...) {
		if sum != "" && len(sum) != 64 {
			s = unpaddedHex(s)
		}
		if s == sum {
			return true
		}
	}
	return false
}

// unpaddedHex rewrites a hex digest with each byte printed as %x, the
// format of schema engines before prisma-engines issue 1887.
func unpaddedHex(s string) string {
	b, err := hex.DecodeString(s)
	if err != nil {
		return s
	}
	var out strings.Builder
	for _, c := range b {
		fmt.Fprintf(&out, "%x", c)
	}
	return out.String()
}

func (prisma) readHistory(ctx context.Context, q Querier, ref pgx.Identifier, f *Folder, h *History) error {
	rs, err := readRows(ctx, q, sqlPrisma, ref, h)
	if err != nil {
		return err
	}
	for _, r := range rs {
		if boolean(r[3]) {
			continue // apply_migrations ignores rolled-back rows
		}
		h.Applied = append(h.Applied, &Applied{ID: text(r[0]), Checksum: text(r[1]), null: r[1] == nil, Failed: !boolean(r[2]), Logs: text(r[4])})
	}
	return nil
}

func (prisma) compare(f *Folder, h *History) []*Finding {
	var out []*Finding
	for _, m := range f.Migrations {
		var rows []*Applied
		for _, a := range h.Applied {
			if a.ID == m.ID {
				rows = append(rows, a)
			}
		}
		if len(rows) == 0 {
			out = append(out, pending(f, m, ""))
			continue
		}
		for _, a := range rows {
			switch {
			case a.Failed:
				out = append(out, failed(f, m, a, prismaFailedHint(m.Name, m.File)))
			case !prismaMatches(m, a.Checksum):
				out = append(out, modified(f, m, a, fmt.Sprintf("prisma migrate deploy will not run it again, and prisma migrate dev will ask to reset the database: restore %s to the text that ran (git log -p %s) and put the change in a new migration", m.File, m.File)))
			}
		}
	}
	for _, a := range h.Applied {
		if f.Find(a.ID) != nil {
			continue
		}
		if a.Failed {
			out = append(out, failed(f, nil, a, prismaFailedHint(a.ID, filepath.Join(f.Dir, a.ID, "migration.sql"))))
			continue
		}
		out = append(out, unknown(f, a, a.ID, "migration "+a.ID))
	}
	return out
}

func prismaFailedHint(name, file string) string {
	return fmt.Sprintf("prisma migrate deploy refuses to run while it is recorded as failed (see the logs column of _prisma_migrations): undo what %s half applied and run npx prisma migrate resolve --rolled-back %s, then npx prisma migrate deploy; or, if you completed it by hand, npx prisma migrate resolve --applied %s", file, name, name)
}

// ledger is the schema engine's _prisma_migrations and the row of a
// migration that finished (one step applied).
func (prisma) ledger(f *Folder, ref pgx.Identifier) *Ledger {
	t := ref.Sanitize()
	return &Ledger{Table: ref,
		Create: schemaOf(ref) + "CREATE TABLE IF NOT EXISTS " + t + ` (id varchar(36) PRIMARY KEY NOT NULL, checksum varchar(64) NOT NULL,
  finished_at timestamptz, migration_name varchar(255) NOT NULL, logs text, rolled_back_at timestamptz,
  started_at timestamptz NOT NULL DEFAULT now(), applied_steps_count integer NOT NULL DEFAULT 0)`,
		After: func(m *Migration, _ int) string {
			return "INSERT INTO " + t + " (id, checksum, finished_at, migration_name, applied_steps_count) VALUES (md5(random()::text || clock_timestamp()::text), " +
				literal(m.Checksum) + ", now(), " + literal(m.ID) + ", 1)"
		}}
}
