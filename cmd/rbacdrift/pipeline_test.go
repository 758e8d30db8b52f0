package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/jackc/pgx/v5"
	api "github.com/rbacdrift/rbacdrift"
	"github.com/rbacdrift/rbacdrift/drift"
	"github.com/rbacdrift/rbacdrift/drift/report"
	"github.com/rbacdrift/rbacdrift/internal/testutil/pgtest"
)

// findingKeys lists what makes two findings the same: code, severity,
// object, tenant schema and root cause.
func findingKeys(fs []*drift.Finding) []string {
	var out []string
	for _, f := range fs {
		out = append(out, fmt.Sprintf("%s %s %s schema=%s explained_by=%s", f.Severity, f.Code, f.Object, f.Schema, f.ExplainedBy))
	}
	return out
}

// TestCommandAndAPIAgree: the command's JSON report and the Go API give the
// same findings, root cause included, on the demo database (scripts/demo.sh:
// legacy.sql with drizzle's history of all migrations but the last): with
// the model's own migrations section, loaded from a path or from an fs.FS,
// and with the section given as --migrations.
func TestCommandAndAPIAgree(t *testing.T) {
	db := pgtest.NewDB(t)
	db.ExecFile(t, "../../testdata/reference/legacy.sql")
	db.ExecFile(t, "../../testdata/reference/legacy_drizzle_history.sql")
	const model = "../../testdata/embed/rbacdrift.yaml"

	cli := func(args ...string) []string {
		t.Helper()
		code, stdout, stderr := runIn(t, "", append([]string{"check", "--db", db.URL, "--format", "json"}, args...)...)
		if code != exitDrift {
			t.Fatalf("rbacdrift check %v: exit %d, want %d\n%s", args, code, exitDrift, stderr)
		}
		var rep report.Report
		if err := json.Unmarshal([]byte(stdout), &rep); err != nil {
			t.Fatal(err)
		}
		return findingKeys(rep.Findings)
	}
	want := cli("--spec", model)
	if !strings.Contains(strings.Join(want, "\n"), "explained_by=migration:0007_normalise_rbac") {
		t.Fatalf("the command names no root cause:\n%s", strings.Join(want, "\n"))
	}
	if diff := cmp.Diff(want, cli("--spec", "../../testdata/reference/normalised.yaml", "--migrations", "../../testdata/migrations/drizzle-reference")); diff != "" {
		t.Errorf("--migrations and the model's section differ (-section +flag):\n%s", diff)
	}

	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	conn, err := pgx.Connect(ctx, db.URL)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	fromPath, err := api.LoadModel(model)
	if err != nil {
		t.Fatal(err)
	}
	fromFS, err := api.LoadModelFS(os.DirFS("../../testdata"), "embed/rbacdrift.yaml")
	if err != nil {
		t.Fatal(err)
	}
	for name, m := range map[string]*api.Model{"LoadModel": fromPath, "LoadModelFS": fromFS} {
		rep, err := api.Check(ctx, conn, m, api.Options{})
		if err != nil {
			t.Fatalf("%s: Check: %v", name, err)
		}
		if diff := cmp.Diff(want, findingKeys(rep.Findings)); diff != "" {
			t.Errorf("%s: the API and the command differ (-command +API):\n%s", name, diff)
		}
	}
}

// TestFleetTimeoutBoundsTheRun: --timeout bounds a --targets run as a
// whole; targets whose turn did not come are reported as not checked, and
// the run exits 3, as for a target that cannot be reached.
func TestFleetTimeoutBoundsTheRun(t *testing.T) {
	t.Parallel()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var conns []net.Conn
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			conns = append(conns, c) // held open, never answered
			mu.Unlock()
		}
	}()
	defer func() {
		l.Close()
		mu.Lock()
		defer mu.Unlock()
		for _, c := range conns {
			c.Close()
		}
	}()
	var list strings.Builder
	for i := range 8 {
		fmt.Fprintf(&list, "- name: silent-%d\n  db: postgres://app@%s/app?sslmode=disable\n", i, l.Addr())
	}
	targets := filepath.Join(t.TempDir(), "targets.yaml")
	if err := os.WriteFile(targets, []byte(list.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	var stdout, stderr strings.Builder
	code := run(context.Background(), []string{"check", "--targets", targets, "--spec", "../../testdata/reference/normalised.yaml",
		"--timeout", "2s", "--parallel", "1", "--format", "json"}, strings.NewReader(""), &stdout, &stderr)
	if elapsed := time.Since(start); elapsed > 5*time.Second {
		t.Errorf("the run took %v with --timeout 2s", elapsed.Round(time.Millisecond))
	}
	if code != exitConnect {
		t.Errorf("exit %d, want %d\n%s", code, exitConnect, stderr.String())
	}
	if !strings.Contains(stderr.String(), "silent-7: not checked") || !strings.Contains(stderr.String(), "hint: --timeout bounds the whole run") {
		t.Errorf("stderr does not say which targets were not checked:\n%s", stderr.String())
	}
	var fleet report.Fleet
	if err := json.Unmarshal([]byte(stdout.String()), &fleet); err != nil {
		t.Fatal(err)
	}
	if fleet.Summary.Unreachable != 8 || !strings.HasPrefix(fleet.Targets[7].Error, "not checked") {
		t.Errorf("fleet report: %+v; last target %+v", fleet.Summary, fleet.Targets[7])
	}
}
