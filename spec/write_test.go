package spec

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
	"gopkg.in/yaml.v3"
)

// modelFiles returns every model file in the repository's testdata that
// parses, and the invalid ones apart.
func modelFiles(t testing.TB) (valid, invalid []string) {
	t.Helper()
	for _, pattern := range []string{"../testdata/reference/*.yaml", "../testdata/snapshot/*.yaml", "../testdata/models/valid/*.yaml"} {
		m, err := filepath.Glob(pattern)
		if err != nil {
			t.Fatal(err)
		}
		valid = append(valid, m...)
	}
	invalid, err := filepath.Glob("../testdata/models/invalid/*.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if len(valid) < 5 || len(invalid) < 5 {
		t.Fatalf("testdata holds %d valid and %d invalid models; the corpus is missing", len(valid), len(invalid))
	}
	return valid, invalid
}

// schemaFacts is what Format renders: a model without its inline queries
// and positions.
func schemaFacts(m *Model) *Model {
	c := *m
	c.Queries, c.File, c.RunAsPos = nil, "", Pos{}
	return &c
}

var ignorePos = cmp.Comparer(func(a, b Pos) bool { return true })

// formatRoundTrip checks that Format(m) parses back to the same facts and
// that formatting is stable.
func formatRoundTrip(t testing.TB, m *Model) {
	t.Helper()
	text := Format(m, "header")
	back, err := Parse("formatted.yaml", text)
	if err != nil {
		t.Fatalf("the formatted model does not parse: %v\n%s", err, text)
	}
	if diff := cmp.Diff(schemaFacts(m), schemaFacts(back), ignorePos); diff != "" {
		t.Fatalf("the formatted model parses to other facts (-want +got):\n%s\n%s", diff, text)
	}
	if again := Format(back, "header"); string(again) != string(text) {
		t.Fatalf("formatting is not stable:\n%s\n---\n%s", text, again)
	}
}

func TestFormatRoundTrip(t *testing.T) {
	valid, _ := modelFiles(t)
	for _, file := range valid {
		t.Run(filepath.Base(file), func(t *testing.T) {
			data, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			m, err := Parse(file, data)
			if err != nil {
				t.Fatalf("a valid example does not parse: %v", err)
			}
			formatRoundTrip(t, m)
		})
	}
}

func TestScalar(t *testing.T) {
	tests := []struct{ in, want string }{
		{"role_permissions", "role_permissions"},
		{"character varying(64)", "character varying(64)"},
		{"timestamp(3) with time zone", "timestamp(3) with time zone"},
		{"now()", "now()"},
		{"text[]", `"text[]"`},
		{"numeric(10,2)", `"numeric(10,2)"`},
		{"'global'::permission_scope", `"'global'::permission_scope"`},
		{`"my.table"`, `"\"my.table\""`},
		{"true", `"true"`},
		{"No", `"No"`},
		{"null", `"null"`},
		{"n", `"n"`},
		{"123", `"123"`},
		{"1.5", `"1.5"`},
		{"", `""`},
		{"trailing ", `"trailing "`},
		{"a: b", `"a: b"`},
		{"a #b", `"a #b"`},
		{"-x", `"-x"`},
		{"*", `"*"`},
		{"line\nbreak", `"line\nbreak"`},
		{"UserRoles", "UserRoles"},
		{"Ünïcode", `"Ünïcode"`},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got := scalar(tt.in)
			if got != tt.want {
				t.Errorf("scalar(%q) = %s, want %s", tt.in, got, tt.want)
			}
			for _, doc := range []string{"k: " + got, "k: [" + got + "]", "k: { v: " + got + " }", got + ": x"} {
				var n yaml.Node
				if err := yaml.Unmarshal([]byte(doc), &n); err != nil {
					t.Fatalf("%s: %v", doc, err)
				}
				var s *yaml.Node
				switch m := n.Content[0]; {
				case doc[0] != 'k':
					s = m.Content[0]
				case m.Content[1].Kind == yaml.ScalarNode:
					s = m.Content[1]
				default:
					s = m.Content[1].Content[len(m.Content[1].Content)-1]
				}
				if s.Tag != "!!str" || s.Value != tt.in {
					t.Errorf("%s reads back as %s %q", doc, s.Tag, s.Value)
				}
			}
		})
	}
}
