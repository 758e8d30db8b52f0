package drift

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestMatch: the differ pairs by key, keeps input order, never drops a live
// item, and never reports a declared duplicate as missing.
func TestMatch(t *testing.T) {
	tests := []struct {
		name           string
		declared, live []string
		pairs          []Pair[string, string]
		missing, extra []string
	}{
		{"all matched", []string{"a", "b"}, []string{"b", "a"}, []Pair[string, string]{{"a", "a"}, {"b", "b"}}, nil, nil},
		{"missing and extra", []string{"a", "c"}, []string{"b", "a"}, []Pair[string, string]{{"a", "a"}}, []string{"c"}, []string{"b"}},
		{"a live duplicate is extra", []string{"a"}, []string{"a", "a"}, []Pair[string, string]{{"a", "a"}}, nil, []string{"a"}},
		{"a declared duplicate pairs again", []string{"a", "a"}, []string{"a"}, []Pair[string, string]{{"a", "a"}, {"a", "a"}}, nil, nil},
		{"a declared duplicate of a missing item is missing", []string{"x", "x"}, nil, nil, []string{"x", "x"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			pairs, missing, extra := Match(tt.declared, tt.live, identity[string], identity[string])
			if diff := cmp.Diff(tt.pairs, pairs); diff != "" {
				t.Errorf("pairs (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tt.missing, missing); diff != "" {
				t.Errorf("missing (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tt.extra, extra); diff != "" {
				t.Errorf("extra (-want +got):\n%s", diff)
			}
		})
	}
}
