// Package checktest runs the real check of a model against a test database,
// for the tests of the packages that produce models (internal/derive's
// drizzle and Prisma readers, snapshots) and the end-to-end tests of
// internal/check. It is test-only: product code never imports it.
//
// It opens the same read-only session the command opens, so a test sees
// what a user of rbacdrift check would.
package checktest

import (
	"context"
	"testing"
	"time"

	"github.com/rbacdrift/rbacdrift/drift"
	"github.com/rbacdrift/rbacdrift/internal/check"
	"github.com/rbacdrift/rbacdrift/internal/pgsession"
	"github.com/rbacdrift/rbacdrift/spec"
)

// timeout bounds each check; the session's own bound is a little shorter,
// so that a slow server fails with the session's error, not the context's.
const timeout = 30 * time.Second

// Check runs the whole check of m (the catalog comparison, the dry run of
// its queries, its waivers) against the database at url and returns the
// findings.
func Check(t testing.TB, url string, m *spec.Model) []*drift.Finding {
	t.Helper()
	var fs []*drift.Finding
	withSession(t, url, func(ctx context.Context, s *pgsession.Session) {
		res, err := check.Check(ctx, s, m, check.CheckOptions{})
		if err != nil {
			t.Fatalf("Check: %v", err)
		}
		fs = res.Findings
	})
	return fs
}

// Compare runs the catalog comparison of m alone (no dry run, no waivers)
// against the database at url and returns the findings.
func Compare(t testing.TB, url string, m *spec.Model) []*drift.Finding {
	t.Helper()
	var fs []*drift.Finding
	withSession(t, url, func(ctx context.Context, s *pgsession.Session) {
		res, err := check.Compare(ctx, s, m)
		if err != nil {
			t.Fatalf("Compare: %v", err)
		}
		fs = res.Findings
	})
	return fs
}

// Parse parses a model text, failing the test if it does not parse.
func Parse(t testing.TB, name string, model []byte) *spec.Model {
	t.Helper()
	m, err := spec.Parse(name, model)
	if err != nil {
		t.Fatalf("the model does not parse: %v\n%s", err, model)
	}
	return m
}

// withSession connects to url as the command does and calls f with a
// session on that connection, closed afterwards.
func withSession(t testing.TB, url string, f func(context.Context, *pgsession.Session)) {
	t.Helper()
	target, err := pgsession.ParseTarget(url)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	opts := pgsession.Options{Timeout: timeout - 10*time.Second}
	conn, err := pgsession.Connect(ctx, target, opts)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(context.Background())
	f(ctx, pgsession.NewSession(conn, opts))
}
