package dryrun_test

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/rbacdrift/rbacdrift/drift"
	"github.com/rbacdrift/rbacdrift/internal/testutil/pgtest"
	"github.com/rbacdrift/rbacdrift/spec"
)

// normalisedQueries are statements as pg_stat_statements stores them:
// constants are $n with no declared type; PostgreSQL 18 squashes a list of
// constants to "$1 /*, ... */". The text is the same on every version, so
// each version is asked to plan each form.
const normalisedQueries = `-- name: in_list_squashed :many
SELECT rp.permission_id FROM role_permissions rp WHERE rp.role_id IN ($1 /*, ... */) AND rp.scope = $2 LIMIT $3;
-- name: in_list_each :many
SELECT rp.permission_id FROM role_permissions rp WHERE rp.role_id IN ($1, $2, $3) AND rp.scope = $4 LIMIT $5 OFFSET $6;
-- name: array_squashed :many
SELECT count(*) FROM role_permissions WHERE role_id = ANY(ARRAY[$1 /*, ... */]);
-- name: array_cast :many
SELECT count(*) FROM role_permissions WHERE role_id = ANY($1::int[]);
-- name: insert_values :exec
INSERT INTO role_permissions (role_id, permission_id, scope) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING;
-- name: update_limit :exec
UPDATE role_permissions SET scope = $1 WHERE role_id = $2 AND permission_id = $3;
-- name: untyped :many
SELECT rp.permission_id FROM role_permissions rp WHERE $1 IS NULL OR rp.role_id = 1;
`

// TestNormalisedSQL: the statements a harvest writes dry-run without false
// alarms; the one whose parameter type the server cannot tell from the SQL
// is reported plainly, as a warning.
func TestNormalisedSQL(t *testing.T) {
	t.Parallel()
	db := pgtest.NewDB(t)
	db.Exec(t, `CREATE TABLE role_permissions (role_id int NOT NULL, permission_id int NOT NULL, scope text NOT NULL, PRIMARY KEY (role_id, permission_id, scope))`)
	qs, err := spec.ParseQueryFile("harvested.sql", []byte(normalisedQueries), "")
	if err != nil {
		t.Fatal(err)
	}
	m := &spec.Model{Schema: "public", Queries: qs}
	fs := dryRun(t, connect(t, db.URL), m, "")
	want := []got{{Code: "query-error", Severity: drift.Warning, Object: "query:untyped", SQLState: "42P18", Pos: "harvested.sql:13:1"}}
	if diff := cmp.Diff(want, summarize(fs)); diff != "" {
		t.Errorf("findings (-want +got):\n%s", diff)
	}
	if len(fs) == 1 {
		for _, s := range []string{"cannot be planned generically", "$1"} {
			if !strings.Contains(fs[0].Message, s) {
				t.Errorf("message %q does not say %q", fs[0].Message, s)
			}
		}
		if !strings.Contains(fs[0].Hint, "params") {
			t.Errorf("hint %q does not say to declare params", fs[0].Hint)
		}
	}
}
