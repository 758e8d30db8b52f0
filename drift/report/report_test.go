package report

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/rbacdrift/rbacdrift/internal/pgsession"

	"github.com/google/go-cmp/cmp"
	"github.com/rbacdrift/rbacdrift/drift"
	"github.com/rbacdrift/rbacdrift/internal/dryrun"
	"github.com/rbacdrift/rbacdrift/internal/testutil/golden"
	"github.com/rbacdrift/rbacdrift/internal/testutil/pgtest"
	"github.com/rbacdrift/rbacdrift/spec"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

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

// referenceReport is the report of the crossed reference scenario: the
// normalised model (testdata/reference/normalised.yaml, saved as
// rbacdrift.yaml with [referenceWaivers] appended) checked by [drift.Check]
// and dry-run by [dryrun.Run] against a real database loaded from
// testdata/reference/legacy.sql. The
// target is fixed, so that the golden files do not depend on the server's
// host, port or version.
func referenceReport(t testing.TB) *Report {
	t.Helper()
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
	res, err := compareLive(ctx, session, m)
	if err != nil {
		t.Fatalf("checking the reference database: %v", err)
	}
	queries, err := dryrun.Run(ctx, session, dryrun.Input{Model: m, Catalog: res.Catalog, Types: res.Types})
	if err != nil {
		t.Fatalf("dry-running the reference queries: %v", err)
	}
	fs := append(res.Findings, queries...)
	drift.Sort(fs)
	fs = drift.ApplyWaivers(fs, m.Ignore, referenceToday)
	target := Target{Host: "db.example.com", Port: 5432, Database: "app", User: "rbacdrift", ServerVersion: "15.0 (Debian 15.0-1.pgdg120+1)"}
	checked := Checked{Tables: len(m.Tables), Enums: len(m.Enums), Queries: len(m.Queries), Subjects: drift.Subjects(m)}
	return New("rbacdrift.yaml", target, checked, fs)
}

// renderers are every format, by the name --format gives it.
var renderers = []struct {
	format, golden string
	render         func(*bytes.Buffer, *Report) error
}{
	{"text", "reference.txt", func(b *bytes.Buffer, r *Report) error { return Text(b, r, TextOptions{}) }},
	{"json", "reference.json", func(b *bytes.Buffer, r *Report) error { return JSON(b, r) }},
	{"junit", "reference.junit.xml", func(b *bytes.Buffer, r *Report) error { return JUnit(b, r) }},
	{"sarif", "reference.sarif", func(b *bytes.Buffer, r *Report) error { return SARIF(b, r) }},
	{"github", "reference.github.txt", func(b *bytes.Buffer, r *Report) error { return GitHub(b, r) }},
	{"markdown", "reference.md", func(b *bytes.Buffer, r *Report) error { return Markdown(b, r) }},
}

// render renders r in format.
func render(t testing.TB, format string, r *Report) []byte {
	t.Helper()
	for _, rr := range renderers {
		if rr.format == format {
			var b bytes.Buffer
			if err := rr.render(&b, r); err != nil {
				t.Fatalf("rendering %s: %v", format, err)
			}
			return b.Bytes()
		}
	}
	t.Fatalf("no renderer for %s", format)
	return nil
}

func TestGolden(t *testing.T) {
	r := referenceReport(t)
	// The scenario must hold what the formats show: errors, a warning (the
	// expired waiver) and a waived finding.
	if diff := cmp.Diff(drift.Summary{Errors: 9, Warnings: 1, Suppressed: 1}, r.Summary); diff != "" {
		t.Fatalf("reference summary (-want +got):\n%s", diff)
	}
	for _, rr := range renderers {
		t.Run(rr.format, func(t *testing.T) {
			got := render(t, rr.format, r)
			golden.Check(t, filepath.Join("testdata", rr.golden), got)
		})
	}
}

func TestFailLevel(t *testing.T) {
	waived := &drift.Suppression{Reason: "accepted"}
	tests := []struct {
		level    FailLevel
		severity drift.Severity
		waived   bool
		want     bool
	}{
		{FailOnError, drift.Error, false, true},
		{FailOnError, drift.Warning, false, false},
		{FailOnError, drift.Error, true, false},
		{"", drift.Error, false, true}, // the zero value is error
		{"", drift.Warning, false, false},
		{FailOnWarning, drift.Error, false, true},
		{FailOnWarning, drift.Warning, false, true},
		{FailOnWarning, drift.Warning, true, false},
		{FailNever, drift.Error, false, false},
		{FailNever, drift.Warning, false, false},
	}
	for _, tt := range tests {
		f := &drift.Finding{Severity: tt.severity}
		if tt.waived {
			f.Suppressed = waived
		}
		if got := tt.level.Fails(f); got != tt.want {
			t.Errorf("FailLevel(%q).Fails(%s, waived %v) = %v, want %v", tt.level, tt.severity, tt.waived, got, tt.want)
		}
	}
}

func TestFailedOnReference(t *testing.T) {
	r := referenceReport(t)
	tests := []struct {
		level FailLevel
		want  bool
	}{
		{FailOnError, true},
		{FailOnWarning, true},
		{FailNever, false},
	}
	for _, tt := range tests {
		r.FailOn = tt.level
		if got := r.Failed(); got != tt.want {
			t.Errorf("Failed at %s = %v, want %v", tt.level, got, tt.want)
		}
	}
}
