package harvest_test

import (
	"testing"

	"github.com/rbacdrift/rbacdrift/internal/harvest"
)

// FuzzParseLog feeds the log reader what --from-log may be given: any
// file, in any of the three formats or none. It returns statements or an
// error, never panics, and never returns an empty statement.
func FuzzParseLog(f *testing.F) {
	f.Add([]byte("2025-01-01 10:00:00.000 UTC [42] app@staging LOG:  duration: 0.1 ms  execute <unnamed>: SELECT 1\n\tFROM t WHERE a = $1\n"))
	f.Add([]byte("2025-01-01 10:00:00.000 UTC,\"app\",\"db\",42,\"[local]\",1,1,\"SELECT\",,3/1,0,LOG,00000,\"statement: SELECT 'a,\"\"b'\",,\n"))
	f.Add([]byte(`{"user":"app","dbname":"db","error_severity":"LOG","message":"statement: SELECT 1"}` + "\n"))
	f.Add([]byte("\t\t\n LOG:  statement: \n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		stmts, err := harvest.ParseLog(data, harvest.LogFilter{})
		if err != nil {
			return
		}
		for _, s := range stmts {
			if s.SQL == "" || s.Calls < 1 {
				t.Fatalf("statement %+v", s)
			}
		}
	})
}

// FuzzParseFile feeds the reader of an existing harvested file (harvest
// --out keeps its names) any text: entries or an error, never a panic, and
// what it reads renders and reads back the same.
func FuzzParseFile(f *testing.F) {
	f.Add([]byte("-- name: load_roles_0a1b2c3d :many\n-- harvest: calls=1 rows=2 role=app first=2025-01-01T00:00:00Z last=2025-01-01T00:00:00Z\nSELECT 1;\n"))
	f.Add([]byte("-- name: x :exec\n-- harvest: no longer seen since 2025-01-01T00:00:00Z\nDELETE FROM t;\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		entries, err := harvest.ParseFile(data)
		if err != nil {
			return
		}
		if _, err := harvest.ParseFile(harvest.Render(harvest.Header{}, entries)); err != nil {
			t.Fatalf("a rendered file does not read back: %v", err)
		}
	})
}
