package report

import (
	"bytes"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/rbacdrift/rbacdrift/drift"
)

func TestMarkdownEscaping(t *testing.T) {
	tests := []struct {
		in, text, code string
	}{
		{"role_permissions", `role\_permissions`, "`role_permissions`"},
		{"a | b", `a \| b`, "`a | b`"},
		{"<script>*x*</script>", `\<script\>\*x\*\</script\>`, "`<script>*x*</script>`"},
		{"two\nlines", "two lines", "`two lines`"},
		{"a `tick`", "a \\`tick\\`", "`` a `tick` ``"},
		{"`", "\\`", "`` ` ``"},
		{"", "", "*empty*"},
	}
	for _, tt := range tests {
		if got := mdText(tt.in); got != tt.text {
			t.Errorf("mdText(%q) = %q, want %q", tt.in, got, tt.text)
		}
		if got := mdCode(tt.in); got != tt.code {
			t.Errorf("mdCode(%q) = %q, want %q", tt.in, got, tt.code)
		}
	}
	if got, want := mdCell("a|b"), "`a\\|b`"; got != want {
		t.Errorf("mdCell(a|b) = %q, want %q", got, want)
	}
}

func TestMarkdownHeadline(t *testing.T) {
	warning := &drift.Finding{Code: "missing-index", Severity: drift.Warning, Object: "public.t", Subject: "public.t", Message: "m"}
	errorF := &drift.Finding{Code: "missing-table", Severity: drift.Error, Object: "public.u", Subject: "public.u", Message: "m"}
	tests := []struct {
		name     string
		level    FailLevel
		findings []*drift.Finding
		want     string
	}{
		{"clean", FailOnError, nil, "## :white_check_mark: rbacdrift: no drift: 2 tables match the model"},
		{"warning only", FailOnError, []*drift.Finding{warning}, "## :warning: rbacdrift: 0 errors, 1 warning in 2 tables"},
		{"warning fails", FailOnWarning, []*drift.Finding{warning}, "## :x: rbacdrift: 0 errors, 1 warning in 2 tables"},
		{"error never fails", FailNever, []*drift.Finding{errorF}, "## :warning: rbacdrift: 1 error, 0 warnings in 2 tables"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := New("rbacdrift.yaml", Target{}, Checked{Tables: 2, Subjects: []string{"public.t", "public.u"}}, tt.findings)
			r.FailOn = tt.level
			var b bytes.Buffer
			if err := Markdown(&b, r); err != nil {
				t.Fatal(err)
			}
			lines := strings.Split(b.String(), "\n")
			if lines[0] != MarkdownMarker {
				t.Errorf("first line %q, want the marker", lines[0])
			}
			if diff := cmp.Diff(tt.want, lines[1]); diff != "" {
				t.Errorf("headline (-want +got):\n%s", diff)
			}
		})
	}
}
