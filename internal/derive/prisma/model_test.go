package prisma_test

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/rbacdrift/rbacdrift/internal/derive/prisma"
	"github.com/rbacdrift/rbacdrift/internal/safefile"
	"github.com/rbacdrift/rbacdrift/internal/testutil/checktest"
	"github.com/rbacdrift/rbacdrift/internal/testutil/golden"
	"github.com/rbacdrift/rbacdrift/internal/testutil/pgtest"
	"github.com/rbacdrift/rbacdrift/spec"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

const fixture = "../../../testdata/derive/prisma"

// TestFixtureGolden pins the model derived from the fixture's schema, and
// checks that the YAML reads back as the same model.
func TestFixtureGolden(t *testing.T) {
	m, err := prisma.FromFile(filepath.Join(fixture, "schema.prisma"))
	if err != nil {
		t.Fatal(err)
	}
	out := spec.Format(m, prisma.Header("prisma/schema.prisma"))
	golden.Check(t, "../../../testdata/derive/prisma.golden.yaml", out)
	back, err := spec.Parse("prisma.golden.yaml", out)
	if err != nil {
		t.Fatalf("the derived YAML does not parse: %v", err)
	}
	if again := spec.Format(back, prisma.Header("prisma/schema.prisma")); string(again) != string(out) {
		t.Errorf("the derived YAML does not read back as the same model (-first +reread):\n%s", cmp.Diff(string(out), string(again)))
	}
}

// migrations returns the fixture's migration.sql files in the order Prisma
// Migrate applies them (their folder names start with a timestamp).
func migrations(t *testing.T) []string {
	t.Helper()
	dirs, err := filepath.Glob(filepath.Join(fixture, "migrations", "*", "migration.sql"))
	if err != nil || len(dirs) < 2 {
		t.Fatalf("fixture migrations: %v (%d found)", err, len(dirs))
	}
	slices.Sort(dirs)
	return dirs
}

type found struct{ Code, Object string }

// checkAfter applies the first n migrations to a fresh database and checks
// the model derived from the schema against it with the real pipeline.
func checkAfter(t *testing.T, n int) []found {
	t.Helper()
	db := pgtest.NewDB(t)
	for _, path := range migrations(t)[:n] {
		db.ExecFile(t, path)
	}
	m, err := prisma.FromFile(filepath.Join(fixture, "schema.prisma"))
	if err != nil {
		t.Fatal(err)
	}
	out := []found{}
	for _, f := range checktest.Check(t, db.URL, m) {
		out = append(out, found{string(f.Code), f.Object})
		t.Logf("%s %s %s: %s", f.Severity, f.Code, f.Object, f.Message)
	}
	slices.SortFunc(out, func(a, b found) int { return strings.Compare(a.Code+" "+a.Object, b.Code+" "+b.Object) })
	return out
}

// TestFixtureAgainstMigrations applies the migrations Prisma Migrate wrote
// for the fixture and checks the derived model against the database: clean
// after all of them; one behind, the checker names what the last one adds.
func TestFixtureAgainstMigrations(t *testing.T) {
	t.Run("all applied", func(t *testing.T) {
		if diff := cmp.Diff([]found{}, checkAfter(t, len(migrations(t)))); diff != "" {
			t.Errorf("findings (-want +got):\n%s", diff)
		}
	})
	t.Run("one behind", func(t *testing.T) {
		want := []found{
			{"missing-column", "public.role_permissions.scope"},
			{"missing-enum", "public.permission_scope"},
			{"primary-key-mismatch", "public.role_permissions"},
		}
		got := checkAfter(t, len(migrations(t))-1)
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("findings (-want +got):\n%s", diff)
		}
	})
}

// TestFromFileErrors covers what FromFile reports for a file it cannot use.
func TestFromFileErrors(t *testing.T) {
	dir := t.TempDir()
	mysql := filepath.Join(dir, "mysql.prisma")
	if err := os.WriteFile(mysql, []byte("datasource db {\n  provider = \"mysql\"\n}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	fifo := filepath.Join(dir, "fifo.prisma")
	if err := syscall.Mkfifo(fifo, 0o644); err != nil {
		t.Fatal(err)
	}
	zero := filepath.Join(dir, "zero.prisma")
	if err := os.Symlink("/dev/zero", zero); err != nil {
		t.Fatal(err)
	}
	big := filepath.Join(dir, "big.prisma")
	if err := os.WriteFile(big, make([]byte, safefile.MaxSchema+1), 0o644); err != nil {
		t.Fatal(err)
	}
	deep := filepath.Join(dir, "deep.prisma")
	if err := os.WriteFile(deep, []byte("model A {\n  id Int @default("+strings.Repeat("[", 100000)+")\n}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ path, want string }{
		{filepath.Join(dir, "missing.prisma"), "reading prisma schema: " + filepath.Join(dir, "missing.prisma") + ": no such file or directory"},
		{mysql, mysql + `:2:14: datasource provider is "mysql": only postgresql is supported`},
		{fifo, "reading prisma schema: " + fifo + ": is a FIFO (named pipe), not a regular file"},
		{zero, "reading prisma schema: " + zero + ": is a character device, not a regular file"},
		{big, "reading prisma schema: " + big + ": file is larger than 16 MiB, the limit for a Prisma schema"},
		{deep, deep + ":2:51: values nested more than 32 deep"},
	} {
		_, err := prisma.FromFile(tc.path)
		if err == nil || !strings.HasPrefix(err.Error(), tc.want) {
			t.Errorf("FromFile(%s) = %v, want an error starting %q", tc.path, err, tc.want)
		}
	}
}
