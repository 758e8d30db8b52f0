package drift_test

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/rbacdrift/rbacdrift/drift"
	"github.com/rbacdrift/rbacdrift/introspect/catalog"
)

// rlsTable returns public.t with row-level security on and one policy.
func rlsTable(force bool) *catalog.Relation {
	return &catalog.Relation{Name: catalog.Name{Schema: "public", Name: "t"}, Kind: catalog.KindTable, Owner: "migrator",
		RowSecurity: true, ForceRowSecurity: force,
		Policies: []*catalog.Policy{{Name: "own", Command: "SELECT", Permissive: true, Roles: []string{"app"}}}}
}

const rlsModel = `version: 1
run_as: app
tables:
  t:
    row_level_security:
      enabled: true
      policies: [{ name: own }]
`

func TestCompareRunAs(t *testing.T) {
	active := func(b bool) *bool { return &b }
	tests := []struct {
		name  string
		force bool
		runAs catalog.RunAs
		want  []found
	}{
		{"bound", false, catalog.RunAs{Role: "app", Exists: true, Assumed: true,
			Relations: map[catalog.Name]*catalog.RunAsRelation{{Schema: "public", Name: "t"}: {Owner: "migrator", Active: active(true), Applying: []string{"own"}}}}, nil},
		{"the server says bypassed", false, catalog.RunAs{Role: "app", Exists: true, Assumed: true,
			Relations: map[catalog.Name]*catalog.RunAsRelation{{Schema: "public", Name: "t"}: {Owner: "migrator", OwnerPrivileges: true, Active: active(false)}}},
			[]found{{"rls-bypassed", "public.t", drift.Error}}},
		// Not assumed: the server's pg_has_role and role attributes.
		{"owner's privileges, not forced", false, catalog.RunAs{Role: "app", Exists: true,
			Relations: map[catalog.Name]*catalog.RunAsRelation{{Schema: "public", Name: "t"}: {Owner: "migrator", OwnerPrivileges: true}}},
			[]found{{"rls-bypassed", "public.t", drift.Error}}},
		{"owner's privileges, forced", true, catalog.RunAs{Role: "app", Exists: true,
			Relations: map[catalog.Name]*catalog.RunAsRelation{{Schema: "public", Name: "t"}: {Owner: "migrator", OwnerPrivileges: true}}}, nil},
		{"BYPASSRLS, forced", true, catalog.RunAs{Role: "app", Exists: true, BypassRLS: true,
			Relations: map[catalog.Name]*catalog.RunAsRelation{{Schema: "public", Name: "t"}: {Owner: "migrator"}}},
			[]found{{"rls-bypassed", "public.t", drift.Error}}},
		{"read for another role", false, catalog.RunAs{Role: "other", Exists: true, BypassRLS: true,
			Relations: map[catalog.Name]*catalog.RunAsRelation{{Schema: "public", Name: "t"}: {Owner: "migrator"}}}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cat := catalogOf(rlsTable(tt.force))
			cat.RunAs = &tt.runAs
			got := summary(compare(t, rlsModel, cat))
			if diff := cmp.Diff(tt.want, got, cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("findings (-want +got):\n%s", diff)
			}
		})
	}
}

func TestCompareExtraPolicy(t *testing.T) {
	rel := rlsTable(false)
	rel.Policies = append(rel.Policies, &catalog.Policy{Name: "open", Command: "SELECT", Permissive: true, Roles: []string{"public"}},
		&catalog.Policy{Name: "others", Command: "SELECT", Permissive: true, Roles: []string{"reporting"}})
	cat := catalogOf(rel)
	cat.RunAs = &catalog.RunAs{Role: "app", Exists: true,
		Relations: map[catalog.Name]*catalog.RunAsRelation{{Schema: "public", Name: "t"}: {Owner: "migrator", Applying: []string{"open", "own"}}}}
	got := summary(compare(t, rlsModel, cat))
	want := []found{{"policy-mismatch", "public.t", drift.Warning}, {"unexpected-policy", "public.t", drift.Error}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("findings (-want +got):\n%s", diff)
	}
}

func TestCompareRoleSettingsAndDefaults(t *testing.T) {
	cat := catalogOf()
	cat.RoleSettings = map[string][]catalog.RoleSetting{"app": {{Name: "search_path", Value: "other", Scope: "database and role"}, {Name: "work_mem", Value: "8MB", Scope: "role"}}}
	cat.DefaultACLs = []*catalog.DefaultACL{
		{Owner: "migrator", Objects: "tables", Grantee: "app", Privileges: []string{"SELECT"}},
		{Owner: "migrator", Schema: "public", Objects: "tables", Grantee: "app", Privileges: []string{"INSERT"}},
	}
	model := `version: 1
role_settings:
  app: { search_path: public, statement_timeout: 5s }
default_privileges:
  - { role: migrator, schema: public, objects: tables, grants: { app: [SELECT, INSERT] } }
  - { role: migrator, schema: public, objects: sequences, grants: { app: [USAGE] } }
`
	got := summary(compare(t, model, cat))
	want := []found{
		{"role-setting-mismatch", "role app setting work_mem", drift.Error},
		{"role-setting-mismatch", "role app setting search_path", drift.Error},
		{"role-setting-mismatch", "role app setting statement_timeout", drift.Error},
		{"missing-default-privilege", "default privileges of migrator on sequences in schema public", drift.Error},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("findings (-want +got):\n%s", diff)
	}
	if held := drift.DefaultHeld(cat.DefaultACLs, "migrator", "public", "tables", "app"); !cmp.Equal(held, []string{"SELECT", "INSERT"}) {
		t.Errorf("DefaultHeld = %v: the schema's default and the every-schema default add up", held)
	}
}
