package check_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/rbacdrift/rbacdrift/drift"
	"github.com/rbacdrift/rbacdrift/internal/testutil/checktest"
	"github.com/rbacdrift/rbacdrift/internal/testutil/pgtest"
	"github.com/rbacdrift/rbacdrift/introspect"
)

// leakSetup is a multi-tenant database whose RBAC table is guarded by
// row-level security for the application's role: the policy reads the
// tenant from the session (app.tenant_id), as the application sets it. The
// migrator owns the tables; what it creates later is readable by the app
// (default privileges); a login of the app gets search_path = public in
// this database; a SECURITY DEFINER helper pins its search_path and only
// the app may call it.
const leakSetup = `
CREATE TABLE user_roles (
	tenant_id integer NOT NULL,
	user_id   integer NOT NULL,
	role      text    NOT NULL,
	PRIMARY KEY (tenant_id, user_id, role)
);
INSERT INTO user_roles VALUES (1, 42, 'admin'), (1, 43, 'viewer'), (2, 7, 'admin');
ALTER TABLE user_roles OWNER TO {{migrator}};
ALTER TABLE user_roles ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON user_roles FOR SELECT TO {{app}}
	USING (tenant_id = current_setting('app.tenant_id')::integer);
GRANT SELECT ON user_roles TO {{app}};
CREATE FUNCTION current_tenant() RETURNS integer LANGUAGE sql STABLE SECURITY DEFINER
	SET search_path = pg_catalog, public
	AS $$ SELECT current_setting('app.tenant_id')::integer $$;
REVOKE EXECUTE ON FUNCTION current_tenant() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION current_tenant() TO {{app}};
ALTER DEFAULT PRIVILEGES FOR ROLE {{migrator}} IN SCHEMA public GRANT SELECT ON TABLES TO {{app}};
ALTER DEFAULT PRIVILEGES FOR ROLE {{migrator}} GRANT EXECUTE ON FUNCTIONS TO {{app}};
`

// leakQueries is what the application adds to the snapshot: the role it
// runs as, the tenant it sets, and its permission query with an isolation
// assertion: as tenant 1 user 42 resolves rows; as tenant 2 the same user
// resolves none.
const leakQueries = `
run_as: {{app}}
settings:
  app.tenant_id: 1
queries:
  roles_of_user:
    sql: SELECT role FROM user_roles WHERE user_id = $1
    params: [integer]
    samples:
      - { args: [42], expect: rows }
      - { args: [42], expect: no_rows, settings: { app.tenant_id: 2 } }
`

// leakDB loads leakSetup into a fresh database and returns it, the model
// the application would commit (its snapshot with --grants-for app, plus
// leakQueries), and a replacer of the roles' placeholders.
func leakDB(t *testing.T, exact bool) (*pgtest.DB, string, *strings.Replacer) {
	t.Helper()
	db := pgtest.NewDB(t)
	app, migrator, other := db.Role(t, "app"), db.Role(t, "migrator"), db.Role(t, "other")
	r := strings.NewReplacer("{{app}}", pgx.Identifier{app}.Sanitize(), "{{migrator}}", pgx.Identifier{migrator}.Sanitize(),
		"{{other}}", pgx.Identifier{other}.Sanitize(), "{{db}}", pgx.Identifier{db.Name}.Sanitize())
	db.Exec(t, r.Replace(leakSetup))
	db.Exec(t, r.Replace("ALTER ROLE {{app}} IN DATABASE {{db}} SET search_path = public"))
	snap := takeSnapshot(t, db.URL, introspect.Selection{Schemas: []string{"public"}, Roles: []string{app}, Functions: "*"})
	model := string(snap) + strings.ReplaceAll(leakQueries, "{{app}}", app)
	if exact {
		model += "grants: exact\n"
	}
	return db, model, r
}

func TestLeakCleanAndIsolation(t *testing.T) {
	t.Parallel()
	db, model, _ := leakDB(t, true)
	for _, want := range []string{"role_settings:\n", "search_path: public", "default_privileges:\n", "objects: tables"} {
		if !strings.Contains(model, want) {
			t.Errorf("the snapshot does not record %q:\n%s", want, model)
		}
	}
	fs := checktest.Check(t, db.URL, checktest.Parse(t, "model.yaml", []byte(model)))
	for _, f := range fs {
		t.Errorf("unexpected finding %s %s %s: %s", f.Severity, f.Code, f.Object, f.Message)
	}
	if t.Failed() {
		t.Logf("model:\n%s", model)
	}
}

// TestLeakDrift: each drift that opens every tenant's rows to the
// application, or changes the session it gets, fails the check with an
// error that names the object.
func TestLeakDrift(t *testing.T) {
	tests := []struct {
		name  string
		drift string
		exact bool
		want  []found // errors that must be among the findings
		// warn lists findings that must be there as warnings.
		warn []found
	}{
		{
			name:  "the app made owner of the RLS table",
			drift: "ALTER TABLE user_roles OWNER TO {{app}}",
			want:  []found{{"rls-bypassed", "public.user_roles", drift.Error}},
		},
		{
			name:  "BYPASSRLS",
			drift: "ALTER ROLE {{app}} BYPASSRLS",
			want:  []found{{"rls-bypassed", "public.user_roles", drift.Error}},
		},
		{
			name:  "the app a member of the owner role",
			drift: "GRANT {{migrator}} TO {{app}}",
			want:  []found{{"rls-bypassed", "public.user_roles", drift.Error}},
		},
		{
			// Without inheritance the member has not the owner's
			// privileges until SET ROLE: the server still applies the
			// policies to it, and so does the check.
			name:  "a NOINHERIT member of the owner role: RLS still binds",
			drift: "ALTER ROLE {{app}} NOINHERIT; GRANT {{migrator}} TO {{app}}",
		},
		{
			name:  "a permissive policy USING (true) for the app",
			drift: "CREATE POLICY open_all ON user_roles FOR SELECT TO {{app}} USING (true)",
			want: []found{{"unexpected-policy", "public.user_roles", drift.Error},
				{"query-returned-rows", "query:roles_of_user", drift.Error}},
		},
		{
			name:  "a permissive policy USING (true) for PUBLIC",
			drift: "CREATE POLICY open_all ON user_roles FOR SELECT USING (true)",
			want: []found{{"unexpected-policy", "public.user_roles", drift.Error},
				{"query-returned-rows", "query:roles_of_user", drift.Error}},
		},
		{
			name:  "a restrictive policy for the app",
			drift: "CREATE POLICY only_admins ON user_roles AS RESTRICTIVE FOR SELECT TO {{app}} USING (role = 'admin')",
			want:  []found{{"unexpected-policy", "public.user_roles", drift.Error}},
		},
		{
			name:  "a policy for another role: a warning",
			drift: "CREATE POLICY others ON user_roles FOR SELECT TO {{other}} USING (true)",
			warn:  []found{{"policy-mismatch", "public.user_roles", drift.Warning}},
		},
		{
			name:  "the app's search_path in this database changed",
			drift: "CREATE SCHEMA other; ALTER ROLE {{app}} IN DATABASE {{db}} SET search_path = other",
			want:  []found{{"role-setting-mismatch", "role {{app}} setting search_path", drift.Error}},
		},
		{
			name:  "default privileges revoked",
			drift: "ALTER DEFAULT PRIVILEGES FOR ROLE {{migrator}} IN SCHEMA public REVOKE SELECT ON TABLES FROM {{app}}",
			want:  []found{{"missing-default-privilege", "default privileges of {{migrator}} on tables in schema public", drift.Error}},
		},
		{
			name:  "a write beyond exact grants",
			drift: "GRANT DELETE ON user_roles TO {{app}}",
			exact: true,
			want:  []found{{"unexpected-privilege", "public.user_roles", drift.Error}},
		},
		{
			name:  "a write beyond grants that are not exact: a warning",
			drift: "GRANT DELETE ON user_roles TO {{app}}",
			warn:  []found{{"unexpected-privilege", "public.user_roles", drift.Warning}},
		},
		{
			name:  "the SECURITY DEFINER helper loses its search_path",
			drift: "ALTER FUNCTION current_tenant() RESET search_path",
			want:  []found{{"unsafe-security-definer", "public.current_tenant()", drift.Error}},
		},
		{
			name:  "the SECURITY DEFINER helper executable by PUBLIC",
			drift: "GRANT EXECUTE ON FUNCTION current_tenant() TO PUBLIC",
			want:  []found{{"unsafe-security-definer", "public.current_tenant()", drift.Error}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			db, model, r := leakDB(t, tt.exact)
			db.Exec(t, r.Replace(tt.drift))
			fs := checktest.Check(t, db.URL, checktest.Parse(t, "model.yaml", []byte(model)))
			got := summary(fs)
			unquote := strings.NewReplacer(`"`, "")
			for _, w := range append(slices.Clone(tt.want), tt.warn...) {
				w.Object = unquote.Replace(r.Replace(w.Object))
				if !slices.Contains(got, w) {
					t.Errorf("no %s %s on %s", w.Severity, w.Code, w.Object)
				}
			}
			if len(tt.want) == 0 {
				for _, f := range fs {
					if f.Severity == drift.Error && f.Suppressed == nil {
						t.Errorf("unexpected error %s %s: %s", f.Code, f.Object, f.Message)
					}
				}
			}
			if t.Failed() {
				for _, f := range fs {
					t.Logf("%s %s %s: %s (hint: %s)", f.Severity, f.Code, f.Object, f.Message, f.Hint)
				}
			}
		})
	}
}

// TestLeakSettingsFalseAlarm: a policy on current_setting('app.tenant_id')
// makes a dry run without the application's settings fail with 42704; with
// settings: it is clean.
func TestLeakSettingsFalseAlarm(t *testing.T) {
	t.Parallel()
	db, model, _ := leakDB(t, false)
	without := strings.Replace(model, "settings:\n  app.tenant_id: 1\n", "", 1)
	if without == model {
		t.Fatal("the model's settings were not found to remove")
	}
	fs := checktest.Check(t, db.URL, checktest.Parse(t, "model.yaml", []byte(without)))
	if !slices.ContainsFunc(fs, func(f *drift.Finding) bool { return f.SQLState == "42704" }) {
		t.Errorf("without settings, no 42704 finding: %v", summary(fs))
	}
	fs = checktest.Check(t, db.URL, checktest.Parse(t, "model.yaml", []byte(model)))
	if len(fs) > 0 {
		t.Errorf("with settings, findings: %v", summary(fs))
	}
}

// TestLeakSnapshotWaivesUnsafeDefiner: a snapshot of a SECURITY DEFINER
// function without its own search_path records it, and names the hole in a
// waiver; the check is clean with the finding suppressed.
func TestLeakSnapshotWaivesUnsafeDefiner(t *testing.T) {
	t.Parallel()
	db := pgtest.NewDB(t)
	app := db.Role(t, "app")
	db.Exec(t, fmt.Sprintf(`CREATE FUNCTION "has_role[]"(text) RETURNS boolean LANGUAGE sql SECURITY DEFINER AS $$ SELECT true $$;
GRANT EXECUTE ON FUNCTION "has_role[]"(text) TO %s`, pgx.Identifier{app}.Sanitize()))
	db.Exec(t, "CREATE TABLE t (id int)")
	snap := takeSnapshot(t, db.URL, introspect.Selection{Schemas: []string{"public"}, Roles: []string{app}, Functions: "*"})
	if !strings.Contains(string(snap), "code: unsafe-security-definer") {
		t.Fatalf("no waiver for the unsafe SECURITY DEFINER function:\n%s", snap)
	}
	fs := checktest.Check(t, db.URL, checktest.Parse(t, "model.yaml", snap))
	var suppressed []string
	for _, f := range fs {
		if f.Suppressed == nil {
			t.Errorf("unexpected finding %s %s: %s", f.Code, f.Object, f.Message)
		} else {
			suppressed = append(suppressed, string(f.Code))
		}
	}
	if want := []string{"unsafe-security-definer", "unsafe-security-definer"}; !slices.Equal(suppressed, want) {
		t.Errorf("suppressed %v, want %v (no search_path; PUBLIC may execute)\n%s", suppressed, want, snap)
	}
}

// TestLeakMembershipOptions: on PostgreSQL 16 and later each grant of a
// role carries its own INHERIT option; the check asks the server
// (pg_has_role, row_security_active), so a membership WITH INHERIT FALSE
// leaves the policies binding and WITH INHERIT TRUE bypasses them, whatever
// the member role's own INHERIT attribute.
func TestLeakMembershipOptions(t *testing.T) {
	t.Parallel()
	probe := pgtest.NewDB(t)
	if v := serverVersion(t, probe.URL); v < 160000 {
		t.Skipf("server %d: grants carry no INHERIT option before PostgreSQL 16 (the NOINHERIT role case of TestLeakDrift covers it)", v)
	}
	for _, tt := range []struct {
		drift    string
		bypassed bool
	}{
		{"GRANT {{migrator}} TO {{app}} WITH INHERIT FALSE", false},
		{"ALTER ROLE {{app}} NOINHERIT; GRANT {{migrator}} TO {{app}} WITH INHERIT TRUE", true},
	} {
		t.Run(tt.drift, func(t *testing.T) {
			t.Parallel()
			db, model, r := leakDB(t, false)
			db.Exec(t, r.Replace(tt.drift))
			fs := checktest.Check(t, db.URL, checktest.Parse(t, "model.yaml", []byte(model)))
			got := slices.ContainsFunc(fs, func(f *drift.Finding) bool { return f.Code == drift.RlsBypassed })
			if got != tt.bypassed {
				t.Errorf("rls-bypassed reported: %v, want %v; findings %v", got, tt.bypassed, summary(fs))
			}
		})
	}
}
