package explain

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestParse checks the relations and the constant-false filters read from
// EXPLAIN (VERBOSE, FORMAT JSON), through the nested plans and past the
// keys that are not read.
func TestParse(t *testing.T) {
	const text = `[{"Plan": {"Node Type": "ModifyTable", "Operation": "Update", "Relation Name": "roles", "Schema": "public",
	  "Output": ["a", "b"], "Plans": [{"Node Type": "Seq Scan", "Relation Name": "roles", "Schema": "public", "Filter": "(false AND (id = $1))"},
	            {"Node Type": "Result", "One-Time Filter": "true", "Plans": [{"Node Type": "Index Scan", "Relation Name": "users", "Schema": "app"}]}]}}]`
	p, err := Parse(text)
	if err != nil {
		t.Fatal(err)
	}
	want := []Relation{{Schema: "public", Name: "roles", Operation: "Update"}, {Schema: "public", Name: "roles"}, {Schema: "app", Name: "users"}}
	if diff := cmp.Diff(want, p.Relations); diff != "" {
		t.Errorf("relations (-want +got):\n%s", diff)
	}
	if !p.ConstantFalse {
		t.Errorf("ConstantFalse = false, want true for Filter (false AND ...)")
	}
	if m, ok := p.Modifies(); !ok || m != want[0] {
		t.Errorf("Modifies() = %v, %v; want %v", m, ok, want[0])
	}
	for _, bad := range []string{"", "{", `{"Plan": {}}`, `[{"Plan": {"Plans": 3}}]`} {
		if _, err := Parse(bad); err == nil {
			t.Errorf("Parse(%q) took it", bad)
		}
	}
}

// TestSQL checks the EXPLAIN of a prepared statement with and without
// arguments.
func TestSQL(t *testing.T) {
	for n, want := range map[int]string{
		0: "EXPLAIN (VERBOSE, FORMAT JSON) EXECUTE s",
		2: "EXPLAIN (VERBOSE, FORMAT JSON) EXECUTE s(NULL, NULL)",
	} {
		if got := SQL("s", n); got != want {
			t.Errorf("SQL(s, %d) = %q, want %q", n, got, want)
		}
	}
}

// FuzzParse feeds Parse what a hostile server could answer: it returns an
// error or a plan, never panics.
func FuzzParse(f *testing.F) {
	f.Add(`[{"Plan": {"Node Type": "Seq Scan", "Relation Name": "t", "Schema": "s", "Filter": "false"}}]`)
	f.Add(`[{"Plan": {"Plans": [{"Plans": [{"Relation Name": "x"}]}]}}]`)
	f.Fuzz(func(t *testing.T, text string) {
		p, err := Parse(text)
		if err == nil && p == nil {
			t.Fatal("no plan and no error")
		}
	})
}
