package spec

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/rbacdrift/rbacdrift/internal/safefile"
)

// TestHostileModel: values that would reach the server as something other
// than what the model says are model errors, with the position.
func TestHostileModel(t *testing.T) {
	tests := []struct {
		name, model, want string
	}{
		{"type with a clause", "version: 1\ntables:\n  t:\n    columns:\n      id: {type: \"integer FROM pg_catalog.pg_authid FOR UPDATE\"}\n",
			`m.yaml:5:18: tables.t.columns.id.type: "integer FROM pg_catalog.pg_authid FOR UPDATE" is not a type name`},
		{"param type with a clause", "version: 1\nqueries:\n  q:\n    sql: select $1\n    params: [\"int4 for update\"]\n",
			`m.yaml:5:14: queries.q.params[0]: "int4 for update" is not a type name`},
		{"function argument", "version: 1\nfunctions:\n  \"f(int from pg_authid)\":\n",
			`m.yaml:3:3: functions.f(int from pg_authid): argument type "int from pg_authid" is not a type name`},
		{"function returns", "version: 1\nfunctions:\n  f():\n    returns: setof int where true\n",
			`m.yaml:4:14: functions.f().returns: "setof int where true" is not a type name`},
		{"NUL in a name", "version: 1\ntables:\n  \"t\\0x\":\n    columns: {id: {type: int}}\n",
			`m.yaml:3:3: holds a NUL character (\0)`},
		{"NUL in SQL", "version: 1\nqueries:\n  q:\n    sql: \"select '\\x00'\"\n",
			`m.yaml:4:10: holds a NUL character (\0)`},
		{"huge parameter", "version: 1\nqueries:\n  q:\n    sql: |\n      select 1\n      where $2147483648 = 1\n",
			`m.yaml:6:13: queries.q.sql: parameter $2147483648: parameters are numbered from $1 to $65535`},
		{"large parameter", "version: 1\nqueries:\n  q: select $99999999\n",
			`m.yaml:3:13: queries.q.sql: parameter $99999999: parameters are numbered from $1 to $65535`},
		{"parameter beyond 64 bits", "version: 1\nqueries:\n  q: select $99999999999999999999999\n",
			`queries.q.sql: parameter $99999999999999999999999: parameters are numbered`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse("m.yaml", []byte(tt.model))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("Parse error = %v\nwant %s", err, tt.want)
			}
		})
	}
	// The highest parameter the protocol allows is fine.
	if _, err := Parse("m.yaml", []byte("version: 1\nqueries:\n  q: select $65535\n")); err != nil {
		t.Errorf("$65535: %v", err)
	}
}

func TestQueryFileParamLimit(t *testing.T) {
	_, err := ParseQueryFile("q.sql", []byte("-- name: q :one\nselect 1\n  where x = $70000;\n"), "")
	if want := "q.sql:3:13: q: parameter $70000: parameters are numbered from $1 to $65535"; err == nil || err.Error() != want {
		t.Fatalf("error = %v, want %s", err, want)
	}
}

// TestLoadRefusesWhatIsNotAFile: a model, targets or query file that is a
// FIFO, a device or a folder is refused, with exit-2 errors (Errors) naming
// the path, without blocking and without reading it.
func TestLoadRefusesWhatIsNotAFile(t *testing.T) {
	dir := t.TempDir()
	fifo := filepath.Join(dir, "fifo.yaml")
	if err := syscall.Mkfifo(fifo, 0o644); err != nil {
		t.Fatal(err)
	}
	zero := filepath.Join(dir, "zero.yaml")
	if err := os.Symlink("/dev/zero", zero); err != nil {
		t.Fatal(err)
	}
	big := filepath.Join(dir, "big.yaml")
	if err := os.WriteFile(big, make([]byte, MaxFileSize+1), 0o644); err != nil {
		t.Fatal(err)
	}
	for path, want := range map[string]string{
		fifo: "is a FIFO (named pipe), not a regular file",
		zero: "is a character device, not a regular file",
		dir:  "is a directory",
		big:  "file is larger than 4 MiB",
	} {
		for _, load := range []func(string) error{
			func(p string) error { _, err := Load(p); return err },
			func(p string) error { _, err := LoadTargets(p); return err },
		} {
			err := load(path)
			var es Errors
			if !errors.As(err, &es) || !strings.HasPrefix(err.Error(), path+": ") || !strings.Contains(err.Error(), want) {
				t.Errorf("load(%s) = %v; want spec.Errors naming the path and %q", path, err, want)
			}
		}
	}
	// A query file named by the model, too.
	model := filepath.Join(dir, "m.yaml")
	if err := os.WriteFile(model, []byte("version: 1\nquery_files: [fifo.yaml]\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := Load(model); err == nil || !strings.Contains(err.Error(), "fifo.yaml: is a FIFO") {
		t.Errorf("query file that is a FIFO: %v", err)
	}
	var _ = safefile.MaxModel
}
