package check_test

import (
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/rbacdrift/rbacdrift/introspect"

	"github.com/google/go-cmp/cmp"
	"github.com/rbacdrift/rbacdrift/drift"
	"github.com/rbacdrift/rbacdrift/internal/testutil/pgtest"
)

// TestFunctions: a declared function is found by its signature, as the
// server reads the argument types, and compared field by field. {{app}} is
// a role of the test's own.
func TestFunctions(t *testing.T) {
	const setup = `CREATE TYPE app_permission AS ENUM ('read', 'write');
		CREATE FUNCTION authorize(p app_permission) RETURNS boolean LANGUAGE plpgsql STABLE SECURITY DEFINER
			SET search_path = public, pg_temp AS $$ BEGIN RETURN p = 'read'; END $$;
		CREATE FUNCTION roles_of(uid int) RETURNS SETOF text LANGUAGE sql STABLE AS $$ SELECT 'admin'::text $$;
		REVOKE EXECUTE ON FUNCTION authorize(app_permission) FROM PUBLIC;
		GRANT EXECUTE ON FUNCTION authorize(app_permission) TO {{app}};`
	const healthy = `version: 1
functions:
  authorize(app_permission):
    returns: boolean
    security: definer
    volatility: stable
    language: plpgsql
    search_path: [public, pg_temp]
    grants: { {{app}}: [EXECUTE], PUBLIC: [] }
  roles_of(integer): { returns: setof text, security: invoker, search_path: [] }
  roles_of(int4): {}
`
	fn := "public.authorize(app_permission)"
	tests := []struct {
		name         string
		setup, model string
		want         []found
		hints        map[string]string
	}{
		{name: "healthy", setup: setup, model: healthy, want: []found{}},
		{
			name:  "missing, with a look-alike of another signature",
			setup: setup,
			model: "version: 1\nfunctions:\n  authorize(text): {}\n  absent(int): {}\n",
			want:  []found{{"missing-function", "public.authorize(text)", drift.Error}, {"missing-function", "public.absent(int)", drift.Error}},
			hints: map[string]string{
				"missing-function public.authorize(text)": "a function of that name exists with another signature: public.authorize(app_permission)",
				"missing-function public.absent(int)":     "calls fail with 42883",
			},
		},
		{
			name: "security, search_path and return type changed",
			setup: setup + `ALTER FUNCTION authorize(app_permission) SECURITY INVOKER RESET search_path;
				DROP FUNCTION roles_of(int); CREATE FUNCTION roles_of(uid int) RETURNS text LANGUAGE sql AS $$ SELECT 'admin'::text $$;`,
			model: healthy,
			want:  []found{{"function-mismatch", fn, drift.Error}, {"function-mismatch", "public.roles_of(integer)", drift.Error}},
			hints: map[string]string{
				"function-mismatch " + fn:                    "is SECURITY INVOKER, not DEFINER; has search_path none, not public, pg_temp",
				"function-mismatch public.roles_of(integer)": "returns text, not setof text",
			},
		},
		{
			name:  "volatility only: a warning",
			setup: setup + `ALTER FUNCTION authorize(app_permission) VOLATILE;`,
			model: healthy,
			want:  []found{{"function-mismatch", fn, drift.Warning}},
		},
		{
			name:  "EXECUTE revoked from the role",
			setup: setup + `REVOKE EXECUTE ON FUNCTION authorize(app_permission) FROM {{app}};`,
			model: healthy,
			want:  []found{{"missing-function-privilege", fn, drift.Error}},
			hints: map[string]string{"missing-function-privilege " + fn: "GRANT EXECUTE ON FUNCTION authorize(app_permission) TO {{app}}"},
		},
		{
			name:  "EXECUTE back to PUBLIC",
			setup: setup + `GRANT EXECUTE ON FUNCTION authorize(app_permission) TO PUBLIC;`,
			model: healthy,
			// A SECURITY DEFINER function every role may call: an error
			// of its own beyond the warning on PUBLIC's grant.
			want: []found{{"unsafe-security-definer", fn, drift.Error}, {"unexpected-privilege", fn, drift.Warning}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			db := pgtest.NewDB(t)
			r := strings.NewReplacer("{{app}}", db.Role(t, "app"))
			db.Exec(t, r.Replace(tt.setup))
			fs := checkURL(t, db.URL, r.Replace(tt.model))
			if diff := cmp.Diff(tt.want, summary(fs)); diff != "" {
				t.Errorf("findings (-want +got):\n%s", diff)
				for _, f := range fs {
					t.Logf("%s %s: %s (hint: %s)", f.Code, f.Object, f.Message, f.Hint)
				}
			}
			hints := map[string]string{}
			for k, v := range tt.hints {
				hints[k] = r.Replace(v)
			}
			checkHints(t, fs, hints)
		})
	}
}

// TestSnapshotFunctions: --functions records every overload, and checking
// the same database against the snapshot finds nothing.
func TestSnapshotFunctions(t *testing.T) {
	t.Parallel()
	db := pgtest.NewDB(t)
	app := db.Role(t, "app")
	db.Exec(t, strings.ReplaceAll(`CREATE TABLE t (id int); CREATE TYPE app_permission AS ENUM ('read', 'write');
		CREATE FUNCTION authorize(p app_permission) RETURNS boolean LANGUAGE plpgsql STABLE SECURITY DEFINER
			SET search_path = public, pg_temp AS $$ BEGIN RETURN p = 'read'; END $$;
		CREATE FUNCTION authorize(p text, scope varchar(10)) RETURNS SETOF text LANGUAGE sql AS $$ SELECT p $$;
		CREATE FUNCTION first_of(a anyelement, b anyelement) RETURNS anyelement LANGUAGE sql IMMUTABLE AS $$ SELECT a $$;
		CREATE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$;
		REVOKE EXECUTE ON FUNCTION authorize(app_permission) FROM PUBLIC;
		GRANT EXECUTE ON FUNCTION authorize(app_permission) TO {{app}};`, "{{app}}", app))
	model := takeSnapshot(t, db.URL, introspect.Selection{Schemas: []string{"public"}, Functions: "*", Roles: []string{app, "PUBLIC"}})
	for _, want := range []string{
		"authorize(app_permission):",
		`"authorize(text, character varying)":`,
		"returns: setof text",
		"security: definer, volatility: stable, language: plpgsql, search_path: [public, pg_temp], grants: { " + app + ": [EXECUTE], PUBLIC: [] }",
	} {
		if !strings.Contains(string(model), want) {
			t.Errorf("the snapshot has no %q:\n%s", want, model)
		}
	}
	var got []string
	for _, f := range checkText(t, db.URL, model) {
		got = append(got, string(f.Code)+" "+f.Object+": "+f.Message)
	}
	if diff := cmp.Diff([]string(nil), got); diff != "" {
		t.Errorf("checking the snapshot against its own database finds drift (-want +got):\n%s\nsnapshot:\n%s", diff, model)
	}
	db.Exec(t, `REVOKE EXECUTE ON FUNCTION authorize(app_permission) FROM `+pgx.Identifier{app}.Sanitize())
	if fs := checkText(t, db.URL, model); len(fs) != 1 || fs[0].Code != drift.MissingFunctionPrivilege {
		t.Errorf("after REVOKE EXECUTE: %v, want one missing-function-privilege", summary(fs))
	}
}
