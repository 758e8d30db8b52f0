package check_test

import (
	"context"
	"errors"
	"os"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/rbacdrift/rbacdrift/drift"
	"github.com/rbacdrift/rbacdrift/internal/check"
	"github.com/rbacdrift/rbacdrift/internal/pgsession"
	"github.com/rbacdrift/rbacdrift/internal/testutil/pgtest"
	"github.com/rbacdrift/rbacdrift/spec"
)

// openSession opens a session on url for the test's lifetime.
func openSession(t testing.TB, ctx context.Context, url string) *pgsession.Session {
	t.Helper()
	target, err := pgsession.ParseTarget(url)
	if err != nil {
		t.Fatal(err)
	}
	s, err := pgsession.Open(ctx, target, pgsession.Options{Timeout: 20 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close(context.Background()) })
	return s
}

// legacyWithHistory returns a database loaded as scripts/demo.sh loads the
// demo: the legacy layout, and drizzle's history of every migration of
// testdata/migrations/drizzle-reference but 0007_normalise_rbac.
func legacyWithHistory(t *testing.T) *pgtest.DB {
	t.Helper()
	db := pgtest.NewDB(t)
	db.ExecFile(t, "../../testdata/reference/legacy.sql")
	db.ExecFile(t, "../../testdata/reference/legacy_drizzle_history.sql")
	return db
}

// rootCauses returns "code object <- explained_by" for every finding.
func rootCauses(fs []*drift.Finding) []string {
	var out []string
	for _, f := range fs {
		out = append(out, string(f.Code)+" "+f.Object+" <- "+f.ExplainedBy)
	}
	return out
}

func countExplained(fs []*drift.Finding, by string) int {
	n := 0
	for _, f := range fs {
		if f.ExplainedBy == by {
			n++
		}
	}
	return n
}

// TestCheckReadsTheModelsMigrations: the model's own migrations section is
// read by Check itself, from the operating system's files and from an
// fs.FS alike, and the migration that has not run is linked to the
// findings it explains, as the command reports them (10 of them, see
// check_migrations.txtar).
func TestCheckReadsTheModelsMigrations(t *testing.T) {
	t.Parallel()
	db := legacyWithHistory(t)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	s := openSession(t, ctx, db.URL)

	const cause = "migration:0007_normalise_rbac"
	fromOS, err := spec.Load("../../testdata/embed/rbacdrift.yaml")
	if err != nil {
		t.Fatal(err)
	}
	fromFS, err := spec.LoadFS(os.DirFS("../../testdata"), "embed/rbacdrift.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var first []string
	for _, m := range []*spec.Model{fromOS, fromFS} {
		res, err := check.Check(ctx, s, m, check.CheckOptions{})
		if err != nil {
			t.Fatalf("Check: %v", err)
		}
		if !res.Migrations || res.Findings[0].Code != "migration-pending" || res.Findings[0].Object != cause {
			t.Fatalf("model from %v: the pending migration is not the first finding: %v", m.FS, rootCauses(res.Findings))
		}
		if got := res.Findings[0].File; got != "../../testdata/migrations/drizzle-reference/0007_normalise_rbac.sql" &&
			got != "migrations/drizzle-reference/0007_normalise_rbac.sql" {
			t.Errorf("the migration's file is %q, want its path in the model's file system", got)
		}
		if n := countExplained(res.Findings, cause); n != 10 {
			t.Errorf("%d findings explained by %s, want 10:\n%v", n, cause, rootCauses(res.Findings))
		}
		if first == nil {
			first = rootCauses(res.Findings)
		} else if diff := cmp.Diff(first, rootCauses(res.Findings)); diff != "" {
			t.Errorf("the model from an fs.FS checks differently (-os +fs):\n%s", diff)
		}
	}

	// Options override the model's section: another folder, with no
	// history table of its tool's on this database, names no root cause.
	res, err := check.Check(ctx, s, fromOS, check.CheckOptions{SkipQueries: true,
		Migrations: &check.MigrationOptions{Dir: "../../testdata/migrations/drizzle-reference", Tool: "drizzle", Table: "no_such_history"}})
	if err != nil {
		t.Fatal(err)
	}
	if n := countExplained(res.Findings, cause); n != 0 || res.Findings[0].Code != "migration-history-missing" {
		t.Errorf("the override is not used: %v", rootCauses(res.Findings))
	}
	// The same model without its section names no root cause.
	bare, err := spec.Load("../../testdata/reference/normalised.yaml")
	if err != nil {
		t.Fatal(err)
	}
	res, err = check.Check(ctx, s, bare, check.CheckOptions{SkipQueries: true})
	if err != nil {
		t.Fatal(err)
	}
	if res.Migrations || countExplained(res.Findings, cause) != 0 {
		t.Errorf("a model without migrations names a root cause: %v", rootCauses(res.Findings))
	}
}

// TestResolveMigrations: how the options override the model's section.
func TestResolveMigrations(t *testing.T) {
	t.Parallel()
	fsys := os.DirFS("../../testdata")
	section := &spec.Migrations{Dir: "drizzle", Tool: "drizzle", Schema: "meta", Table: "history"}
	for _, tt := range []struct {
		name string
		m    *spec.Model
		o    *check.MigrationOptions
		want *check.MigrationOptions
	}{
		{"none", &spec.Model{File: "app/rbacdrift.yaml"}, nil, nil},
		{"the model's, relative to the model file", &spec.Model{File: "app/rbacdrift.yaml", Migrations: section}, nil,
			&check.MigrationOptions{Dir: "app/drizzle", Tool: "drizzle", Schema: "meta", Table: "history"}},
		{"the model's, inside its file system", &spec.Model{File: "app/rbacdrift.yaml", Migrations: &spec.Migrations{Dir: "../db/migrations"}, FS: fsys}, nil,
			&check.MigrationOptions{Dir: "db/migrations", FS: fsys}},
		{"a folder replaces the model's, tool and table with it", &spec.Model{File: "app/rbacdrift.yaml", Migrations: section},
			&check.MigrationOptions{Dir: "migrations"}, &check.MigrationOptions{Dir: "migrations"}},
		{"a tool replaces the model's", &spec.Model{File: "rbacdrift.yaml", Migrations: section},
			&check.MigrationOptions{Tool: "goose"}, &check.MigrationOptions{Dir: "drizzle", Tool: "goose", Schema: "meta", Table: "history"}},
		{"a table replaces the model's", &spec.Model{File: "rbacdrift.yaml", Migrations: section},
			&check.MigrationOptions{Table: "t"}, &check.MigrationOptions{Dir: "drizzle", Tool: "drizzle", Table: "t"}},
	} {
		got, err := tt.o.Resolve(tt.m)
		if err != nil {
			t.Errorf("%s: %v", tt.name, err)
			continue
		}
		if diff := cmp.Diff(tt.want, got); diff != "" {
			t.Errorf("%s (-want +got):\n%s", tt.name, diff)
		}
	}
	var me *check.MigrationError
	if _, err := (&check.MigrationOptions{Tool: "drizzle"}).Resolve(&spec.Model{}); !errors.As(err, &me) {
		t.Errorf("a tool without a folder: %v, want a *MigrationError", err)
	}
}
