package dryrun_test

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/rbacdrift/rbacdrift/drift"
	"github.com/rbacdrift/rbacdrift/internal/testutil/pgtest"
)

const normalised = "reference/normalised.sql"

// TestRun dry-runs each acceptance case of testdata/dryrun against a fresh
// database: the reference layout plus the case's drift script.
func TestRun(t *testing.T) {
	t.Parallel()
	q := func(name string) string { return "query:" + name }
	E, W := drift.Error, drift.Warning
	for _, tc := range []struct {
		name  string
		sql   []string
		model string
		runAs string // a role of the roles map, or a literal name
		want  []got
		// contains lists, per finding, text its message or hint must hold;
		// {{app}} and the like are the test's role names.
		contains [][]string
	}{
		{
			name: "missing table", sql: []string{normalised}, model: "dryrun/missing_table.yaml",
			want: []got{{"query-error", E, q("group_authorities_by_username"), "42P01", "missing_table.yaml:8:12"}},
			contains: [][]string{{`group_authorities_by_username fails with 42P01 (relation "groups" does not exist): the application would load an empty policy for every user`,
				"no relation called groups in any schema"}},
		},
		{
			name: "table in another schema", sql: []string{normalised, "dryrun/moved_table.sql"}, model: "dryrun/moved_table.yaml",
			want: []got{{"query-error", E, q("load_policy"), "42P01", "moved_table.yaml:9:53"}},
			contains: [][]string{{"a relation called casbin_rule exists as eval_authz.casbin_rule",
				"the model declares public.casbin_rule: the migration that creates it has not run"}},
		},
		{
			name: "join of uuid against integer", sql: []string{normalised, "dryrun/uuid_join.sql"}, model: "dryrun/uuid_join.yaml",
			want: []got{{"query-error", E, q("resolve_user_permissions"), "42883", "uuid_join.yaml:8:34"}},
			contains: [][]string{{"fails with 42883 (operator does not exist: integer = uuid)",
				"p.id (public.permissions.id) is integer and rp.permission_id (public.role_permissions.permission_id) is uuid",
				"a migration changed the type of one side and not the other"}},
		},
		{
			name: "returns mismatch", sql: []string{normalised}, model: "dryrun/returns.yaml",
			want: []got{
				{"query-result-mismatch", E, q("resolve_user_permissions"), "", "returns.yaml:5:3"},
				{"query-result-mismatch", E, q("resolve_user_permissions"), "", "returns.yaml:14:7"},
				{"query-result-mismatch", E, q("resolve_user_permissions"), "", "returns.yaml:15:7"},
				{"query-result-mismatch", E, q("resolve_user_permissions"), "", "returns.yaml:16:7"},
				{"query-result-mismatch", E, q("resolve_user_permissions"), "", "returns.yaml:16:7"},
				{"query-result-mismatch", E, q("resolve_user_permissions"), "", "returns.yaml:17:7"},
			},
			contains: [][]string{
				{"returns column id (column 3), which the application does not read", "it shifts the columns after it"},
				{"returns resource as column 2 where the application reads it as column 1"},
				{"returns action as column 4 where the application reads it as column 2"},
				{"returns scope as column 1 where the application reads it as column 3"},
				{"returns scope as permission_scope where the application reads text"},
				{"returns no column granted_at, which the application reads as column 4"},
			},
		},
		{
			name: "type drift shows once the driver's types are declared", sql: []string{normalised, "dryrun/type_drift.sql"}, model: "dryrun/type_drift.yaml",
			want: []got{
				{"query-param-mismatch", E, q("remove_policy"), "42883", "type_drift.yaml:6:43"},
				{"query-param-mismatch", E, q("permissions_by_scope"), "42883", "type_drift.yaml:14:22"},
			},
			contains: [][]string{
				{"remove_policy fails with 42883 (operator does not exist: bigint = text): the driver sends $1 text where the database now wants $1 bigint",
					"id (public.casbin_rule.id) is bigint and $1 (sent as text) is text"},
				{"the driver sends $1 varchar where the database now wants $1 permission_scope",
					"rp.scope (public.role_permissions.scope) is permission_scope and $1 (sent as varchar) is character varying"},
			},
		},
		{
			name: "permission denied as run_as", sql: []string{normalised, "dryrun/permission_denied.sql"}, model: "dryrun/resolve.yaml", runAs: "app",
			want: []got{
				{"query-permission-denied", E, q("resolve_user_permissions"), "42501", "resolve.yaml:4:3"},
				{"query-permission-denied", E, q("list_role_permissions"), "42501", "resolve.yaml:12:3"},
			},
			contains: [][]string{
				{"resolve_user_permissions fails as {{app}} with 42501 (permission denied for table role_permissions): the application would load an empty policy for every user",
					"GRANT SELECT ON role_permissions TO {{app}}"},
				{"list_role_permissions fails as {{app}} with 42501 (permission denied for table role_permissions)", "GRANT SELECT ON role_permissions TO {{app}}"},
			},
		},
		{
			name: "the same queries as the owner", sql: []string{normalised, "dryrun/permission_denied.sql"}, model: "dryrun/resolve.yaml", runAs: "owner",
			want: []got{},
		},
		{
			name: "row-level security with no policy", sql: []string{normalised, "dryrun/rls_no_policy.sql"}, model: "dryrun/resolve.yaml", runAs: "app",
			want: []got{
				{"rls-hides-all-rows", E, q("resolve_user_permissions"), "", "resolve.yaml:4:3"},
				{"rls-hides-all-rows", E, q("list_role_permissions"), "", "resolve.yaml:12:3"},
			},
			contains: [][]string{
				{"resolve_user_permissions returns no rows as {{app}}: row-level security is enabled on public.role_permissions and no policy lets {{app}} SELECT a row; the query succeeds and the application would load an empty policy",
					"CREATE POLICY ... ON role_permissions FOR SELECT TO {{app}} USING (...)"},
				{"list_role_permissions returns no rows as {{app}}", "no policy"},
			},
		},
		{
			name: "row-level security with policies for another role", sql: []string{normalised, "dryrun/rls_other_role.sql"}, model: "dryrun/resolve.yaml", runAs: "app",
			want: []got{
				{"rls-hides-all-rows", E, q("resolve_user_permissions"), "", "resolve.yaml:4:3"},
				{"rls-hides-all-rows", E, q("list_role_permissions"), "", "resolve.yaml:12:3"},
			},
			contains: [][]string{
				{"policies only for other roles: admin_console_read (SELECT, to {{other}})"},
				{"the policies there are for other roles: admin_console_read (SELECT, to {{other}})"},
			},
		},
		{
			name: "row-level security forced on the owner", sql: []string{normalised, "dryrun/rls_force.sql"}, model: "dryrun/resolve.yaml", runAs: "owner",
			want: []got{
				{"rls-hides-all-rows", E, q("resolve_user_permissions"), "", "resolve.yaml:4:3"},
				{"rls-hides-all-rows", E, q("list_role_permissions"), "", "resolve.yaml:12:3"},
			},
			contains: [][]string{
				{"row-level security is forced on public.role_permissions (FORCE ROW LEVEL SECURITY), so it binds {{owner}} although it owns the table, and no policy lets {{owner}} SELECT a row", "tenant_rows (ALL, to {{other}})"},
				{"NO FORCE ROW LEVEL SECURITY"},
			},
		},
		{
			name: "forced row-level security does not bind a superuser", sql: []string{normalised, "dryrun/rls_force.sql"}, model: "dryrun/resolve.yaml",
			want: []got{},
		},
		{
			name: "row-level security with a policy for the role", sql: []string{normalised, "dryrun/rls_covered.sql"}, model: "dryrun/resolve.yaml", runAs: "app",
			want: []got{},
		},
		{
			name: "samples", sql: []string{normalised}, model: "dryrun/sample.yaml",
			want: []got{
				{"query-returned-no-rows", E, q("resolve_user_permissions"), "", "sample.yaml:13:7"},
				{"query-returned-rows", W, q("viewer_cannot_write"), "", "sample.yaml:36:7"},
			},
			contains: [][]string{
				{"resolve_user_permissions returned no rows as postgres for (999): an empty policy for this principal"},
				{"viewer_cannot_write returned 1 row as postgres for (1) where none were expected"},
			},
		},
		{
			name: "ON CONFLICT without a unique index, caught when planning", sql: []string{normalised}, model: "dryrun/on_conflict.yaml",
			want: []got{{"query-error", E, q("grant_permission"), "42P10", "on_conflict.yaml:5:3"}},
			contains: [][]string{{"grant_permission fails with 42P10 (there is no unique or exclusion constraint matching the ON CONFLICT specification): every call fails",
				"no unique index or constraint on role_permissions (role_id, permission_id) matches the ON CONFLICT target"}},
		},
		{
			name: "sqlc query files", sql: []string{normalised}, model: "dryrun/sqlc.yaml",
			want: []got{{"query-error", E, q("LegacyPermissions"), "42703", "permissions.sql:18:8"}},
			contains: [][]string{{"LegacyPermissions fails with 42703 (column rp.resource does not exist)",
				"public.role_permissions has no column resource; its columns are (role_id, permission_id, scope)"}},
		},
		{
			name: "run_as role that does not exist", sql: []string{normalised}, model: "dryrun/resolve.yaml", runAs: "rbacdrift_no_such_role",
			want: []got{
				{"run-as-unavailable", E, q("resolve_user_permissions"), "", "resolve.yaml:4:3"},
				{"run-as-unavailable", E, q("list_role_permissions"), "", "resolve.yaml:12:3"},
			},
			contains: [][]string{{"resolve_user_permissions cannot be dry-run as rbacdrift_no_such_role: the role does not exist on this server", "run-as override"}},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			db := pgtest.NewDB(t)
			roles := map[string]string{"app": db.Role(t, "app"), "owner": db.Role(t, "owner"), "other": db.Role(t, "other")}
			setup(t, db, roles, tc.sql...)
			runAs := tc.runAs
			if r, ok := roles[runAs]; ok {
				runAs = r
			}
			fs := dryRun(t, connect(t, db.URL), loadModel(t, tc.model), runAs)
			if diff := cmp.Diff(tc.want, summarize(fs)); diff != "" {
				t.Fatalf("findings (-want +got):\n%s\nall:\n%s", diff, render(fs))
			}
			for i, texts := range tc.contains {
				for _, s := range texts {
					s = expand(s, roles)
					if f := fs[i]; !strings.Contains(f.Message+"\n"+f.Expected+"\n"+f.Actual+"\n"+f.Hint, s) {
						t.Errorf("finding %d (%s): want it to say %q\nmessage: %s\nexpected: %s\nactual: %s\nhint: %s", i, f.Code, s, f.Message, f.Expected, f.Actual, f.Hint)
					}
				}
			}
		})
	}
}

func render(fs []*drift.Finding) string {
	var b strings.Builder
	for _, f := range fs {
		b.WriteString(f.Pos().String() + " " + string(f.Code) + " " + f.SQLState + ": " + f.Message + "\n  expected: " + f.Expected + "\n  actual: " + f.Actual + "\n  hint: " + f.Hint + "\n")
	}
	return b.String()
}
