package check_test

import (
	"context"
	"fmt"
	"net"
	"sync"
	"testing"
	"time"

	"github.com/rbacdrift/rbacdrift/internal/check"
	"github.com/rbacdrift/rbacdrift/internal/pgsession"
	"github.com/rbacdrift/rbacdrift/internal/testutil/pgtest"
	"github.com/rbacdrift/rbacdrift/spec"
)

// SilentServer returns the address of a TCP listener on 127.0.0.1 that
// accepts connections and never answers, as a hung server or a black-holed
// proxy does.
func silentServer(t testing.TB) string {
	t.Helper()
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
			conns = append(conns, c)
			mu.Unlock()
		}
	}()
	t.Cleanup(func() {
		l.Close()
		mu.Lock()
		defer mu.Unlock()
		for _, c := range conns {
			c.Close()
		}
	})
	return l.Addr().String()
}

// TestFleetDeadline: --timeout bounds a fleet run as a whole. Eight silent
// targets checked one at a time with a 2s timeout end within the timeout
// plus the grace of one check; the targets whose turn did not come are
// reported as not checked, with their connection (without a password).
func TestFleetDeadline(t *testing.T) {
	t.Parallel()
	var targets []*spec.Target
	for i := range 8 {
		targets = append(targets, &spec.Target{Name: fmt.Sprintf("silent-%d", i),
			DB: fmt.Sprintf("postgres://app:pw@%s/app?sslmode=disable", silentServer(t))})
	}
	m, err := spec.Parse("fleet.yaml", []byte("version: 1\ntables:\n  users:\n    columns:\n      id: { type: integer }\n"))
	if err != nil {
		t.Fatal(err)
	}
	const timeout = 2 * time.Second
	start := time.Now()
	results := check.CheckFleet(context.Background(), m, targets, check.FleetOptions{
		Session: pgsession.Options{Timeout: timeout}, Parallel: 1})
	elapsed := time.Since(start)
	if limit := timeout + check.Grace + time.Second; elapsed > limit {
		t.Errorf("the fleet run took %v, want at most %v", elapsed.Round(time.Millisecond), limit)
	}
	notChecked := 0
	for _, r := range results {
		switch {
		case r.Failure == nil:
			t.Errorf("%s: checked, on a server that never answers", r.Target.Name)
		case r.Failure.Kind == check.FailNotChecked:
			notChecked++
			if r.Conn == nil || r.Conn.Config.Host != "127.0.0.1" {
				t.Errorf("%s: not checked, without its connection: %+v", r.Target.Name, r.Conn)
			}
		case r.Failure.Kind != check.FailConnect && r.Failure.Kind != check.FailDeadline:
			t.Errorf("%s: failure %+v, want connect, deadline or not checked", r.Target.Name, r.Failure)
		}
	}
	// One or two targets get a turn within the bound; the others do not.
	if notChecked < 6 {
		t.Errorf("%d targets not checked, want at least 6 of 8", notChecked)
	}
	fleet := check.FleetReport("fleet.yaml", "", results)
	if fleet.Summary.Unreachable != 8 || !fleet.Failed() {
		t.Errorf("fleet summary %+v, want 8 targets that could not be checked", fleet.Summary)
	}
}

// TestFleetChecksEveryTargetInTime: a fleet within its bound checks every
// target with the one pipeline, and each target's report is the report of
// a check of that database alone.
func TestFleetChecksEveryTargetInTime(t *testing.T) {
	t.Parallel()
	legacy := legacyWithHistory(t)
	normalised := pgtest.NewDB(t)
	normalised.ExecFile(t, "../../testdata/reference/normalised.sql")
	m, err := spec.Load("../../testdata/embed/rbacdrift.yaml")
	if err != nil {
		t.Fatal(err)
	}
	targets := []*spec.Target{{Name: "legacy", DB: legacy.URL}, {Name: "normalised", DB: normalised.URL}}
	results := check.CheckFleet(context.Background(), m, targets, check.FleetOptions{Session: pgsession.Options{Timeout: 30 * time.Second}})
	for _, r := range results {
		if r.Failure != nil {
			t.Fatalf("%s: %+v", r.Target.Name, r.Failure)
		}
	}
	if n := countExplained(results[0].Result.Findings, "migration:0007_normalise_rbac"); n != 10 {
		t.Errorf("legacy: %d findings explained by the pending migration, want 10", n)
	}
	fleet := check.FleetReport("rbacdrift.yaml", "", results)
	if s := fleet.Summary; s.Targets != 2 || s.Failed != 1 || s.Unreachable != 0 {
		t.Errorf("fleet summary %+v, want 2 targets, 1 failed", s)
	}
	if got := fleet.Targets[0].Target.Database; got != legacy.Name {
		t.Errorf("the legacy target's report names database %q, want %q", got, legacy.Name)
	}
}
