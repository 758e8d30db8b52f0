package check_test

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/rbacdrift/rbacdrift/drift"
	"github.com/rbacdrift/rbacdrift/drift/report"
	"github.com/rbacdrift/rbacdrift/internal/check"
	"github.com/rbacdrift/rbacdrift/internal/pgsession"
	"github.com/rbacdrift/rbacdrift/internal/testutil/golden"
	"github.com/rbacdrift/rbacdrift/internal/testutil/pgtest"
	"github.com/rbacdrift/rbacdrift/spec"
)

// referenceInput is the checked-in input of drift/report's reference golden
// files (text, JSON, JUnit, SARIF, GitHub, Markdown): the renderers are
// tested on it without a database, and this test keeps it what a real check
// finds.
const referenceInput = "../../drift/report/testdata/reference.input.json"

// referenceWaivers are appended to the reference model: one active waiver
// (the missing index, a warning) and one expired on referenceToday (the
// forbidden legacy columns, which it therefore no longer hides).
const referenceWaivers = `ignore:
  - code: missing-index
    object: public.role_permissions
    reason: "the index lands with the permission_id migration (RBAC-142)"
  - code: forbidden-column
    object: public.role_permissions.*
    reason: "legacy columns kept for the rollback window"
    until: 2024-06-30
`

// referenceToday is the date the waivers are judged on.
var referenceToday = time.Date(2025, 1, 15, 9, 0, 0, 0, time.UTC)

// reportInput is what report.New takes, as referenceInput holds it.
type reportInput struct {
	Model    string           `json:"model"`
	Target   report.Target    `json:"target"`
	Checked  report.Checked   `json:"checked"`
	Findings []*drift.Finding `json:"findings"`
}

// TestReferenceInput checks the crossed reference scenario for real: the
// normalised model (testdata/reference/normalised.yaml, saved as
// rbacdrift.yaml with referenceWaivers appended) compared with and dry-run
// against a database loaded from testdata/reference/legacy.sql, through
// [check.Check] as the command runs it (the queries each finding affects
// included). What it
// finds must be referenceInput, byte for byte; the target is fixed, so that
// the file does not depend on the server's host, port or version.
func TestReferenceInput(t *testing.T) {
	t.Parallel()
	db := pgtest.NewDB(t)
	db.ExecFile(t, "../../testdata/reference/legacy.sql")
	data, err := os.ReadFile("../../testdata/reference/normalised.yaml")
	if err != nil {
		t.Fatal(err)
	}
	m, err := spec.Parse("rbacdrift.yaml", append(data, referenceWaivers...))
	if err != nil {
		t.Fatalf("parsing the reference model: %v", err)
	}
	ctx, conn := context.Background(), db.Conn(t)
	session := pgsession.NewSession(conn, pgsession.Options{})
	res, err := check.Check(ctx, session, m, check.CheckOptions{Today: referenceToday})
	if err != nil {
		t.Fatalf("checking the reference database: %v", err)
	}
	fs := res.Findings
	in := reportInput{
		Model:    "rbacdrift.yaml",
		Target:   report.Target{Host: "db.example.com", Port: 5432, Database: "app", User: "rbacdrift", ServerVersion: "15.0 (Debian 15.0-1.pgdg120+1)"},
		Checked:  report.Checked{Tables: len(m.Tables), Enums: len(m.Enums), Queries: len(m.Queries), Subjects: drift.Subjects(m)},
		Findings: fs,
	}
	// The scenario must hold what the formats show: errors, a warning (the
	// expired waiver) and a waived finding.
	if diff := cmp.Diff(drift.Summary{Errors: 9, Warnings: 1, Suppressed: 1}, drift.Summarize(fs)); diff != "" {
		t.Errorf("reference summary (-want +got):\n%s", diff)
	}
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	if err := enc.Encode(in); err != nil {
		t.Fatal(err)
	}
	golden.Check(t, referenceInput, b.Bytes())
}
