package drizzle_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/rbacdrift/rbacdrift/internal/derive/drizzle"
	"github.com/rbacdrift/rbacdrift/internal/testutil/checktest"
	"github.com/rbacdrift/rbacdrift/internal/testutil/golden"
	"github.com/rbacdrift/rbacdrift/internal/testutil/pgtest"
	"github.com/rbacdrift/rbacdrift/spec"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

const fixture = "../../../testdata/derive/drizzle"

// TestFixtureGolden pins the model derived from the fixture's migrations
// folder (its newest snapshot), and checks that the YAML reads back as the
// same model.
func TestFixtureGolden(t *testing.T) {
	snap, err := drizzle.Snapshot(fixture)
	if err != nil {
		t.Fatal(err)
	}
	if want := filepath.Join(fixture, "meta", "0001_snapshot.json"); snap != want {
		t.Errorf("Snapshot(%s) = %s, want %s (the journal's last entry)", fixture, snap, want)
	}
	m, err := drizzle.FromFile(fixture)
	if err != nil {
		t.Fatal(err)
	}
	out := spec.Format(m, drizzle.Header("drizzle/meta/0001_snapshot.json"))
	golden.Check(t, "../../../testdata/derive/drizzle.golden.yaml", out)
	back, err := spec.Parse("drizzle.golden.yaml", out)
	if err != nil {
		t.Fatalf("the derived YAML does not parse: %v", err)
	}
	if again := spec.Format(back, drizzle.Header("drizzle/meta/0001_snapshot.json")); string(again) != string(out) {
		t.Errorf("the derived YAML does not read back as the same model (-first +reread):\n%s", cmp.Diff(string(out), string(again)))
	}
}

// migrations returns the fixture's migration files in journal order.
func migrations(t *testing.T) []string {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(fixture, "meta", "_journal.json"))
	if err != nil {
		t.Fatal(err)
	}
	var j struct {
		Entries []struct{ Tag string } `json:"entries"`
	}
	if err := json.Unmarshal(data, &j); err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range j.Entries {
		out = append(out, filepath.Join(fixture, e.Tag+".sql"))
	}
	if len(out) < 2 {
		t.Fatalf("the fixture has %d migrations, want at least 2", len(out))
	}
	return out
}

type found struct{ Code, Object string }

// checkAfter applies the first n migrations to a fresh database (drizzle's
// "--> statement-breakpoint" separators are SQL comments) and checks the
// model derived from the newest snapshot against it.
func checkAfter(t *testing.T, n int) []found {
	t.Helper()
	db := pgtest.NewDB(t)
	for _, path := range migrations(t)[:n] {
		db.ExecFile(t, path)
	}
	m, err := drizzle.FromFile(fixture)
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

// TestFixtureAgainstMigrations applies the migrations drizzle-kit wrote for
// the fixture and checks the derived model against the database: clean
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
		if diff := cmp.Diff(want, checkAfter(t, len(migrations(t))-1)); diff != "" {
			t.Errorf("findings (-want +got):\n%s", diff)
		}
	})
}
