package drizzle_test

import (
	"context"
	"testing"
	"time"

	"github.com/rbacdrift/rbacdrift/drift"
	"github.com/rbacdrift/rbacdrift/internal/check"
	"github.com/rbacdrift/rbacdrift/internal/pgsession"
	"github.com/rbacdrift/rbacdrift/spec"
)

// checkModel runs the checker's whole check of m (it has no queries)
// against the database at url, through the read-only session the command
// opens. It is the only place these tests call the pipeline.
func checkModel(t *testing.T, url string, m *spec.Model) []*drift.Finding {
	t.Helper()
	target, err := pgsession.ParseTarget(url)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	opts := pgsession.Options{Timeout: 20 * time.Second}
	conn, err := pgsession.Connect(ctx, target, opts)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(context.Background())
	res, err := check.Check(ctx, pgsession.NewSession(conn, opts), m, check.CheckOptions{})
	if err != nil {
		t.Fatalf("Check: %v", err)
	}
	return res.Findings
}
