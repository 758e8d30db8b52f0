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
	"github.com/rbacdrift/rbacdrift/introspect/catalog"
	"github.com/rbacdrift/rbacdrift/spec"
)

func ptr[T any](v T) *T { return &v }

// tenantOf returns a tenant of schema with a catalog that has one of every
// kind of fact the comparison and the dry run read, with OIDs from oid on,
// changed by edit.
func tenantOf(schema string, oid uint32, edit func(c *catalog.Catalog, types map[string]catalog.Type)) tenant {
	n := func(name string) catalog.Name { return catalog.Name{Schema: schema, Name: name} }
	users := &catalog.Relation{OID: oid, Name: n("users"), Kind: catalog.KindTable, Owner: "owner", RowSecurity: true, EstimatedRows: 10,
		Columns: []*catalog.Column{
			{Num: 1, Name: "id", TypeOID: 23, TypMod: -1, Type: "integer", NotNull: true, Identity: "by_default"},
			{Num: 2, Name: "org_id", TypeOID: 23, TypMod: -1, Type: "integer", NotNull: true},
			{Num: 3, Name: "email", TypeOID: 1043, TypMod: 258, Type: "character varying(254)", Default: ptr("''::character varying")},
			{Num: 4, Name: "scope", TypeOID: oid + 1, TypMod: -1, Type: schema + ".scope"},
		},
		PrimaryKey:  &catalog.Constraint{Name: "users_pkey", Columns: []string{"id"}},
		Uniques:     []*catalog.Constraint{{Name: "users_email_key", Columns: []string{"email"}}},
		ForeignKeys: []*catalog.ForeignKey{{Name: "users_org_fk", Columns: []string{"org_id"}, References: n("orgs"), RefColumns: []string{"id"}, OnDelete: "cascade", OnUpdate: "no_action"}},
		Indexes:     []*catalog.Index{{Name: "users_org_idx", Columns: []string{"org_id"}, Method: "btree", Valid: true}},
		Privileges:  []*catalog.Privilege{{Grantee: "app", Privilege: "SELECT"}},
		Effective:   []*catalog.Effective{{Role: "app", Privilege: "SELECT", Held: true, Through: []string{"app"}}},
		Policies:    []*catalog.Policy{{Name: "own_org", Command: "SELECT", Permissive: true, Roles: []string{"app"}, Using: ptr("(org_id = current_setting('app.org')::integer)")}},
		Sequences:   []*catalog.Sequence{{Column: "id", Identity: true, Name: n("users_id_seq"), Owned: true, LastValue: ptr(int64(41)), Start: 1, Increment: 1, Max: 2147483647, ColumnMax: ptr(int64(41)), MaxRead: true}},
	}
	orgs := &catalog.Relation{OID: oid + 2, Name: n("orgs"), Kind: catalog.KindTable, Owner: "owner", EstimatedRows: -1,
		Columns: []*catalog.Column{{Num: 1, Name: "id", TypeOID: 23, TypMod: -1, Type: "integer", NotNull: true}}}
	c := &catalog.Catalog{
		Server:      catalog.Server{Version: "16.4", Database: "app", User: "checker", SearchPath: `"$user", public`},
		Relations:   map[catalog.Name]*catalog.Relation{users.Name: users, orgs.Name: orgs},
		Elsewhere:   map[catalog.Name][]*catalog.Relation{},
		Enums:       map[catalog.Name]*catalog.Enum{n("scope"): {OID: oid + 1, Name: n("scope"), IsEnum: true, Labels: []string{"global", "org", "own"}}},
		Memberships: map[string]*catalog.Membership{"app": {Groups: []string{"readers"}}},
		Functions: map[catalog.Name][]*catalog.Function{n("can"): {{OID: oid + 3, Name: n("can"), ArgTypes: []uint32{23, oid + 1}, Args: []string{"integer", schema + ".scope"},
			ReturnOID: 16, Returns: "boolean", Volatility: "stable", Language: "sql", Config: []string{"search_path=" + schema}, Executors: []string{"app"}}}},
		Sequences: map[catalog.Name]*catalog.NamedSequence{n("invoice_no"): {OID: oid + 4, Name: n("invoice_no"), Held: map[string][]string{"app": {"USAGE"}}}},
	}
	types := map[string]catalog.Type{"integer": {OID: 23, TypMod: -1}, schema + ".scope": {OID: oid + 1, TypMod: -1}, "varchar(254)": {OID: 1043, TypMod: 258}}
	if edit != nil {
		edit(c, types)
	}
	return tenant{schema: schema, catalog: c, types: types}
}

// TestTenantFingerprintCoversEveryFact: each fact of a tenant's catalog
// that the comparison or the dry run reads changes the fingerprint; the
// schema's own name, user objects' OIDs and data do not.
func TestTenantFingerprintCoversEveryFact(t *testing.T) {
	t.Parallel()
	base := tenantFingerprint(tenantOf("tenant_a", 20000, nil))
	users := func(c *catalog.Catalog) *catalog.Relation {
		for _, r := range c.Relations {
			if r.Name.Name == "users" {
				return r
			}
		}
		panic("no users")
	}
	changes := map[string]func(c *catalog.Catalog, types map[string]catalog.Type){
		"column type": func(c *catalog.Catalog, _ map[string]catalog.Type) {
			users(c).Columns[1].Type = "bigint"
			users(c).Columns[1].TypeOID = 20
		},
		"column type modifier":   func(c *catalog.Catalog, _ map[string]catalog.Type) { users(c).Columns[2].TypMod = 104 },
		"built-in type OID only": func(c *catalog.Catalog, _ map[string]catalog.Type) { users(c).Columns[1].TypeOID = 20 },
		"nullability":            func(c *catalog.Catalog, _ map[string]catalog.Type) { users(c).Columns[1].NotNull = false },
		"default":                func(c *catalog.Catalog, _ map[string]catalog.Type) { users(c).Columns[2].Default = nil },
		"identity":               func(c *catalog.Catalog, _ map[string]catalog.Type) { users(c).Columns[0].Identity = "always" },
		"generated":              func(c *catalog.Catalog, _ map[string]catalog.Type) { users(c).Columns[1].Generated = ptr("1") },
		"column order": func(c *catalog.Catalog, _ map[string]catalog.Type) {
			cs := users(c).Columns
			cs[0], cs[1] = cs[1], cs[0]
		},
		"a column more": func(c *catalog.Catalog, _ map[string]catalog.Type) {
			users(c).Columns = append(users(c).Columns, &catalog.Column{Num: 5, Name: "x", TypeOID: 25, TypMod: -1, Type: "text"})
		},
		"kind":           func(c *catalog.Catalog, _ map[string]catalog.Type) { users(c).Kind = catalog.KindView },
		"owner":          func(c *catalog.Catalog, _ map[string]catalog.Type) { users(c).Owner = "other" },
		"row security":   func(c *catalog.Catalog, _ map[string]catalog.Type) { users(c).RowSecurity = false },
		"primary key":    func(c *catalog.Catalog, _ map[string]catalog.Type) { users(c).PrimaryKey = nil },
		"unique":         func(c *catalog.Catalog, _ map[string]catalog.Type) { users(c).Uniques = nil },
		"index":          func(c *catalog.Catalog, _ map[string]catalog.Type) { users(c).Indexes[0].Columns = []string{"email"} },
		"index validity": func(c *catalog.Catalog, _ map[string]catalog.Type) { users(c).Indexes[0].Valid = false },
		"index predicate": func(c *catalog.Catalog, _ map[string]catalog.Type) {
			users(c).Indexes[0].Predicate = ptr("org_id > 0")
		},
		"foreign key target": func(c *catalog.Catalog, _ map[string]catalog.Type) {
			users(c).ForeignKeys[0].References = catalog.Name{Schema: "public", Name: "orgs"}
		},
		"foreign key action": func(c *catalog.Catalog, _ map[string]catalog.Type) { users(c).ForeignKeys[0].OnDelete = "restrict" },
		"grant":              func(c *catalog.Catalog, _ map[string]catalog.Type) { users(c).Privileges[0].Privilege = "INSERT" },
		"effective privilege": func(c *catalog.Catalog, _ map[string]catalog.Type) {
			users(c).Effective[0].Held = false
		},
		"policy expression": func(c *catalog.Catalog, _ map[string]catalog.Type) { users(c).Policies[0].Using = ptr("true") },
		"policy roles":      func(c *catalog.Catalog, _ map[string]catalog.Type) { users(c).Policies[0].Roles = []string{"public"} },
		"serial sequence":   func(c *catalog.Catalog, _ map[string]catalog.Type) { users(c).Sequences[0].Max = 100 },
		"enum labels": func(c *catalog.Catalog, _ map[string]catalog.Type) {
			for _, e := range c.Enums {
				e.Labels = []string{"global", "org"}
			}
		},
		"function": func(c *catalog.Catalog, _ map[string]catalog.Type) {
			for _, fs := range c.Functions {
				fs[0].Definer = true
			}
		},
		"function executors": func(c *catalog.Catalog, _ map[string]catalog.Type) {
			for _, fs := range c.Functions {
				fs[0].Executors = nil
			}
		},
		"named sequence": func(c *catalog.Catalog, _ map[string]catalog.Type) {
			for _, s := range c.Sequences {
				s.Held = map[string][]string{}
			}
		},
		"a relation less": func(c *catalog.Catalog, _ map[string]catalog.Type) {
			delete(c.Relations, catalog.Name{Schema: "tenant_a", Name: "orgs"})
		},
		"found elsewhere": func(c *catalog.Catalog, _ map[string]catalog.Type) {
			c.Elsewhere[catalog.Name{Schema: "tenant_a", Name: "roles"}] = []*catalog.Relation{{Name: catalog.Name{Schema: "public", Name: "roles"}}}
		},
		"declared type": func(_ *catalog.Catalog, types map[string]catalog.Type) {
			types["varchar(254)"] = catalog.Type{OID: 1043, TypMod: 132}
		},
	}
	for name, edit := range changes {
		if tenantFingerprint(tenantOf("tenant_a", 20000, edit)) == base {
			t.Errorf("%s: the fingerprint does not change", name)
		}
	}
	same := map[string]tenant{
		"another schema name":  tenantOf("tenant_b", 20000, nil),
		"a quoted schema name": tenantOf("Tenant B", 20000, nil),
		"other user OIDs":      tenantOf("tenant_b", 31000, nil),
		"other data": tenantOf("tenant_a", 20000, func(c *catalog.Catalog, _ map[string]catalog.Type) {
			for _, r := range c.Relations {
				r.EstimatedRows = 123456
				for _, s := range r.Sequences {
					s.LastValue, s.ColumnMax = ptr(int64(99)), ptr(int64(99))
				}
			}
		}),
	}
	for name, tn := range same {
		if got := tenantFingerprint(tn); got != base {
			t.Errorf("%s changes the fingerprint:\n%s\n%s", name, base, got)
		}
	}
}

// TestFingerprintFieldsExist: the fields the fingerprint leaves out are
// fields of the catalog's types (a renamed field would otherwise silently
// count again).
func TestFingerprintFieldsExist(t *testing.T) {
	t.Parallel()
	fields := map[string]bool{}
	var walk func(reflect.Type)
	seen := map[reflect.Type]bool{}
	walk = func(ty reflect.Type) {
		for ty.Kind() == reflect.Pointer || ty.Kind() == reflect.Slice || ty.Kind() == reflect.Map {
			if ty.Kind() == reflect.Map {
				walk(ty.Key())
			}
			ty = ty.Elem()
		}
		if ty.Kind() != reflect.Struct || seen[ty] {
			return
		}
		seen[ty] = true
		for i := range ty.NumField() {
			fields[ty.Field(i).Name] = true
			walk(ty.Field(i).Type)
		}
	}
	walk(reflect.TypeFor[catalog.Catalog]())
	walk(reflect.TypeFor[catalog.Type]())
	for _, set := range []map[string]bool{oidFields, dataFields} {
		for f := range set {
			if !fields[f] {
				t.Errorf("%s is no field of the catalog's types", f)
			}
		}
	}
}

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
	// tenant_a and tenant_c are alike: they share one dry run.
	var tenants []tenant
	for _, sc := range res.Schemas {
		tm := tenantModel(m, sc)
		tenants = append(tenants, tenant{schema: sc, model: tm, catalog: tenantCatalog(res.Catalog, sc, map[string]bool{"tenant_a": true, "tenant_b": true, "tenant_c": true}),
			types: map[string]catalog.Type{"integer": {OID: 23, TypMod: -1}, "text": {OID: 25, TypMod: -1}}})
	}
	if len(tenants) != 3 || tenantFingerprint(tenants[0]) != tenantFingerprint(tenants[2]) || tenantFingerprint(tenants[0]) == tenantFingerprint(tenants[1]) {
		t.Errorf("tenant_a and tenant_c should share a fingerprint, tenant_b not (schemas %v)", res.Schemas)
	}
}

func describe(fs []*drift.Finding) string {
	var b strings.Builder
	for _, f := range fs {
		b.WriteString(f.Schema + " " + string(f.Code) + " " + f.Object + ": " + f.Message + "\n")
	}
	return b.String()
}
