package replay

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rbacdrift/rbacdrift/internal/migrations"
)

// FuzzPlan feeds the migration plan readers (goose's annotations, drizzle's
// breakpoints, dbmate's sections, golang-migrate's files, through [Read] on
// a folder of one migration of each layout), the role reader and the error
// position mapping arbitrary text: no panic, no hang, and every chunk is a
// piece of the file at its offset.
//
//	go test -fuzz=FuzzPlan -fuzztime=1m ./internal/derive/replay
func FuzzPlan(f *testing.F) {
	for _, s := range []string{
		"-- +goose Up\nCREATE TABLE t (id int);\n-- +goose StatementBegin\nCREATE FUNCTION f() RETURNS int AS $$ SELECT 1; $$ LANGUAGE sql;\n-- +goose StatementEnd\n-- +goose Down\nDROP TABLE t;\n",
		"-- +goose NO TRANSACTION\n-- +goose Up\nCREATE INDEX CONCURRENTLY i ON t (id);\n",
		"CREATE TABLE a (id int);\n--> statement-breakpoint\nCREATE TABLE b (id int);\n",
		"-- migrate:up transaction:false\nCREATE TABLE t (id int);\n-- migrate:down\nDROP TABLE t;\n",
		"COPY (SELECT 1) TO PROGRAM 'touch /tmp/x';\n", "DO $$ BEGIN LOOP END LOOP; END $$;\n",
		"GRANT SELECT ON t TO \"a\"\"b\", GROUP c;\nCREATE ROLE x;\nALTER TABLE t OWNER TO y;\n",
		"-- +goose Up\n-- +goose StatementBegin\n", "'unterminated", "/* /* nested */", "\r\n\r\n", "--> statement-breakpoint",
	} {
		f.Add(s)
	}
	layouts := []struct {
		tool  migrations.Tool
		files func(text string) map[string]string
	}{
		{migrations.Goose, func(text string) map[string]string { return map[string]string{"00001_x.sql": text} }},
		{migrations.GolangMigrate, func(text string) map[string]string { return map[string]string{"000001_x.up.sql": text} }},
		{migrations.Dbmate, func(text string) map[string]string { return map[string]string{"20240101000000_x.sql": text} }},
		{migrations.Drizzle, func(text string) map[string]string {
			return map[string]string{"0000_x.sql": text,
				"meta/_journal.json": `{"version": "7", "dialect": "postgresql", "entries": [{"idx": 0, "tag": "0000_x", "when": 1, "breakpoints": true}]}`}
		}},
	}
	f.Fuzz(func(t *testing.T, text string) {
		for _, l := range layouts {
			dir := t.TempDir()
			for name, body := range l.files(text) {
				path := filepath.Join(dir, name)
				if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(path, []byte(body), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			p, err := Read(dir, l.tool)
			if err != nil {
				if err.Error() == "" || strings.Contains(err.Error(), "outside the folder") {
					t.Fatalf("%s: %v", l.tool, err)
				}
				continue
			}
			rolesToCreate(p, nil)
			for _, m := range p.Migrations {
				for _, c := range m.Chunks {
					if c.Off < 0 || c.Off+len(c.SQL) > len(m.text) || m.text[c.Off:c.Off+len(c.SQL)] != c.SQL {
						t.Fatalf("%s: chunk %q at %d is not a piece of the file", l.tool, c.SQL, c.Off)
					}
					for done := 0; done < 3; done++ {
						if err := m.errorAt(c, done, os.ErrInvalid); err == nil {
							t.Fatal("errorAt returned nil")
						}
					}
				}
			}
		}
	})
}
