package check_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/rbacdrift/rbacdrift/drift"
	"github.com/rbacdrift/rbacdrift/internal/testutil/checktest"
	"github.com/rbacdrift/rbacdrift/internal/testutil/pgtest"
)

// TestImpactEscalation: a finding on an object a query depends on in a way
// that makes the query fail, or do nothing, is an error whose message names
// the query, even where the finding alone is a warning; the same finding
// with no query that depends on it keeps its own severity and message.
func TestImpactEscalation(t *testing.T) {
	type want struct {
		severity drift.Severity
		names    []string // queries the message names; nil: none
		expected string   // a part of Expected, to tell findings on one table apart
	}
	tests := []struct {
		name, setup, model string
		want               map[string]want // code + " " + object
	}{
		{
			name:  "a sequence the column no longer owns, resolved with pg_get_serial_sequence",
			setup: `CREATE TABLE t (id serial PRIMARY KEY, v text); ALTER SEQUENCE t_id_seq OWNED BY NONE;`,
			model: `version: 1
tables:
  t: {}
queries:
  reset_t_ids:
    sql: SELECT setval(pg_get_serial_sequence('t', 'id'), coalesce(max(id), 1)) FROM t
  next_t_id:
    sql: SELECT nextval(pg_catalog.pg_get_serial_sequence('public.t', 'id'))
  read_t:
    sql: SELECT id, v FROM t
`,
			want: map[string]want{"sequence-not-owned public.t.id": {drift.Error, []string{"reset_t_ids", "next_t_id"}, ""}},
		},
		{
			name:  "a sequence the column no longer owns, no query resolves it",
			setup: `CREATE TABLE t (id serial PRIMARY KEY, v text); ALTER SEQUENCE t_id_seq OWNED BY NONE;`,
			model: `version: 1
tables:
  t: {}
queries:
  read_t:
    sql: SELECT id, v FROM t
  other_column:
    sql: SELECT pg_get_serial_sequence('t', 'v')
`,
			want: map[string]want{"sequence-not-owned public.t.id": {drift.Warning, nil, ""}},
		},
		{
			name: "a declared sequence owned by no column, resolved through its owned_by",
			setup: `CREATE TABLE t (n bigint); CREATE SEQUENCE t_n_seq;
				ALTER TABLE t ALTER n SET DEFAULT nextval('t_n_seq');`,
			model: `version: 1
tables:
  t: {}
sequences:
  t_n_seq: { owned_by: t.n }
queries:
  next_n:
    sql: SELECT nextval(pg_get_serial_sequence('t', 'n'))
`,
			want: map[string]want{
				"sequence-not-owned public.t_n_seq": {drift.Error, []string{"next_n"}, ""},
				"sequence-not-owned public.t.n":     {drift.Error, []string{"next_n"}, ""},
			},
		},
		{
			name:  "a declared index is gone and a query's ON CONFLICT needs it",
			setup: `CREATE TABLE user_roles (user_id int NOT NULL, role_id int NOT NULL);`,
			model: `version: 1
tables:
  user_roles:
    indexes:
      - { columns: [user_id, role_id] }
      - { columns: [role_id] }
queries:
  grant_role:
    sql: INSERT INTO user_roles (user_id, role_id) VALUES ($1, $2) ON CONFLICT (role_id, user_id) DO NOTHING
    params: [integer, integer]
  roles_of:
    sql: SELECT role_id FROM user_roles WHERE user_id = $1
    params: [integer]
`,
			want: map[string]want{
				"missing-index public.user_roles":  {drift.Error, []string{"grant_role"}, "(user_id, role_id)"},
				"missing-index public.user_roles ": {drift.Warning, nil, "(role_id)"},
				"query-error query:grant_role":     {drift.Error, []string{"grant_role"}, ""},
			},
		},
		{
			name:  "a unique key is gone and a query's ON CONFLICT needs it; another key's is not",
			setup: `CREATE TABLE users (id int PRIMARY KEY, email text NOT NULL, login text NOT NULL);`,
			model: `version: 1
tables:
  users:
    primary_key: [id]
    unique: [[email], [login]]
queries:
  upsert_user:
    sql: |
      INSERT INTO users AS u (id, email, login) VALUES ($1, $2, $3)
      ON CONFLICT ("email") DO UPDATE SET login = excluded.login
    params: [integer, text, text]
`,
			want: map[string]want{
				"missing-unique public.users":   {drift.Error, []string{"upsert_user"}, "(email)"},
				"missing-unique public.users ":  {drift.Error, nil, "(login)"},
				"query-error query:upsert_user": {drift.Error, []string{"upsert_user"}, ""},
			},
		},
		{
			name:  "a column's type changed under a query's returns",
			setup: `CREATE TABLE grants (id int PRIMARY KEY, amount bigint NOT NULL, level bigint NOT NULL);`,
			model: `version: 1
tables:
  grants:
    columns:
      id: { type: integer }
      amount: { type: integer }
      level: { type: integer }
queries:
  grant_amount:
    sql: SELECT g.amount AS total FROM grants g WHERE g.id = $1
    params: [integer]
    returns: { total: bigint }
  grant_ids:
    sql: SELECT id FROM grants WHERE level > 0
    returns: { id: integer }
`,
			want: map[string]want{
				"type-mismatch public.grants.amount": {drift.Error, []string{"grant_amount"}, ""},
				"type-mismatch public.grants.level":  {drift.Error, nil, ""},
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			db := pgtest.NewDB(t)
			db.Exec(t, tt.setup)
			fs := checktest.Check(t, db.URL, checktest.Parse(t, "model.yaml", []byte(tt.model)))
			for key, w := range tt.want {
				var f *drift.Finding
				for _, g := range fs {
					if string(g.Code)+" "+g.Object == strings.TrimSpace(key) && strings.Contains(g.Expected, w.expected) {
						f = g
					}
				}
				if f == nil {
					t.Errorf("no finding %s; got:", key)
					for _, f := range fs {
						t.Logf("  %s %s %s: %s", f.Severity, f.Code, f.Object, f.Message)
					}
					continue
				}
				if f.Severity != w.severity {
					t.Errorf("%s: severity %s, want %s (%s)", key, f.Severity, w.severity, f.Message)
				}
				if f.Code == drift.QueryError {
					if f.SQLState != "42P10" {
						t.Errorf("%s: SQLSTATE %s, want 42P10 (%s)", key, f.SQLState, f.Message)
					}
					continue
				}
				for _, q := range w.names {
					if !strings.Contains(f.Message, q) {
						t.Errorf("%s: message %q does not name query %s", key, f.Message, q)
					}
					if !slices.Contains(f.Affects, drift.QuerySubject(q)) {
						t.Errorf("%s: affects %v, want it to hold %s", key, f.Affects, drift.QuerySubject(q))
					}
				}
				if w.names == nil && strings.Contains(f.Message, "quer") {
					t.Errorf("%s: message %q names a query; none depends on it so", key, f.Message)
				}
			}
		})
	}
}
