package report

import (
	"bytes"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/rbacdrift/rbacdrift/drift"
)

func TestGitHubEscaping(t *testing.T) {
	tests := []struct {
		name       string
		in         string
		data, prop string
	}{
		{"plain", "public.users", "public.users", "public.users"},
		{"percent first", "100%0A", "100%250A", "100%250A"},
		{"line breaks", "a\r\nb", "a%0D%0Ab", "a%0D%0Ab"},
		{"separators", "dir,name:1", "dir,name:1", "dir%2Cname%3A1"},
		{"double colon", "a::b", "a::b", "a%3A%3Ab"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := escapeData(tt.in); got != tt.data {
				t.Errorf("escapeData(%q) = %q, want %q", tt.in, got, tt.data)
			}
			if got := escapeProperty(tt.in); got != tt.prop {
				t.Errorf("escapeProperty(%q) = %q, want %q", tt.in, got, tt.prop)
			}
		})
	}
}

func TestGitHubCommands(t *testing.T) {
	tests := []struct {
		name string
		f    *drift.Finding
		want string
	}{
		{"error with hint", &drift.Finding{Code: "missing-table", Severity: drift.Error, Object: "public.t", Message: "table public.t does not exist",
			Hint: "run the migration", File: "db/rbac,drift.yaml", Line: 7, Column: 3},
			"::error file=db/rbac%2Cdrift.yaml,line=7,col=3,title=rbacdrift missing-table::public.t: table public.t does not exist%0Ahint: run the migration"},
		{"warning in a query file", &drift.Finding{Code: "query-returned-rows", Severity: drift.Warning, Object: "query:q", Message: "100% of rows",
			File: "queries/rbac.sql", Line: 12},
			"::warning file=queries/rbac.sql,line=12,title=rbacdrift query-returned-rows::query:q: 100%25 of rows"},
		{"waived", &drift.Finding{Code: "missing-index", Severity: drift.Warning, Object: "public.t", Message: "no index",
			File: "rbacdrift.yaml", Line: 9, Column: 9, Suppressed: &drift.Suppression{Reason: "later", Until: "2030-01-01"}},
			"::notice file=rbacdrift.yaml,line=9,col=9,title=rbacdrift missing-index (waived)::public.t: no index%0Awaived: later (until 2030-01-01)"},
		{"no position", &drift.Finding{Code: "missing-enum", Severity: drift.Error, Object: "public.e", Message: "m"},
			"::error title=rbacdrift missing-enum::public.e: m"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var b bytes.Buffer
			if err := GitHub(&b, New("rbacdrift.yaml", Target{}, Checked{}, []*drift.Finding{tt.f})); err != nil {
				t.Fatal(err)
			}
			lines := strings.Split(b.String(), "\n")
			if diff := cmp.Diff(tt.want, lines[1]); diff != "" {
				t.Errorf("command (-want +got):\n%s", diff)
			}
		})
	}
}
