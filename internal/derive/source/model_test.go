package source

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/rbacdrift/rbacdrift/spec"
)

// TestLayer: the derived tables and enums are the expectation; the file adds
// grants, row-level security, columns and tables the code cannot state, and
// keeps its run_as and waivers.
func TestLayer(t *testing.T) {
	yes := true
	derived := &spec.Model{Tables: []*spec.Table{
		{Name: spec.Name{Schema: "public", Name: "roles"}, Columns: []*spec.Column{{Name: "id", Type: "integer"}, {Name: "name", Type: "text"}}},
	}, Enums: []*spec.Enum{{Name: spec.Name{Schema: "public", Name: "scope"}, Labels: []string{"own"}}}}
	file := &spec.Model{File: "rbacdrift.yaml", RunAs: "app", ExtraColumns: spec.ExtraError,
		Ignore: []*spec.Waiver{{Code: "missing-index"}},
		Tables: []*spec.Table{
			{Name: spec.Name{Schema: "public", Name: "roles"}, Grants: []*spec.Grant{{Role: "app", Privileges: []string{"SELECT"}}},
				RLS:     &spec.RLS{Enabled: &yes},
				Columns: []*spec.Column{{Name: "name", Type: "varchar(1)", Grants: []*spec.Grant{{Role: "app", Privileges: []string{"UPDATE"}}}}, {Name: "extra"}}},
			{Name: spec.Name{Schema: "audit", Name: "log"}},
		},
		Enums: []*spec.Enum{{Name: spec.Name{Schema: "public", Name: "scope"}, Labels: []string{"stale"}}, {Name: spec.Name{Schema: "public", Name: "other"}}},
	}
	got := Layer(file, derived)
	want := &spec.Model{File: "rbacdrift.yaml", RunAs: "app", ExtraColumns: spec.ExtraError,
		Ignore: file.Ignore,
		Tables: []*spec.Table{
			{Name: spec.Name{Schema: "public", Name: "roles"}, ExtraColumns: spec.ExtraError, Grants: file.Tables[0].Grants, RLS: file.Tables[0].RLS,
				Columns: []*spec.Column{{Name: "id", Type: "integer"}, {Name: "name", Type: "text", Grants: file.Tables[0].Columns[0].Grants}, {Name: "extra"}}},
			file.Tables[1],
		},
		Enums: []*spec.Enum{derived.Enums[0], file.Enums[1]},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Layer (-want +got):\n%s", diff)
	}
	if derived.Tables[0].Grants != nil || len(derived.Tables[0].Columns) != 2 || derived.Tables[0].Columns[1].Grants != nil {
		t.Error("Layer changed the derived model")
	}
}
