package dryrun_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/rbacdrift/rbacdrift/internal/check"
	"github.com/rbacdrift/rbacdrift/internal/pgsession"

	"github.com/google/go-cmp/cmp"
	"github.com/jackc/pgx/v5"
	"github.com/rbacdrift/rbacdrift/drift"
	"github.com/rbacdrift/rbacdrift/internal/dryrun"
	"github.com/rbacdrift/rbacdrift/internal/testutil/pgtest"
	"github.com/rbacdrift/rbacdrift/spec"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

// A got is the part of a finding a test compares exactly.
type got struct {
	Code     string
	Severity drift.Severity
	Object   string
	SQLState string
	Pos      string // file base name:line:column
}

func summarize(fs []*drift.Finding) []got {
	out := []got{}
	for _, f := range fs {
		p := f.Pos()
		p.File = filepath.Base(p.File)
		out = append(out, got{Code: string(f.Code), Severity: f.Severity, Object: f.Object, SQLState: f.SQLState, Pos: p.String()})
	}
	return out
}

// setup loads SQL files into db, replacing {{name}} with the roles' names.
func setup(t testing.TB, db *pgtest.DB, roles map[string]string, files ...string) {
	t.Helper()
	for _, f := range files {
		b, err := os.ReadFile(filepath.Join("..", "..", "testdata", f))
		if err != nil {
			t.Fatal(err)
		}
		db.Exec(t, expand(string(b), roles))
	}
}

func expand(s string, roles map[string]string) string {
	for k, v := range roles {
		s = strings.ReplaceAll(s, "{{"+k+"}}", v)
	}
	return s
}

func loadModel(t testing.TB, file string) *spec.Model {
	t.Helper()
	m, err := spec.Load(filepath.Join("..", "..", "testdata", file))
	if err != nil {
		t.Fatalf("loading %s: %v", file, err)
	}
	return m
}

// connect opens the session rbacdrift check opens: read-only, with timeouts.
func connect(t testing.TB, url string) *pgx.Conn {
	t.Helper()
	target, err := pgsession.ParseTarget(url)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	conn, err := pgsession.Connect(ctx, target, pgsession.Options{Timeout: 10 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close(context.Background()) })
	return conn
}

// dryRun does what rbacdrift check does: the catalog check, then the dry run.
func dryRun(t testing.TB, conn *pgx.Conn, m *spec.Model, runAs string) []*drift.Finding {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	session := pgsession.NewSession(conn, pgsession.Options{Timeout: 10 * time.Second})
	res, err := check.Compare(ctx, session, m)
	if err != nil {
		t.Fatalf("check.Compare: %v", err)
	}
	fs, err := dryrun.Run(ctx, session, dryrun.Input{Model: m, Catalog: res.Catalog, Types: res.Types, RunAs: runAs})
	if err != nil {
		t.Fatalf("dryrun.Run: %v", err)
	}
	return fs
}

func TestReference(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		sql  string
		want []got
		msg  string
		hint string
	}{
		{sql: "reference/normalised.sql", want: []got{}},
		{sql: "reference/legacy.sql",
			want: []got{{Code: "query-error", Severity: drift.Error, Object: "query:resolve_user_permissions", SQLState: "42703", Pos: "normalised.yaml:64:36"}},
			msg:  "resolve_user_permissions fails with 42703 (column rp.permission_id does not exist): the application would load an empty policy for every user",
			hint: "public.role_permissions still has the legacy layout (resource, permission) instead of permission_id: the migration that introduces permission_id has not run on this database",
		},
	} {
		t.Run(filepath.Base(tc.sql), func(t *testing.T) {
			t.Parallel()
			db := pgtest.NewDB(t)
			setup(t, db, nil, tc.sql)
			fs := dryRun(t, connect(t, db.URL), loadModel(t, "reference/normalised.yaml"), "")
			if diff := cmp.Diff(tc.want, summarize(fs)); diff != "" {
				t.Errorf("findings (-want +got):\n%s", diff)
			}
			if tc.msg != "" && len(fs) > 0 {
				if fs[0].Message != tc.msg {
					t.Errorf("message:\n got %s\nwant %s", fs[0].Message, tc.msg)
				}
				if !strings.Contains(fs[0].Hint, tc.hint) {
					t.Errorf("hint:\n got %s\nwant it to contain %s", fs[0].Hint, tc.hint)
				}
			}
		})
	}
}
