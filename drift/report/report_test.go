package report

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/rbacdrift/rbacdrift/drift"
	"github.com/rbacdrift/rbacdrift/internal/testutil/golden"
)

// referenceInput is the input of every reference golden file: the report of
// the crossed reference scenario, as [New] takes it. It is checked in,
// so that the renderers are tested without a database; the end-to-end test
// TestReferenceInput in internal/check keeps it what a real check of the
// scenario finds (the normalised model with its waivers against the legacy
// database, dry run included, target fixed so that nothing depends on the
// server's host, port or version).
const referenceInput = "testdata/reference.input.json"

// An input is what [New] takes, as referenceInput holds it.
type input struct {
	Model    string           `json:"model"`
	Target   Target           `json:"target"`
	Checked  Checked          `json:"checked"`
	Findings []*drift.Finding `json:"findings"`
}

// referenceReport is the report of the crossed reference scenario, built
// from referenceInput.
func referenceReport(t testing.TB) *Report {
	t.Helper()
	data, err := os.ReadFile(referenceInput)
	if err != nil {
		t.Fatal(err)
	}
	var in input
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&in); err != nil {
		t.Fatalf("reading %s: %v", referenceInput, err)
	}
	return New(in.Model, in.Target, in.Checked, in.Findings)
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
