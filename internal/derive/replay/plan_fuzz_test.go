package replay

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// FuzzPlan feeds the readers that cut a migration into what its tool sends
// (goose's annotations, drizzle's breakpoints, dbmate's sections, read
// through Read on a folder of one file) and the error position mapping
// arbitrary text: no panic, no hang, and every chunk is a piece of the file
// at its offset.
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
	f.Fuzz(func(t *testing.T, text string) {
		checkChunks := func(m *Migration) {
			for _, c := range m.Chunks {
				if c.Off < 0 || c.Off+len(c.SQL) > len(m.text) || m.text[c.Off:c.Off+len(c.SQL)] != c.SQL {
					t.Fatalf("chunk %q at %d is not a piece of the file", c.SQL, c.Off)
				}
				for done := 0; done < 3; done++ {
					if err := m.errorAt(c, done, os.ErrInvalid); err == nil {
						t.Fatal("errorAt returned nil")
					}
				}
			}
		}
		m := &Migration{Name: "1", File: "1.sql", text: text, Chunks: drizzleChunks(text)}
		checkChunks(m)
		g := &Migration{Name: "1", File: "1.sql", text: text}
		if gooseUp(g) == nil {
			checkChunks(g)
		}
		roleNames(text)
		rolesToCreate(&Plan{Migrations: []*Migration{m}}, nil)

		dir := t.TempDir()
		if err := os.WriteFile(filepath.Join(dir, "20240101000000_x.sql"), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
		if p, err := Read(dir, Dbmate); err == nil {
			for _, m := range p.Migrations {
				checkChunks(m)
			}
		} else if !strings.Contains(err.Error(), "dbmate") {
			t.Fatalf("dbmate error does not say so: %v", err)
		}
	})
}
