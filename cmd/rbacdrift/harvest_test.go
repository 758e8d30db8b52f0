package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/rbacdrift/rbacdrift/internal/testutil/golden"
	"github.com/rbacdrift/rbacdrift/internal/testutil/pgtest"
)

const drizzleApp = "../../testdata/harvest/drizzle-app"

// drizzleAppDir installs the drizzle application's npm packages, once, in a
// folder of the user's cache named for its package-lock.json, and returns
// that folder with the application in it. A folder installed before is
// reused, so the test runs offline after its first run. Without node and
// npm the test fails and says how to get them: the founding incident is
// the reason rbacdrift harvests, and it is not skipped.
func drizzleAppDir(t *testing.T) string {
	t.Helper()
	dir := npmInstalled(t, drizzleApp, "drizzle-app", "the harvest test runs a real drizzle-orm application")
	b, err := os.ReadFile(filepath.Join(drizzleApp, "app.mjs"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "app.mjs"), b, 0o644); err != nil {
		t.Fatal(err)
	}
	return dir
}

// TestHarvestFoundingIncident is the founding incident end to end. The
// application loads a user's permissions with drizzle's query builder;
// nobody has its SQL. It runs against staging (migrated, with
// pg_stat_statements); rbacdrift harvest writes its queries; the check of
// production, where the migration that normalises role_permissions never
// ran, fails with the harvested query's 42703, explained by that
// migration.
func TestHarvestFoundingIncident(t *testing.T) {
	app := drizzleAppDir(t)
	c := pgtest.StartCluster(t, pgtest.ClusterOptions{ExtraConf: pgtest.StatementsConf()})
	ctx := context.Background()
	sqlExec := func(url string, files ...string) {
		t.Helper()
		conn, err := pgx.Connect(ctx, url)
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close(ctx)
		for _, f := range files {
			sql := f
			if strings.HasSuffix(f, ".sql") {
				b, err := os.ReadFile(f)
				if err != nil {
					t.Fatal(err)
				}
				sql = string(b)
			}
			if _, err := conn.Exec(ctx, sql, pgx.QueryExecModeSimpleProtocol); err != nil {
				t.Fatalf("%s: %v", f, err)
			}
		}
	}
	sqlExec(c.URL("postgres", "", ""), "CREATE DATABASE staging", "CREATE DATABASE production", "CREATE ROLE app_user LOGIN")
	sqlExec(c.URL("staging", "", ""), "CREATE EXTENSION pg_stat_statements", "../../testdata/reference/normalised.sql",
		"GRANT SELECT ON ALL TABLES IN SCHEMA public TO app_user", "SELECT pg_stat_statements_reset()")
	sqlExec(c.URL("production", "", ""), "../../testdata/reference/legacy.sql", "../../testdata/reference/legacy_drizzle_history.sql",
		"GRANT SELECT ON ALL TABLES IN SCHEMA public TO app_user")

	node := exec.CommandContext(ctx, "node", "app.mjs", "1", "2", "1")
	node.Dir = app
	node.Env = append(os.Environ(), "DATABASE_URL="+c.URL("staging", "app_user", ""))
	if out, err := node.CombinedOutput(); err != nil {
		t.Fatalf("node app.mjs: %v\n%s", err, out)
	}

	// The model of the current release, without its hand-written query:
	// the harvest finds the application's.
	work := t.TempDir()
	ref, err := os.ReadFile("../../testdata/reference/normalised.yaml")
	if err != nil {
		t.Fatal(err)
	}
	i := bytes.Index(ref, []byte("\n# The application's permission query"))
	if i < 0 {
		t.Fatal("normalised.yaml: no queries section to cut")
	}
	modelFile := filepath.Join(work, "rbacdrift.yaml")
	if err := os.WriteFile(modelFile, append(ref[:i:i], "\nrun_as: app_user\nquery_files: [harvested.sql]\n"...), 0o644); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(work, "harvested.sql")

	at := time.Date(2025, 3, 14, 9, 26, 53, 0, time.UTC)
	defer func(f func() time.Time) { now = f }(now)
	now = func() time.Time { return at }
	harvestArgs := []string{"harvest", "--db", c.URL("staging", "", ""), "--spec", modelFile, "--out", out, "--role", "app_user"}
	var stdout, stderr bytes.Buffer
	if code := run(ctx, harvestArgs, nil, &stdout, &stderr); code != exitOK {
		t.Fatalf("harvest: exit %d\n%s%s", code, stdout.String(), stderr.String())
	}
	first, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	golden.Check(t, "../../testdata/harvest/drizzle.golden.sql", first)

	// A re-harvest is stable: same names, same order, the figures updated.
	at = at.Add(24 * time.Hour)
	stdout.Reset()
	stderr.Reset()
	if code := run(ctx, harvestArgs, nil, &stdout, &stderr); code != exitOK {
		t.Fatalf("re-harvest: exit %d\n%s", code, stderr.String())
	}
	second, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	if want := strings.ReplaceAll(string(first), "2025-03-14T09:26:53Z.", "2025-03-15T09:26:53Z."); strings.ReplaceAll(string(second), "last=2025-03-15T09:26:53Z", "last=2025-03-14T09:26:53Z") != want {
		t.Errorf("re-harvest changed more than the dates:\n--- first\n%s\n--- second\n%s", first, second)
	}

	// The check of production.
	stdout.Reset()
	stderr.Reset()
	code := run(ctx, []string{"check", "--db", c.URL("production", "", ""), "--spec", modelFile, "--format", "json",
		"--migrations", "../../testdata/migrations/drizzle-reference"}, nil, &stdout, &stderr)
	if code != exitDrift {
		t.Fatalf("check of production: exit %d, want %d\n%s", code, exitDrift, stderr.String())
	}
	var rep struct {
		Findings []struct {
			Code, Object, SQLState, Subject string
			ExplainedBy                     string   `json:"explained_by"`
			Affects                         []string `json:"affects"`
		}
	}
	if err := json.Unmarshal(stdout.Bytes(), &rep); err != nil {
		t.Fatalf("%v\n%s", err, stdout.String())
	}
	var queryErr, pending bool
	var missing []string
	for _, f := range rep.Findings {
		switch {
		case f.Code == "query-error" && f.SQLState == "42703" && strings.HasPrefix(f.Object, "query:select_user_roles_"):
			queryErr = true
			if f.ExplainedBy != "migration:0007_normalise_rbac" {
				t.Errorf("%s: explained_by %q, want the pending migration", f.Object, f.ExplainedBy)
			}
		case f.Code == "migration-pending" && strings.Contains(f.Object, "0007_normalise_rbac"):
			pending = true
		case f.Code == "missing-column":
			missing = append(missing, f.Object)
			if len(f.Affects) != 1 || !strings.HasPrefix(f.Affects[0], "query:select_user_roles_") {
				t.Errorf("%s: affects %v, want the harvested loader", f.Object, f.Affects)
			}
		}
	}
	if !queryErr || !pending || len(missing) == 0 {
		t.Errorf("check of production: query-error 42703 %v, migration-pending %v, missing columns %v\n%s", queryErr, pending, missing, stdout.String())
	}
}

// TestHarvestFromLog harvests from a real server's log, in the stderr and
// csvlog formats (log_min_duration_statement = 0), where the application's
// role sent statements by the simple and the extended protocol to staging,
// and one to another database that has a table of the same name: that one
// is left out, as pg_stat_statements is read for the current database
// only.
func TestHarvestFromLog(t *testing.T) {
	c := pgtest.StartCluster(t, pgtest.ClusterOptions{ExtraConf: []string{
		"logging_collector = on", "log_directory = 'log'", "log_filename = 'server.log'",
		"log_destination = 'stderr,csvlog'", "log_min_duration_statement = 0",
		"log_line_prefix = '%m [%p] %q%u@%d '",
	}})
	ctx := context.Background()
	exec := func(url string, mode pgx.QueryExecMode, sqls ...string) {
		t.Helper()
		conn, err := pgx.Connect(ctx, url)
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close(ctx)
		for _, sql := range sqls {
			args := []any{mode}
			if strings.Contains(sql, "$1") {
				args = append(args, 3)
			}
			if _, err := conn.Exec(ctx, sql, args...); err != nil {
				t.Fatalf("%s: %v", sql, err)
			}
		}
	}
	ref, err := os.ReadFile("../../testdata/reference/normalised.sql")
	if err != nil {
		t.Fatal(err)
	}
	exec(c.URL("postgres", "", ""), pgx.QueryExecModeSimpleProtocol, "CREATE DATABASE staging", "CREATE DATABASE billing", "CREATE ROLE app_user LOGIN")
	exec(c.URL("staging", "", ""), pgx.QueryExecModeSimpleProtocol, string(ref), "GRANT SELECT ON ALL TABLES IN SCHEMA public TO app_user")
	exec(c.URL("billing", "", ""), pgx.QueryExecModeSimpleProtocol, "CREATE TABLE roles (id int PRIMARY KEY, name text)", "GRANT SELECT ON roles TO app_user")
	exec(c.URL("staging", "app_user", ""), pgx.QueryExecModeSimpleProtocol, "SELECT name FROM roles WHERE id = 1", "SELECT name FROM roles WHERE id = 2")
	exec(c.URL("staging", "app_user", ""), pgx.QueryExecModeExec, "SELECT scope FROM role_permissions WHERE role_id = $1")
	exec(c.URL("billing", "app_user", ""), pgx.QueryExecModeSimpleProtocol, "SELECT name FROM roles WHERE id = 4")
	// The last statement, to wait for: the collector writes the log in its
	// own time.
	exec(c.URL("postgres", "", ""), pgx.QueryExecModeSimpleProtocol, "SELECT 'rbacdrift: end of the test log'")

	for _, file := range []string{"server.log", "server.csv"} {
		t.Run(file, func(t *testing.T) {
			log := filepath.Join(c.DataDir, "log", file)
			for deadline := time.Now().Add(20 * time.Second); ; time.Sleep(100 * time.Millisecond) {
				if b, _ := os.ReadFile(log); bytes.Contains(b, []byte("end of the test log")) {
					break
				}
				if time.Now().After(deadline) {
					t.Fatalf("%s: the statements did not reach the log", log)
				}
			}
			out := filepath.Join(t.TempDir(), "harvested.sql")
			var stdout, stderr bytes.Buffer
			args := []string{"harvest", "--db", c.URL("staging", "", ""), "--spec", "../../testdata/reference/normalised.yaml",
				"--out", out, "--role", "app_user", "--from-log", log}
			if code := run(ctx, args, nil, &stdout, &stderr); code != exitOK {
				t.Fatalf("harvest: exit %d\n%s%s", code, stdout.String(), stderr.String())
			}
			got, err := os.ReadFile(out)
			if err != nil {
				t.Fatal(err)
			}
			for _, want := range []string{"SELECT name FROM roles WHERE id = 1", "SELECT scope FROM role_permissions WHERE role_id = $1"} {
				if !bytes.Contains(got, []byte(want)) {
					t.Errorf("the harvest lacks %q:\n%s", want, got)
				}
			}
			// Two executions on staging; the one on billing is not counted.
			if !bytes.Contains(got, []byte("-- harvest: calls=2 rows=0 role=app_user")) || bytes.Count(got, []byte("FROM roles")) != 1 {
				t.Errorf("the harvest counts another database's statement, or keeps both executions of one:\n%s", got)
			}
		})
	}
}
