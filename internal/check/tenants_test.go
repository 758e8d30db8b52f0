package check

import (
	"context"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/rbacdrift/rbacdrift/drift"
	"github.com/rbacdrift/rbacdrift/internal/pgsession"
	"github.com/rbacdrift/rbacdrift/internal/testutil/pgtest"
	"github.com/rbacdrift/rbacdrift/spec"
)

// TestTenantsDifferingInAColumnType: two tenants that differ only in a
// column's type each get their own dry run, so the one whose query fails
// reports it and the other does not.
func TestTenantsDifferingInAColumnType(t *testing.T) {
	t.Parallel()
	db := pgtest.NewDB(t)
	db.Exec(t, `CREATE SCHEMA tenant_a; CREATE SCHEMA tenant_b; CREATE SCHEMA tenant_c;
		CREATE TABLE tenant_a.users (id integer PRIMARY KEY, name text NOT NULL);
		CREATE TABLE tenant_b.users (id integer PRIMARY KEY, name integer NOT NULL);
		CREATE TABLE tenant_c.users (id integer PRIMARY KEY, name text NOT NULL);`)
	m, err := spec.Parse("tenants.yaml", []byte(`version: 1
tables:
  users:
    columns:
      id:   { type: integer, nullable: false }
      name: { type: text, nullable: false }
    primary_key: [id]
queries:
  user_name:
    sql: SELECT lower(name) AS name FROM users WHERE id = $1
    params: [integer]
`))
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	target, err := pgsession.ParseTarget(db.URL)
	if err != nil {
		t.Fatal(err)
	}
	s, err := pgsession.Open(ctx, target, pgsession.Options{Timeout: 20 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close(context.Background())
	res, err := Check(ctx, s, m, CheckOptions{Schemas: []string{"tenant_*"}})
	if err != nil {
		t.Fatal(err)
	}
	queryErrors := map[string]int{}
	typeFindings := map[string]int{}
	for _, f := range res.Findings {
		switch {
		case f.Code == "query-error":
			queryErrors[f.Schema]++
		case strings.HasPrefix(f.Object, f.Schema+".users.name"):
			typeFindings[f.Schema]++
		}
	}
	if queryErrors["tenant_b"] != 1 || queryErrors["tenant_a"] != 0 || queryErrors["tenant_c"] != 0 {
		t.Errorf("query errors by tenant: %v, want one in tenant_b alone; findings:\n%s", queryErrors, describe(res.Findings))
	}
	if typeFindings["tenant_b"] == 0 || typeFindings["tenant_a"]+typeFindings["tenant_c"] != 0 {
		t.Errorf("column findings by tenant: %v, want tenant_b's alone", typeFindings)
	}
	// tenant_a and tenant_c are alike: they share one group, and one dry run.
	schemas, groups, _, err := compareTenants(ctx, s, m, []string{"tenant_*"})
	if err != nil {
		t.Fatal(err)
	}
	var got [][]string
	for _, g := range groups {
		got = append(got, g.schemas)
	}
	if want := [][]string{{"tenant_a", "tenant_c"}, {"tenant_b"}}; !reflect.DeepEqual(got, want) || len(schemas) != 3 {
		t.Errorf("groups %v, want %v (schemas %v)", got, want, schemas)
	}
}

func describe(fs []*drift.Finding) string {
	var b strings.Builder
	for _, f := range fs {
		b.WriteString(f.Schema + " " + string(f.Code) + " " + f.Object + ": " + f.Message + "\n")
	}
	return b.String()
}
