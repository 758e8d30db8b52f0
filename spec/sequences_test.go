package spec

import (
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestParseSequences: the sequences section, its errors at file:line:column,
// and its round trip through Format.
func TestParseSequences(t *testing.T) {
	errs := []struct{ yaml, want string }{
		{"version: 1\nsequences:\n  s: { owned_by: t }\n", `m.yaml:3:18: sequences.s.owned_by: "t" names no column`},
		{"version: 1\nsequences:\n  s: { grants: { app: [EXECUTE] } }\n", `m.yaml:3:23: sequences.s.grants.app: "EXECUTE" is not a sequence privilege (one of USAGE, SELECT, UPDATE, or ALL)`},
		{"version: 1\nsequences:\n  s: { owner: app }\n", "m.yaml:3:8: sequences.s.owner: unknown key; allowed here: owned_by, grants"},
		{"version: 1\nsequences:\n  s: {}\n  public.s: {}\n", "m.yaml:4:3: sequences.public.s: sequence public.s is declared twice; first at line 3"},
		{"version: 1\nsequences:\n  s: { owned_by: a.b.c.d }\n", `m.yaml:3:18: sequences.s.owned_by: "a.b.c" has 3 parts`},
	}
	for _, tt := range errs {
		_, err := Parse("m.yaml", []byte(tt.yaml))
		var es Errors
		if !errors.As(err, &es) || len(es) != 1 || !strings.HasPrefix(es[0].Error(), tt.want) {
			t.Errorf("Parse(%q) = %v, want one error starting %q", tt.yaml, err, tt.want)
		}
	}
	m, err := Parse("m.yaml", []byte(`version: 1
schema: app
sequences:
  invite_code_seq: { owned_by: null, grants: { app: [usage, ALL] } }
  billing.n: { owned_by: '"my.table".id' }
  bare:
`))
	if err != nil {
		t.Fatal(err)
	}
	want := []*Sequence{
		{Name: Name{"app", "invite_code_seq"}, HasOwnedBy: true, Grants: []*Grant{{Role: "app", Privileges: []string{"USAGE", "SELECT", "UPDATE"}}}},
		{Name: Name{"billing", "n"}, HasOwnedBy: true, OwnedBy: &ColumnRef{Table: Name{"app", "my.table"}, Column: "id"}},
		{Name: Name{"app", "bare"}},
	}
	if diff := cmp.Diff(want, m.Sequences, ignorePos); diff != "" {
		t.Errorf("sequences (-want +got):\n%s", diff)
	}
	formatRoundTrip(t, m)
}
