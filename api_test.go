package rbacdrift_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/jackc/pgx/v5"
	"github.com/rbacdrift/rbacdrift"
	"github.com/rbacdrift/rbacdrift/internal/testutil/pgtest"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

// exampleDatabase returns the URL of a fresh database loaded from the SQL
// files, in order, and its drop, for the runnable examples, which have no
// *testing.T.
func exampleDatabase(sqlFiles ...string) (string, func()) {
	fail := func(err error) {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	var all []byte
	for _, f := range sqlFiles {
		b, err := os.ReadFile(f)
		if err != nil {
			fail(err)
		}
		all = append(append(all, b...), '\n')
	}
	dir, err := os.MkdirTemp("", "rbacdrift-example-")
	if err != nil {
		fail(err)
	}
	defer os.RemoveAll(dir)
	file := filepath.Join(dir, "example.sql")
	if err := os.WriteFile(file, all, 0o600); err != nil {
		fail(err)
	}
	url, drop, err := pgtest.Scratch("example", file)
	if err != nil {
		fail(err)
	}
	return url, drop
}

// TestZeroReport: the zero Report has not failed, and its methods do not
// panic.
func TestZeroReport(t *testing.T) {
	t.Parallel()
	var r rbacdrift.Report
	if r.Failed() || len(r.Failing()) != 0 {
		t.Errorf("the zero Report fails")
	}
	var js strings.Builder
	if err := r.WriteJSON(&js); err != nil || !strings.Contains(js.String(), `"findings": []`) {
		t.Errorf("WriteJSON of the zero Report: %v\n%s", err, js.String())
	}
	r.Findings = []*rbacdrift.Finding{{Code: "missing-table", Severity: rbacdrift.Error, Object: "public.users"}}
	if !r.Failed() || len(r.Failing()) != 1 {
		t.Errorf("a Report built by hand with an error finding does not fail at the default level")
	}
}

// TestEmbeddedModelIsTheReferenceModel: testdata/embed/rbacdrift.yaml, the
// model the examples embed, is the reference model and a migrations
// section, nothing else, so the two cannot drift apart.
func TestEmbeddedModelIsTheReferenceModel(t *testing.T) {
	t.Parallel()
	ref, err := os.ReadFile("testdata/reference/normalised.yaml")
	if err != nil {
		t.Fatal(err)
	}
	emb, err := os.ReadFile("testdata/embed/rbacdrift.yaml")
	if err != nil {
		t.Fatal(err)
	}
	want := string(ref) + "migrations:\n  dir: ../migrations/drizzle-reference\n  tool: drizzle\n"
	if diff := cmp.Diff(want, string(emb)); diff != "" {
		t.Errorf("testdata/embed/rbacdrift.yaml is not normalised.yaml and its migrations section (-want +got):\n%s", diff)
	}
}

// sessionState is what a caller would see of its own connection: prepared
// statements, settings changed from their defaults in this session, and the
// transaction status.
func sessionState(t *testing.T, ctx context.Context, conn *pgx.Conn) string {
	t.Helper()
	// One statement, so that in pgx's caching modes it is the only one the
	// test itself adds to pg_prepared_statements.
	var prepared int
	var settings, role string
	if err := conn.QueryRow(ctx, `SELECT (SELECT count(*) FROM pg_prepared_statements),
		coalesce((SELECT string_agg(name || '=' || setting, ',' ORDER BY name) FROM pg_settings WHERE source = 'session'), ''),
		current_user`).Scan(&prepared, &settings, &role); err != nil {
		t.Fatal(err)
	}
	return fmt.Sprintf("prepared=%d settings=%s tx=%c role=%s", prepared, settings, conn.PgConn().TxStatus(), role)
}

// TestCheckLeavesTheConnectionAsItWas: the caller's connection, in each of
// pgx's exec modes, is reusable after a check and shows no trace of it: no
// prepared statement beyond the caller's own, no setting changed, no
// transaction, the same role; and the check gives the same findings each
// time.
func TestCheckLeavesTheConnectionAsItWas(t *testing.T) {
	t.Parallel()
	db := pgtest.NewDB(t)
	db.ExecFile(t, "testdata/reference/legacy.sql")
	app := db.Role(t, "app")
	db.Exec(t, "GRANT SELECT ON ALL TABLES IN SCHEMA public TO "+pgx.Identifier{app}.Sanitize())
	model, err := rbacdrift.LoadModel("testdata/reference/normalised.yaml")
	if err != nil {
		t.Fatal(err)
	}
	for _, mode := range []string{"cache_statement", "cache_describe", "describe_exec", "exec", "simple_protocol"} {
		t.Run(mode, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			conn, err := pgx.Connect(ctx, db.URL+"&default_query_exec_mode="+mode)
			if err != nil {
				t.Fatal(err)
			}
			defer conn.Close(ctx)
			before := sessionState(t, ctx, conn)
			var first []string
			for i := range 2 {
				rep, err := rbacdrift.Check(ctx, conn, model, rbacdrift.Options{RunAs: app})
				if err != nil {
					t.Fatalf("Check: %v", err)
				}
				var got []string
				for _, f := range rep.Findings {
					got = append(got, string(f.Code)+" "+f.Object)
				}
				if i == 0 {
					first = got
				} else if diff := cmp.Diff(first, got); diff != "" {
					t.Errorf("a second check on the same connection differs (-first +second):\n%s", diff)
				}
				if !rep.Failed() || len(rep.Failing()) == 0 {
					t.Errorf("the legacy database passes the check")
				}
			}
			if after := sessionState(t, ctx, conn); after != before {
				t.Errorf("the connection changed:\nbefore: %s\nafter:  %s", before, after)
			}
		})
	}
}

// TestCheckAPI covers the options and the errors of the API.
func TestCheckAPI(t *testing.T) {
	t.Parallel()
	db := pgtest.NewDB(t)
	db.ExecFile(t, "testdata/reference/normalised.sql")
	model, err := rbacdrift.LoadModel("testdata/reference/normalised.yaml")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, db.URL)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)

	rep, err := rbacdrift.Check(ctx, conn, model, rbacdrift.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Failed() {
		t.Errorf("the normalised database fails the check: %v", rep.Failing())
	}
	if rep.ServerVersion == "" {
		t.Errorf("no server version")
	}
	var js strings.Builder
	if err := rep.WriteJSON(&js); err != nil || !strings.Contains(js.String(), `"startup_settings": "not_sent"`) {
		t.Errorf("WriteJSON: %v\n%s", err, js.String())
	}

	// A warning fails only at FailOnWarning.
	warn := pgtest.NewDB(t)
	warn.ExecFile(t, "testdata/reference/normalised.sql")
	warn.Exec(t, "ALTER TABLE users ADD COLUMN nickname text")
	wconn, err := pgx.Connect(ctx, warn.URL)
	if err != nil {
		t.Fatal(err)
	}
	defer wconn.Close(ctx)
	for _, tt := range []struct {
		level rbacdrift.FailLevel
		fails bool
	}{{"", false}, {rbacdrift.FailOnError, false}, {rbacdrift.FailOnWarning, true}, {rbacdrift.FailNever, false}} {
		rep, err := rbacdrift.Check(ctx, wconn, model, rbacdrift.Options{FailOn: tt.level, SkipQueries: true})
		if err != nil {
			t.Fatal(err)
		}
		if rep.Failed() != tt.fails {
			t.Errorf("FailOn %q: Failed() = %v, want %v (%d findings)", tt.level, rep.Failed(), tt.fails, len(rep.Findings))
		}
	}

	// Errors, not findings.
	if _, err := rbacdrift.Check(ctx, conn, model, rbacdrift.Options{FailOn: "sometimes"}); err == nil {
		t.Errorf("an unknown fail level is accepted")
	}
	tx, err := conn.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := rbacdrift.Check(ctx, conn, model, rbacdrift.Options{}); !errors.Is(err, rbacdrift.ErrBusy) {
		t.Errorf("Check in a transaction: %v, want ErrBusy", err)
	}
	tx.Rollback(ctx)
	if _, err := rbacdrift.LoadModel("testdata/no-such-model.yaml"); err == nil {
		t.Errorf("a missing model file loads")
	}
	bad := t.TempDir() + "/bad.yaml"
	os.WriteFile(bad, []byte("version: 1\ntables:\n  users:\n    colums: {}\n"), 0o644)
	if _, err := rbacdrift.LoadModel(bad); err == nil || !strings.Contains(err.Error(), "bad.yaml:4:5") {
		t.Errorf("a broken model: %v, want its file:line:column", err)
	}
}

// TestLoadModelUnknownTool: the Go API refuses a model whose
// migrations.tool names no tool, as the command does, before any check.
func TestLoadModelUnknownTool(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "rbacdrift.yaml")
	model := "version: 1\nmigrations:\n  dir: migrations\n  tool: flywheel\ntables:\n  t:\n    columns:\n      id: { type: integer }\n"
	if err := os.WriteFile(file, []byte(model), 0o600); err != nil {
		t.Fatal(err)
	}
	_, err := rbacdrift.LoadModel(file)
	if err == nil || !strings.Contains(err.Error(), "flywheel") || !strings.Contains(err.Error(), "rbacdrift.yaml:4") {
		t.Fatalf("LoadModel = %v, want an error naming the tool and its position", err)
	}
}
