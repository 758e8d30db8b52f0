package check_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/jackc/pgx/v5"
	"github.com/rbacdrift/rbacdrift/drift"
	"github.com/rbacdrift/rbacdrift/internal/testutil/pgtest"
)

// TestEffectivePrivileges: grants compare what a role can really do, as
// PostgreSQL decides it, and findings say through which role a privilege is
// held or where it is missing. {{app}}, {{readers}} and {{mid}} are roles of
// the test's own, in setup and in model.
func TestEffectivePrivileges(t *testing.T) {
	const table = "CREATE TABLE t (id int, email text);\n"
	tests := []struct {
		name         string
		minVersion   int    // server_version_num the case needs; 0: any
		needs        string // what of that version it needs, for the skip
		setup, model string
		want         []found
		hints        map[string]string // object+code -> substring of the hint or the message
	}{
		{
			name:  "SELECT through a group role",
			setup: table + `GRANT SELECT ON ALL TABLES IN SCHEMA public TO {{readers}}; GRANT {{readers}} TO {{app}};`,
			model: "version: 1\ntables:\n  t:\n    grants: { {{app}}: [SELECT] }\n",
			want:  []found{},
		},
		{
			name:  "through a group of a group",
			setup: table + `GRANT SELECT ON t TO {{readers}}; GRANT {{readers}} TO {{mid}}; GRANT {{mid}} TO {{app}};`,
			model: "version: 1\ntables:\n  t:\n    grants: { {{app}}: [SELECT] }\n",
			want:  []found{},
		},
		{
			name:  "revoked from the group",
			setup: table + `GRANT SELECT ON t TO {{readers}}; GRANT {{readers}} TO {{app}}; REVOKE SELECT ON t FROM {{readers}};`,
			model: "version: 1\ntables:\n  t:\n    grants: { {{app}}: [SELECT] }\n",
			want:  []found{{"missing-privilege", "public.t", drift.Error}},
			hints: map[string]string{"missing-privilege public.t": "lacks SELECT on public.t: neither its own grants, the roles it inherits from ({{readers}}), nor PUBLIC hold it"},
		},
		{
			name:       "through pg_read_all_data",
			minVersion: 140000,
			needs:      "the predefined role pg_read_all_data",
			setup:      table + `GRANT pg_read_all_data TO {{app}};`,
			model:      "version: 1\ntables:\n  t:\n    grants: { {{app}}: [SELECT] }\n",
			want:       []found{},
		},
		{
			name:  "through PUBLIC",
			setup: table + `GRANT SELECT ON t TO PUBLIC;`,
			model: "version: 1\ntables:\n  t:\n    grants: { {{app}}: [SELECT], PUBLIC: [SELECT] }\n",
			want:  []found{},
		},
		{
			name:  "a NOINHERIT role does not use its group's privileges",
			setup: table + `ALTER ROLE {{app}} NOINHERIT; GRANT SELECT ON t TO {{readers}}; GRANT {{readers}} TO {{app}};`,
			model: "version: 1\ntables:\n  t:\n    grants: { {{app}}: [SELECT] }\n",
			want:  []found{{"missing-privilege", "public.t", drift.Error}},
			hints: map[string]string{"missing-privilege public.t": "{{readers}} holds it, and {{app}} is a member of {{readers}} but does not inherit its privileges"},
		},
		{
			name:  "NOINHERIT: the message names the group",
			setup: table + `ALTER ROLE {{app}} NOINHERIT; GRANT {{readers}} TO {{app}};`,
			model: "version: 1\ntables:\n  t:\n    grants: { {{app}}: [SELECT] }\n",
			want:  []found{{"missing-privilege", "public.t", drift.Error}},
			hints: map[string]string{"missing-privilege public.t": "it is a member of {{readers}} without inheriting their privileges"},
		},
		{
			name:       "a membership granted WITH INHERIT FALSE",
			minVersion: 160000,
			needs:      "GRANT ... WITH INHERIT FALSE",
			setup:      table + `GRANT SELECT ON t TO {{readers}}; GRANT {{readers}} TO {{app}} WITH INHERIT FALSE;`,
			model:      "version: 1\ntables:\n  t:\n    grants: { {{app}}: [SELECT] }\n",
			want:       []found{{"missing-privilege", "public.t", drift.Error}},
			hints:      map[string]string{"missing-privilege public.t": "does not inherit its privileges"},
		},
		{
			name:  "an unexpected privilege names the group it comes from",
			setup: table + `GRANT SELECT, DELETE ON t TO {{readers}}; GRANT {{readers}} TO {{app}};`,
			model: "version: 1\ntables:\n  t:\n    grants: { {{app}}: [SELECT] }\n",
			want:  []found{{"unexpected-privilege", "public.t", drift.Warning}},
			hints: map[string]string{"unexpected-privilege public.t": "it comes from {{readers}}: REVOKE DELETE ON t FROM {{readers}}"},
		},
		{
			name:       "an unexpected privilege through pg_write_all_data",
			minVersion: 140000,
			needs:      "the predefined role pg_write_all_data",
			setup:      table + `GRANT SELECT ON t TO {{app}}; GRANT pg_write_all_data TO {{app}};`,
			model:      "version: 1\ntables:\n  t:\n    grants: { {{app}}: [SELECT] }\n",
			want:       []found{{"unexpected-privilege", "public.t", drift.Warning}},
			hints:      map[string]string{"unexpected-privilege public.t": "REVOKE pg_write_all_data FROM {{app}}"},
		},
		{
			name:  "a role that does not exist",
			setup: table,
			model: "version: 1\ntables:\n  t:\n    grants: { rbacdrift_no_such_role: [SELECT] }\n",
			want:  []found{{"missing-privilege", "public.t", drift.Error}},
			hints: map[string]string{"missing-privilege public.t": "the role does not exist on this server"},
		},
		{
			name: "column grants, through a group, missing and unexpected",
			setup: table + `GRANT SELECT (email) ON t TO {{readers}}; GRANT {{readers}} TO {{app}};
				GRANT UPDATE (email) ON t TO {{app}}; GRANT INSERT ON t TO {{mid}};`,
			model: `version: 1
tables:
  t:
    columns:
      email: { grants: { {{app}}: [SELECT] } }
      id:    { grants: { {{app}}: [SELECT], {{mid}}: [INSERT] } }
`,
			want: []found{{"unexpected-privilege", "public.t.email", drift.Warning}, {"missing-privilege", "public.t.id", drift.Error}},
			hints: map[string]string{
				"unexpected-privilege public.t.email": "UPDATE (its own grant) on column email of public.t",
				"missing-privilege public.t.id":       "GRANT SELECT ON t (id) TO {{app}}",
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			db := pgtest.NewDB(t)
			if tt.minVersion > 0 {
				if v := serverVersion(t, db.URL); v < tt.minVersion {
					// The same rule without the newer syntax or role is a
					// case of its own above (NOINHERIT, a group's grant).
					t.Skipf("server_version_num %d: the case needs %s (server_version_num %d)", v, tt.needs, tt.minVersion)
				}
			}
			r := strings.NewReplacer("{{app}}", db.Role(t, "app"), "{{readers}}", db.Role(t, "readers"), "{{mid}}", db.Role(t, "mid"))
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

func serverVersion(t *testing.T, url string) int {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	var v int
	if err := conn.QueryRow(ctx, "SELECT current_setting('server_version_num')::int").Scan(&v); err != nil {
		t.Fatal(err)
	}
	return v
}
