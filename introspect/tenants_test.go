package introspect_test

import (
	"context"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/rbacdrift/rbacdrift/internal/pgsession"
	"github.com/rbacdrift/rbacdrift/internal/testutil/pgtest"
	"github.com/rbacdrift/rbacdrift/introspect"
	"github.com/rbacdrift/rbacdrift/introspect/catalog"
)

// notTenantFacts are the fields of the catalog's types that no tenant fact
// stands for, and why: the same for every tenant of a database, an OID of
// the tenant's own (its object is described by name and shape), or data.
var notTenantFacts = map[string]string{
	"Catalog.Server":                "the server and the session: the same for every tenant",
	"Catalog.Memberships":           "role memberships belong to the server",
	"Membership.Groups":             "role memberships belong to the server",
	"Membership.NoInherit":          "role memberships belong to the server",
	"Name.Schema":                   "the tenant's own schema name, factored out (other schemas are named in the facts)",
	"Name.Name":                     "an object's name: the sort key of its fact",
	"Relation.OID":                  "a user OID",
	"Enum.OID":                      "a user OID",
	"Function.OID":                  "a user OID",
	"NamedSequence.OID":             "a user OID",
	"Relation.EstimatedRows":        "data: the row estimate",
	"Sequence.LastValue":            "data: the sequence's state",
	"Sequence.ColumnMax":            "data: the column's maximum",
	"Sequence.MaxRead":              "data: whether the maximum was read",
	"Function.ArgTypes":             "the OIDs of Function.Args: built-in ones as they are, user ones by name, in the function's sort key",
	"Function.ReturnOID":            "the OID of Function.Returns",
	"Catalog.RunAs":                 "the run_as role: its attributes and memberships belong to the server",
	"RunAs.Role":                    "the run_as role: its attributes and memberships belong to the server",
	"RunAs.Exists":                  "the run_as role: its attributes and memberships belong to the server",
	"RunAs.Superuser":               "the run_as role: its attributes and memberships belong to the server",
	"RunAs.BypassRLS":               "the run_as role: its attributes and memberships belong to the server",
	"RunAs.Bypassers":               "the run_as role: its attributes and memberships belong to the server",
	"RunAs.Assumed":                 "the run_as role: whether the checking user may assume it belongs to the server",
	"RunAs.Relations":               "per relation, what follows from the relation's owner (the relation fact) and its policies' roles (the policy fact) for a role of the server",
	"RunAsRelation.Owner":           "the relation fact reads the owner",
	"RunAsRelation.Owns":            "follows from the owner (the relation fact) and the run_as role (the server)",
	"RunAsRelation.OwnerPrivileges": "follows from the owner (the relation fact) and role memberships (the server)",
	"RunAsRelation.Active":          "follows from the relation fact (RLS, FORCE, owner) and the run_as role (the server)",
	"RunAsRelation.Applying":        "follows from the policy fact (its roles) and role memberships (the server)",
	"Catalog.RoleSettings":          "role settings belong to the server and the database, not to a schema",
	"RoleSetting.Name":              "role settings belong to the server and the database, not to a schema",
	"RoleSetting.Value":             "role settings belong to the server and the database, not to a schema",
	"RoleSetting.Scope":             "role settings belong to the server and the database, not to a schema",
	"RoleSetting.Settable":          "role settings belong to the server and the database, not to a schema",
	"Catalog.DefaultACLs":           "default privileges are read for the database, by the schema the model names",
	"DefaultACL.Owner":              "default privileges are read for the database, by the schema the model names",
	"DefaultACL.Schema":             "default privileges are read for the database, by the schema the model names",
	"DefaultACL.Objects":            "default privileges are read for the database, by the schema the model names",
	"DefaultACL.Grantee":            "default privileges are read for the database, by the schema the model names",
	"DefaultACL.Privileges":         "default privileges are read for the database, by the schema the model names",
}

// TestTenantFactsCoverTheCatalog: every field of the catalog's values is
// read from a tenant fact, or named in notTenantFacts with the reason; a
// field added to the catalog's types later fails here until it is.
func TestTenantFactsCoverTheCatalog(t *testing.T) {
	t.Parallel()
	read := map[string]bool{}
	for _, f := range introspect.TenantFacts {
		for _, r := range f.Reads {
			read[r] = true
		}
	}
	fields := map[string]bool{}
	seen := map[reflect.Type]bool{}
	var walk func(reflect.Type)
	walk = func(ty reflect.Type) {
		for ty.Kind() == reflect.Pointer || ty.Kind() == reflect.Slice || ty.Kind() == reflect.Map {
			if ty.Kind() == reflect.Map {
				walk(ty.Key())
			}
			ty = ty.Elem()
		}
		if ty.Kind() != reflect.Struct || seen[ty] || ty.PkgPath() != reflect.TypeFor[catalog.Catalog]().PkgPath() {
			return
		}
		seen[ty] = true
		for i := range ty.NumField() {
			name := ty.Name() + "." + ty.Field(i).Name
			fields[name] = true
			if ty.Name() == "Server" {
				continue
			}
			walk(ty.Field(i).Type)
		}
	}
	walk(reflect.TypeFor[catalog.Catalog]())
	walk(reflect.TypeFor[catalog.Type]())
	for f := range fields {
		if strings.HasPrefix(f, "Server.") {
			continue
		}
		if !read[f] && notTenantFacts[f] == "" {
			t.Errorf("%s: no tenant fact reads it (add it to a fact's Reads in introspect/tenants.go, or to notTenantFacts with the reason)", f)
		}
		if read[f] && notTenantFacts[f] != "" {
			t.Errorf("%s is both read by a tenant fact and said not to be", f)
		}
	}
	for r := range read {
		if !fields[r] {
			t.Errorf("%s, read by a tenant fact, is no field of the catalog's types", r)
		}
	}
	for f := range notTenantFacts {
		if !fields[f] {
			t.Errorf("%s, in notTenantFacts, is no field of the catalog's types", f)
		}
	}
}

// tenantBase is one tenant schema with an object of every kind the tenant
// facts read; ROLE is a role.
const tenantBase = `
CREATE TYPE scope AS ENUM ('a', 'b');
CREATE TABLE orgs (id integer PRIMARY KEY);
CREATE TABLE users (
    id     serial PRIMARY KEY,
    org_id integer NOT NULL REFERENCES orgs (id),
    email  varchar(100) DEFAULT '' UNIQUE,
    s      scope DEFAULT 'a'
);
CREATE INDEX users_org_idx ON users (org_id) WHERE id > 0;
CREATE INDEX users_lower_idx ON users (lower(email));
ALTER TABLE users ENABLE ROW LEVEL SECURITY;
CREATE FUNCTION can(integer) RETURNS boolean LANGUAGE sql STABLE AS 'SELECT $1 > 0';
CREATE POLICY own ON users USING (org_id = current_setting('app.org')::integer AND can(id));
CREATE SEQUENCE invoice_no;
CREATE VIEW v AS SELECT id FROM users;
GRANT SELECT ON users TO ROLE;
GRANT UPDATE (email) ON users TO ROLE;
`

// tenantChanges holds, for each tenant fact, changes of one tenant that
// the fact sees, each made to a tenant of its own; ROLE is a role, OTHER
// another.
var tenantChanges = map[string][]string{
	"relation": {
		`ALTER TABLE users FORCE ROW LEVEL SECURITY`,
		`ALTER TABLE orgs OWNER TO OTHER`,
		`REVOKE SELECT ON users FROM ROLE`,
	},
	"column": {
		`ALTER TABLE users ALTER COLUMN email TYPE varchar(99)`,
		`ALTER TABLE users ALTER COLUMN email SET DEFAULT 'x'`,
		`REVOKE UPDATE (email) ON users FROM ROLE`,
	},
	"constraint": {`ALTER TABLE users DROP CONSTRAINT users_org_id_fkey,
	    ADD CONSTRAINT users_org_id_fkey FOREIGN KEY (org_id) REFERENCES orgs (id) ON DELETE CASCADE`},
	"index":    {`DROP INDEX users_org_idx; CREATE UNIQUE INDEX users_org_idx ON users (org_id) WHERE id > 0`},
	"policy":   {`ALTER POLICY own ON users TO ROLE`},
	"sequence": {`ALTER SEQUENCE invoice_no MAXVALUE 100`},
	"type":     {`ALTER TYPE scope ADD VALUE 'c'`, `CREATE DOMAIN positive AS integer CHECK (VALUE > 0)`},
	"function": {`ALTER FUNCTION can(integer) SECURITY DEFINER`},
	"expression": {
		`CREATE OR REPLACE VIEW v AS SELECT id FROM users WHERE id > 0`,
		`ALTER POLICY own ON users USING (org_id = 1)`,
		`DROP INDEX users_org_idx; CREATE INDEX users_org_idx ON users (org_id) WHERE id > 1`,
		`DROP INDEX users_lower_idx; CREATE INDEX users_lower_idx ON users (upper(email))`,
		`ALTER TABLE orgs ADD COLUMN code text GENERATED ALWAYS AS (lower(id::text)) STORED`,
		`ALTER TABLE orgs ADD CHECK (id > 0)`,
	},
}

// TestTenantFactsChangeTheGroup: for each tenant fact, of three tenants
// made alike, the one changed in that fact alone gets a group of its own,
// and the two others (other schema names, other OIDs) share one.
func TestTenantFactsChangeTheGroup(t *testing.T) {
	t.Parallel()
	db := pgtest.NewDB(t)
	role, other := db.Role(t, "tenant_reader"), db.Role(t, "tenant_owner")
	var ddl strings.Builder
	var schemas []string
	for _, f := range introspect.TenantFacts {
		changes, ok := tenantChanges[f.Name]
		if !ok {
			t.Errorf("tenant fact %q: no change in tenantChanges shows that it changes the group", f.Name)
			continue
		}
		xs := []string{"a", "c"}
		for k := range changes {
			xs = append(xs, fmt.Sprintf("b%d", k))
		}
		for _, x := range xs {
			sc := schemaOf(f.Name, x)
			schemas = append(schemas, sc)
			fmt.Fprintf(&ddl, "CREATE SCHEMA %q; SET search_path = %q;\n", sc, sc)
			roles := strings.NewReplacer("ROLE", role, "OTHER", other)
			ddl.WriteString(roles.Replace(tenantBase))
			if k, ok := strings.CutPrefix(x, "b"); ok {
				var i int
				fmt.Sscan(k, &i)
				ddl.WriteString(roles.Replace(changes[i]) + ";\n")
			}
		}
	}
	db.Exec(t, ddl.String())
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	target, err := pgsession.ParseTarget(db.URL)
	if err != nil {
		t.Fatal(err)
	}
	s, err := pgsession.Open(ctx, target, pgsession.Options{Timeout: 30 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close(context.Background())
	groups, maxLocks, err := introspect.GroupTenants(ctx, s, schemas)
	if err != nil {
		t.Fatal(err)
	}
	if maxLocks <= 0 {
		t.Errorf("max_locks_per_transaction %d", maxLocks)
	}
	group := map[string]string{}
	for _, g := range groups {
		for _, sc := range g.Schemas {
			group[sc] = g.Key
		}
	}
	for _, f := range introspect.TenantFacts {
		a, c := group[schemaOf(f.Name, "a")], group[schemaOf(f.Name, "c")]
		if a == "" || a != c {
			t.Errorf("%s: two alike tenants are in different groups (%q, %q)", f.Name, a, c)
		}
		for k, change := range tenantChanges[f.Name] {
			if a == group[schemaOf(f.Name, fmt.Sprintf("b%d", k))] {
				t.Errorf("%s: the tenant changed by %q is in the group of the others", f.Name, change)
			}
		}
	}
	// Alike tenants of different facts are alike too.
	if a, c := group[schemaOf("relation", "a")], group[schemaOf("expression", "c")]; a != c {
		t.Errorf("alike tenants of two facts are in different groups")
	}
}

func schemaOf(fact, x string) string { return "t " + fact + " " + x }
