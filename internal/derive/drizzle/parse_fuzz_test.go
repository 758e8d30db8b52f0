package drizzle

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// FuzzParse feeds the drizzle-kit snapshot reader (and through it the JSON
// position index the journal reader shares) arbitrary bytes, seeded with the
// fixture's snapshots and journal and hostile inputs: it must not panic, hang
// or grow without bound, and an error names the file.
//
//	go test -fuzz=FuzzParse -fuzztime=1m ./internal/derive/drizzle
func FuzzParse(f *testing.F) {
	meta := filepath.Join("..", "..", "..", "testdata", "derive", "drizzle", "meta")
	for _, n := range []string{"0000_snapshot.json", "0001_snapshot.json", "_journal.json"} {
		if b, err := os.ReadFile(filepath.Join(meta, n)); err == nil {
			f.Add(b)
		}
	}
	for _, s := range []string{
		`{"version": "7", "dialect": "postgresql", "tables": {}, "enums": {}, "schemas": {}}`,
		`{"version": "8", "dialect": "postgres", "ddl": []}`,
		`{"version": "7", "dialect": "postgresql", "entries": [{"idx": 0, "tag": "../../../../etc/passwd"}]}`,
		`{"version": "7", "dialect": "postgresql", "tables": {"public.t": {"name": "t", "columns": {"id": {"name": "id", "type": "integer FROM pg_authid FOR UPDATE"}}}}}`,
		strings.Repeat("[", 20000), strings.Repeat(`{"a":`, 100), `{"a": 1, "a": 2}`, `[1, 2,]`, `"\u0000"`, ``, `{}{}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		if _, err := Parse("fuzz.json", data); err != nil && !strings.HasPrefix(err.Error(), "fuzz.json") {
			t.Fatalf("error does not name the file: %v", err)
		}
		var j journal
		if ix, err := indexJSON("fuzz.json", data); err == nil {
			_ = ix.decode(&j)
		}
	})
}
