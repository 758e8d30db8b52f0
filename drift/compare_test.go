package drift_test

import (
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/rbacdrift/rbacdrift/drift"
	"github.com/rbacdrift/rbacdrift/introspect/catalog"
	"github.com/rbacdrift/rbacdrift/spec"
)

// These tests compare models with catalogs built in Go: the facts
// introspect reads from a database, without one. The same comparisons on a
// real database, through the real session, are internal/check's end-to-end
// tests (e2e_compare_test.go and the others).

// found is the part of a finding a comparison test pins down.
type found struct {
	Code     string
	Object   string
	Severity drift.Severity
}

func summary(fs []*drift.Finding) []found {
	out := []found{}
	for _, f := range fs {
		out = append(out, found{string(f.Code), f.Object, f.Severity})
	}
	return out
}

// Type OIDs, as pg_type has them.
const (
	oidBool        = 16
	oidInt8        = 20
	oidInt4        = 23
	oidText        = 25
	oidVarchar     = 1043
	oidTimestamptz = 1184
	oidScope       = 90001 // an enum of the test's own
)

// types is the server's reading of every type name the models below
// declare, as check.Compare asks it: spellings of one type map to one OID,
// and varchar(n) carries its typmod (n + 4).
var types = map[string]catalog.Type{
	"int": {OID: oidInt4, TypMod: -1}, "int4": {OID: oidInt4, TypMod: -1}, "integer": {OID: oidInt4, TypMod: -1},
	"bigint":      {OID: oidInt8, TypMod: -1},
	"text":        {OID: oidText, TypMod: -1},
	"boolean":     {OID: oidBool, TypMod: -1},
	"timestamptz": {OID: oidTimestamptz, TypMod: -1},
	"varchar(64)": {OID: oidVarchar, TypMod: 68}, "character varying(64)": {OID: oidVarchar, TypMod: 68},
	"varchar(128)":     {OID: oidVarchar, TypMod: 132},
	"permission_scope": {OID: oidScope, TypMod: -1},
}

// unknownTypes are the declared names the server does not know.
var unknownTypes = map[string]string{"no_such_type": `type "no_such_type" does not exist`}

func ptr[T any](v T) *T { return &v }

func name(qualified string) catalog.Name {
	schema, n, _ := strings.Cut(qualified, ".")
	return catalog.Name{Schema: schema, Name: n}
}

// table returns a relation of kind table named public.<n>.
func table(n string, cols ...*catalog.Column) *catalog.Relation {
	return &catalog.Relation{Name: name("public." + n), Kind: catalog.KindTable, Owner: "owner", EstimatedRows: -1, Columns: cols}
}

// column returns a nullable column without a default.
func column(n, typ string, oid uint32) *catalog.Column {
	return &catalog.Column{Name: n, Type: typ, TypeOID: oid, TypMod: -1}
}

func notNull(c *catalog.Column) *catalog.Column { c.NotNull = true; return c }

func withDefault(c *catalog.Column, def string) *catalog.Column { c.Default = &def; return c }

// varchar returns a nullable varchar(n) column.
func varchar(col string, n int32) *catalog.Column {
	c := column(col, "character varying("+strconv.Itoa(int(n))+")", oidVarchar)
	c.TypMod = n + 4
	return c
}

// catalogOf returns a catalog holding rels, read with effective
// privileges (so that a role without rows does not exist).
func catalogOf(rels ...*catalog.Relation) *catalog.Catalog {
	c := &catalog.Catalog{
		Relations:   map[catalog.Name]*catalog.Relation{},
		Elsewhere:   map[catalog.Name][]*catalog.Relation{},
		Enums:       map[catalog.Name]*catalog.Enum{},
		Memberships: map[string]*catalog.Membership{},
		Functions:   map[catalog.Name][]*catalog.Function{},
		Sequences:   map[catalog.Name]*catalog.NamedSequence{},
	}
	for _, r := range rels {
		c.Relations[r.Name] = r
	}
	return c
}

// compare parses model and compares it with cat, as check.Compare does
// once it has read the catalog and the types.
func compare(t *testing.T, model string, cat *catalog.Catalog) []*drift.Finding {
	t.Helper()
	m, err := spec.Parse("model.yaml", []byte(model))
	if err != nil {
		t.Fatalf("model: %v", err)
	}
	return drift.Compare(drift.Input{Model: m, Catalog: cat, Types: types, UnknownTypes: unknownTypes})
}

// A compareCase is one model against one hand-built catalog.
type compareCase struct {
	name  string
	model string
	cat   *catalog.Catalog
	want  []found
	// hints maps "code object" to a substring of that finding's hint or
	// message.
	hints map[string]string
}

func runCompare(t *testing.T, tests []compareCase) {
	t.Helper()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fs := compare(t, tt.model, tt.cat)
			if diff := cmp.Diff(tt.want, summary(fs)); diff != "" {
				t.Errorf("findings (-want +got):\n%s", diff)
			}
			checkHints(t, fs, tt.hints)
		})
	}
}

func checkHints(t *testing.T, fs []*drift.Finding, hints map[string]string) {
	t.Helper()
	for key, want := range hints {
		ok := false
		for _, f := range fs {
			if string(f.Code)+" "+f.Object == key {
				ok = true
				if !strings.Contains(f.Hint, want) && !strings.Contains(f.Message, want) {
					t.Errorf("%s: message %q, hint %q\nwant either to contain %q", key, f.Message, f.Hint, want)
				}
			}
		}
		if !ok {
			t.Errorf("no finding %s to check the hint of", key)
		}
	}
}

func TestCompareRelationsAndColumns(t *testing.T) {
	elsewhere := catalogOf()
	elsewhere.Elsewhere[name("public.casbin_rule")] = []*catalog.Relation{{Name: name("eval_authz.casbin_rule"), Kind: catalog.KindTable, EstimatedRows: 12}}
	view := table("casbin_rule", column("id", "text", oidText))
	view.Kind = catalog.KindView
	partitioned := table("audit", column("id", "integer", oidInt4))
	partitioned.Kind = catalog.KindPartitionedTable

	tests := []compareCase{
		{
			name:  "clean",
			model: "version: 1\ntables:\n  t:\n    columns:\n      id: { type: integer, nullable: false }\n      email: character varying(64)\n",
			cat:   catalogOf(table("t", notNull(column("id", "integer", oidInt4)), varchar("email", 64))),
			want:  []found{},
		},
		{
			name:  "missing tables, one present in another schema",
			model: "version: 1\ntables:\n  casbin_rule: {}\n  roles: {}\n",
			cat:   elsewhere,
			want:  []found{{"missing-table", "public.casbin_rule", drift.Error}, {"missing-table", "public.roles", drift.Error}},
			hints: map[string]string{
				"missing-table public.casbin_rule": "a relation of that name exists elsewhere: eval_authz.casbin_rule (table, about 12 rows)",
				"missing-table public.roles":       "the migration that creates public.roles has not run",
			},
		},
		{
			name:  "a view where a table is declared; a partitioned table is a table",
			model: "version: 1\ntables:\n  casbin_rule:\n    columns: { id: text }\n  audit:\n    columns: { id: int }\n",
			cat:   catalogOf(view, partitioned),
			want:  []found{{"wrong-relation-kind", "public.casbin_rule", drift.Error}},
			hints: map[string]string{"wrong-relation-kind public.casbin_rule": "may filter rows away"},
		},
		{
			name:  "a renamed column",
			model: "version: 1\ntables:\n  authorities:\n    columns:\n      username: varchar(64)\n      authority: varchar(64)\n",
			cat:   catalogOf(table("authorities", notNull(varchar("username", 64)), notNull(varchar("role", 64)))),
			want:  []found{{"unexpected-column", "public.authorities.role", drift.Error}, {"missing-column", "public.authorities.authority", drift.Error}},
			hints: map[string]string{
				"missing-column public.authorities.authority": "if authority was renamed to role, rename it back (ALTER TABLE authorities RENAME COLUMN role TO authority)",
				"unexpected-column public.authorities.role":   "inserts that do not name role fail with 23502",
			},
		},
		{
			name: "forbidden columns still there: the denormalised layout",
			model: `version: 1
tables:
  rp:
    columns: { role_id: int, permission_id: int }
    forbidden_columns:
      resource: "replaced by permission_id"
`,
			cat:  catalogOf(table("rp", column("role_id", "integer", oidInt4), column("resource", "text", oidText))),
			want: []found{{"missing-column", "public.rp.permission_id", drift.Error}, {"forbidden-column", "public.rp.resource", drift.Error}},
			hints: map[string]string{
				"missing-column public.rp.permission_id": "rp still has the denormalised layout (resource): the migration that introduces permission_id has not run",
				"forbidden-column public.rp.resource":    "must not exist: replaced by permission_id",
			},
		},
		{
			name: "types as the server reads them: OID and typmod",
			model: `version: 1
tables:
  t:
    columns:
      a: int4
      b: bigint
      c: varchar(128)
      d: varchar(64)
      e: no_such_type
`,
			cat: catalogOf(table("t", column("a", "integer", oidInt4), column("b", "integer", oidInt4),
				varchar("c", 64), varchar("d", 64), column("e", "text", oidText))),
			want: []found{{"type-mismatch", "public.t.b", drift.Error}, {"type-mismatch", "public.t.c", drift.Error}, {"type-mismatch", "public.t.e", drift.Error}},
			hints: map[string]string{
				"type-mismatch public.t.c": "column t.c is character varying(64), the model says varchar(128)",
				"type-mismatch public.t.e": `type "no_such_type" does not exist`,
			},
		},
		{
			name:  "nullability both ways",
			model: "version: 1\ntables:\n  t:\n    columns:\n      v0: { nullable: false }\n      v3: { nullable: true }\n",
			cat:   catalogOf(table("t", column("v0", "text", oidText), notNull(column("v3", "text", oidText)))),
			want:  []found{{"nullability-mismatch", "public.t.v0", drift.Error}, {"nullability-mismatch", "public.t.v3", drift.Error}},
			hints: map[string]string{"nullability-mismatch public.t.v3": "fail with 23502"},
		},
		{
			name:  "defaults: the server's casts do not count, a missing one the application relies on is an error",
			model: "version: 1\ntables:\n  t:\n    columns:\n      scope: { default: \"'global'\" }\n      a: { default: 2 }\n      b: { default: 0 }\n      d: { default: null }\n",
			cat: catalogOf(table("t", withDefault(column("scope", "text", oidText), "'global'::text"), withDefault(column("a", "integer", oidInt4), "1"),
				column("b", "integer", oidInt4), withDefault(column("d", "text", oidText), "'x'::text"))),
			want:  []found{{"default-mismatch", "public.t.a", drift.Warning}, {"default-mismatch", "public.t.b", drift.Error}, {"default-mismatch", "public.t.d", drift.Warning}},
			hints: map[string]string{"default-mismatch public.t.b": "inserts that omit b store NULL"},
		},
		{
			name:  "identity; a serial column counts as by_default",
			model: "version: 1\ntables:\n  u:\n    columns:\n      id: { identity: by_default }\n      a: { identity: by_default }\n      b: { identity: false }\n      c: { identity: always }\n",
			cat: catalogOf(table("u", notNull(withDefault(column("id", "integer", oidInt4), "nextval('u_id_seq'::regclass)")),
				&catalog.Column{Name: "a", Type: "integer", TypeOID: oidInt4, NotNull: true, Identity: "always"},
				&catalog.Column{Name: "b", Type: "integer", TypeOID: oidInt4, NotNull: true, Identity: "by_default"},
				column("c", "integer", oidInt4))),
			want:  []found{{"identity-mismatch", "public.u.a", drift.Error}, {"identity-mismatch", "public.u.b", drift.Warning}, {"identity-mismatch", "public.u.c", drift.Error}},
			hints: map[string]string{"identity-mismatch public.u.a": "fail with 428C9", "identity-mismatch public.u.c": "fail with 23502"},
		},
		{
			name:  "extra columns: error for one table, ignored for another, a warning by default",
			model: "version: 1\nextra_columns: error\ntables:\n  a: { columns: { id: int } }\n  b: { columns: { id: int }, extra_columns: ignore }\n",
			cat: catalogOf(table("a", column("id", "integer", oidInt4), column("extra", "integer", oidInt4)),
				table("b", column("id", "integer", oidInt4), column("extra", "integer", oidInt4))),
			want: []found{{"unexpected-column", "public.a.extra", drift.Error}},
		},
		{
			name:  "an undeclared column is a warning unless inserts need it",
			model: "version: 1\ntables:\n  a: { columns: { id: int } }\n",
			cat: catalogOf(table("a", column("id", "integer", oidInt4), column("n", "integer", oidInt4),
				notNull(withDefault(column("seen", "boolean", oidBool), "false")), notNull(column("tenant", "integer", oidInt4)))),
			want: []found{{"unexpected-column", "public.a.n", drift.Warning}, {"unexpected-column", "public.a.seen", drift.Warning}, {"unexpected-column", "public.a.tenant", drift.Error}},
		},
	}
	runCompare(t, tests)
}

func TestCompareKeysAndIndexes(t *testing.T) {
	roles := table("roles", notNull(column("id", "integer", oidInt4)), column("name", "text", oidText))
	roles.PrimaryKey = &catalog.Constraint{Name: "roles_pkey", Columns: []string{"id"}}
	rp := table("rp", notNull(column("role_id", "integer", oidInt4)), notNull(column("permission_id", "integer", oidInt4)), column("scope", "text", oidText))
	rp.PrimaryKey = &catalog.Constraint{Name: "rp_pkey", Columns: []string{"role_id", "permission_id"}}
	rp.ForeignKeys = []*catalog.ForeignKey{
		{Name: "rp_role_fk", Columns: []string{"role_id"}, References: name("public.roles"), RefColumns: []string{"id"}, OnDelete: "no_action", OnUpdate: "no_action"},
		{Name: "rp_perm_fk", Columns: []string{"permission_id"}, References: name("public.perms"), RefColumns: []string{"id"}, OnDelete: "cascade", OnUpdate: "no_action"},
	}
	rp.Indexes = []*catalog.Index{
		{Name: "rp_pkey", Columns: []string{"role_id", "permission_id"}, Unique: true, Primary: true, Method: "btree", Valid: true},
		{Name: "rp_uq", Columns: []string{"permission_id", "role_id"}, Unique: true, Method: "btree", Valid: true},
		{Name: "rp_scope", Columns: []string{"scope"}, Predicate: ptr("(scope IS NOT NULL)"), Method: "btree", Valid: true},
		{Name: "rp_lower", Columns: []string{"lower(scope)"}, Method: "btree", Valid: true},
	}

	tests := []compareCase{
		{
			name: "keys",
			model: `version: 1
tables:
  roles:
    primary_key: [name]
    unique: [[name]]
  rp:
    primary_key: [role_id, permission_id]
    unique: [[role_id, permission_id], [scope]]
    foreign_keys:
      - { columns: [role_id], references: { table: roles, columns: [id] }, on_delete: cascade }
      - { columns: [permission_id], references: { table: roles, columns: [id] }, on_delete: cascade }
      - { columns: [scope], references: { table: roles } }
`,
			cat: catalogOf(roles, rp),
			want: []found{
				{"primary-key-mismatch", "public.roles", drift.Error},
				{"missing-unique", "public.roles", drift.Error},
				{"missing-unique", "public.rp", drift.Error},
				{"foreign-key-mismatch", "public.rp", drift.Error},
				{"foreign-key-mismatch", "public.rp", drift.Error},
				{"missing-foreign-key", "public.rp", drift.Error},
			},
			hints: map[string]string{
				"primary-key-mismatch public.roles": "ALTER TABLE roles DROP CONSTRAINT roles_pkey, ADD PRIMARY KEY (name)",
				"missing-foreign-key public.rp":     "ALTER TABLE rp ADD FOREIGN KEY (scope) REFERENCES roles",
			},
		},
		{
			name: "indexes: a predicate, an expression, uniqueness",
			model: `version: 1
tables:
  rp:
    indexes:
      - { columns: [scope], where: "scope IS NOT NULL" }
      - { columns: [scope] }
      - { columns: [role_id, permission_id] }
      - { columns: ["lower(scope)"] }
      - { columns: ["lower(scope)"], unique: true }
      - { columns: [permission_id, scope] }
      - { columns: [scope, role_id], unique: true }
      - { columns: [permission_id, role_id], unique: false }
`,
			cat: catalogOf(rp),
			want: []found{
				{"missing-unique-index", "public.rp", drift.Error},
				{"missing-index", "public.rp", drift.Warning},
				{"missing-unique-index", "public.rp", drift.Error},
				{"index-mismatch", "public.rp", drift.Warning},
			},
			hints: map[string]string{"index-mismatch public.rp": "index rp_uq on rp(permission_id, role_id) differs: it is unique"},
		},
		{
			name:  "foreign keys on the same columns to different tables are compared one to one",
			model: "version: 1\ntables:\n  rp:\n    foreign_keys:\n      - { columns: [permission_id], references: { table: perms }, on_delete: cascade }\n      - { columns: [role_id], references: { table: roles } }\n",
			cat:   catalogOf(rp),
			want:  []found{},
		},
	}
	runCompare(t, tests)
}

func TestComparePrivilegesAndPolicies(t *testing.T) {
	// app inherits readers; readers holds SELECT and DELETE on t; PUBLIC
	// holds nothing; ghost has no row: it does not exist.
	grants := func(effective ...*catalog.Effective) *catalog.Catalog {
		r := table("t", column("id", "integer", oidInt4), column("email", "text", oidText))
		r.Effective = effective
		c := catalogOf(r)
		c.Memberships["app"] = &catalog.Membership{Groups: []string{"readers"}}
		return c
	}
	held := func(role, priv string, through ...string) *catalog.Effective {
		return &catalog.Effective{Role: role, Privilege: priv, Held: true, Through: through}
	}
	lacks := func(role, priv string) *catalog.Effective {
		return &catalog.Effective{Role: role, Privilege: priv}
	}
	const selectOnly = "version: 1\ntables:\n  t:\n    grants: { app: [SELECT] }\n"

	secured := func(rls, force bool, policies ...*catalog.Policy) *catalog.Catalog {
		r := table("docs", column("id", "integer", oidInt4))
		r.RowSecurity, r.ForceRowSecurity, r.Policies = rls, force, policies
		return catalogOf(r)
	}
	tenantPolicy := &catalog.Policy{Name: "tenant_isolation", Command: "ALL", Permissive: true, Roles: []string{"app"},
		Using: ptr("(tenant_id = 1)")}
	const policyModel = `version: 1
tables:
  docs:
    row_level_security:
      enabled: true
      forced: true
      policies:
        - name: tenant_isolation
          command: ALL
          roles: [app]
          using: "tenant_id = 1"
`

	tests := []compareCase{
		{
			name:  "SELECT through a group role",
			model: selectOnly,
			cat:   grants(held("app", "SELECT", "readers"), lacks("app", "DELETE")),
			want:  []found{},
		},
		{
			name:  "not held",
			model: selectOnly,
			cat:   grants(lacks("app", "SELECT")),
			want:  []found{{"missing-privilege", "public.t", drift.Error}},
			hints: map[string]string{"missing-privilege public.t": "GRANT SELECT ON t TO app"},
		},
		{
			name:  "an unexpected privilege names the group it comes from",
			model: selectOnly,
			cat:   grants(held("app", "SELECT", "readers"), held("app", "DELETE", "readers")),
			want:  []found{{"unexpected-privilege", "public.t", drift.Warning}},
			hints: map[string]string{"unexpected-privilege public.t": "it comes from readers: REVOKE DELETE ON t FROM readers"},
		},
		{
			name:  "a role that does not exist",
			model: "version: 1\ntables:\n  t:\n    grants: { ghost: [SELECT] }\n",
			cat:   grants(held("app", "SELECT", "readers")),
			want:  []found{{"missing-privilege", "public.t", drift.Error}},
			hints: map[string]string{"missing-privilege public.t": "the role does not exist on this server"},
		},
		{
			name:  "a column grant beyond the table's",
			model: "version: 1\ntables:\n  t:\n    columns:\n      email: { grants: { app: [SELECT] } }\n      id: { grants: { app: [SELECT] } }\n",
			cat: grants(held("app", "SELECT", "readers"),
				&catalog.Effective{Role: "app", Column: "email", Privilege: "UPDATE", Held: true, Through: []string{"app"}}),
			want:  []found{{"unexpected-privilege", "public.t.email", drift.Warning}},
			hints: map[string]string{"unexpected-privilege public.t.email": "on column email of public.t"},
		},
		{
			name:  "row-level security and policies as declared",
			model: policyModel,
			cat:   secured(true, true, tenantPolicy),
			want:  []found{},
		},
		{
			name:  "row-level security disabled",
			model: policyModel,
			cat:   secured(false, true, tenantPolicy),
			want:  []found{{"rls-mismatch", "public.docs", drift.Error}},
			hints: map[string]string{"rls-mismatch public.docs": "the policies are not enforced: every role with SELECT sees every row; ALTER TABLE docs ENABLE ROW LEVEL SECURITY"},
		},
		{
			name:  "row-level security not forced",
			model: policyModel,
			cat:   secured(true, false, tenantPolicy),
			want:  []found{{"rls-mismatch", "public.docs", drift.Error}},
			hints: map[string]string{"rls-mismatch public.docs": "the owner (owner) bypasses the policies; ALTER TABLE docs FORCE ROW LEVEL SECURITY"},
		},
		{
			name:  "a policy dropped, another added",
			model: policyModel,
			cat:   secured(true, true, &catalog.Policy{Name: "app_reads", Command: "SELECT", Permissive: true, Roles: []string{"app"}, Using: ptr("true")}),
			want:  []found{{"policy-mismatch", "public.docs", drift.Warning}, {"missing-policy", "public.docs", drift.Error}},
			hints: map[string]string{"policy-mismatch public.docs": "policy app_reads on public.docs is not in the model"},
		},
		{
			name:  "a policy altered",
			model: policyModel,
			cat: secured(true, true, &catalog.Policy{Name: "tenant_isolation", Command: "ALL", Permissive: true, Roles: []string{"admin"},
				Using: ptr("(tenant_id > 0)")}),
			want:  []found{{"policy-mismatch", "public.docs", drift.Error}},
			hints: map[string]string{"policy-mismatch public.docs": "is for roles (admin), not (app); USING (tenant_id > 0)"},
		},
	}
	runCompare(t, tests)
}

func TestCompareSequences(t *testing.T) {
	// A serial column t.id and its sequence; change edits the sequence.
	serial := func(change func(*catalog.Sequence)) *catalog.Catalog {
		r := table("t", notNull(withDefault(column("id", "integer", oidInt4), "nextval('t_id_seq'::regclass)")))
		q := &catalog.Sequence{Column: "id", Name: name("public.t_id_seq"), Owned: true, OwnedBy: "public.t.id",
			LastValue: ptr(int64(2)), Readable: true, Start: 1, Increment: 1, Max: 2147483647,
			MaxIndexed: true, TableReadable: true, ColumnMax: ptr(int64(2)), MaxRead: true}
		if change != nil {
			change(q)
		}
		r.Sequences = []*catalog.Sequence{q}
		r.Effective = []*catalog.Effective{{Role: "app", Privilege: "INSERT", Held: true, Through: []string{"app"}}}
		return catalogOf(r)
	}
	const inserts = "version: 1\ntables:\n  t:\n    grants: { app: [INSERT] }\n"

	named := func(change func(*catalog.NamedSequence)) *catalog.Catalog {
		c := catalogOf(table("invoices", column("id", "integer", oidInt4), column("number", "bigint", oidInt8)))
		q := &catalog.NamedSequence{Name: name("public.invoice_no_seq"), OwnedBy: catalog.ColumnRef{Table: name("public.invoices"), Column: "number"},
			Held: map[string][]string{"app": {"USAGE", "SELECT"}, "PUBLIC": {}}}
		if change != nil {
			change(q)
		}
		c.Sequences[q.Name] = q
		return c
	}
	const declared = "version: 1\nsequences:\n  invoice_no_seq: { owned_by: invoices.number, grants: { app: [USAGE, SELECT], PUBLIC: [] } }\n"

	tests := []compareCase{
		{name: "a healthy serial column", model: inserts, cat: serial(nil), want: []found{}},
		{
			name:  "behind max(id)",
			model: inserts,
			cat:   serial(func(q *catalog.Sequence) { q.LastValue = ptr(int64(1)) }),
			want:  []found{{"sequence-behind", "public.t.id", drift.Error}},
			hints: map[string]string{"sequence-behind public.t.id": "sequence public.t_id_seq hands out 2 next, but max(t.id) is already 2"},
		},
		{
			name:  "never called, rows inserted with explicit ids",
			model: inserts,
			cat:   serial(func(q *catalog.Sequence) { q.LastValue = nil }),
			want:  []found{{"sequence-behind", "public.t.id", drift.Error}},
		},
		{
			name:  "max() not read: no index leads with the column",
			model: inserts,
			cat:   serial(func(q *catalog.Sequence) { q.LastValue, q.MaxRead, q.MaxIndexed = nil, false, false }),
			want:  []found{},
		},
		{
			name:  "owned by another column",
			model: inserts,
			cat:   serial(func(q *catalog.Sequence) { q.Owned, q.OwnedBy = false, "public.other.n" }),
			want:  []found{{"sequence-not-owned", "public.t.id", drift.Warning}},
			hints: map[string]string{"sequence-not-owned public.t.id": "is owned by public.other.n instead"},
		},
		{
			name:  "a role that inserts may not use the sequence",
			model: inserts,
			cat:   serial(func(q *catalog.Sequence) { q.NoUsage = []string{"app"} }),
			want:  []found{{"missing-sequence-privilege", "public.t.id", drift.Error}},
			hints: map[string]string{"missing-sequence-privilege public.t.id": "GRANT USAGE ON SEQUENCE t_id_seq TO app"},
		},
		{
			name:  "the default names no sequence",
			model: inserts,
			cat:   serial(func(q *catalog.Sequence) { q.Name = catalog.Name{} }),
			want:  []found{{"sequence-missing", "public.t.id", drift.Error}},
		},
		{name: "a healthy declared sequence", model: declared, cat: named(nil), want: []found{}},
		{
			name:  "a declared sequence never created",
			model: declared,
			cat:   catalogOf(),
			want:  []found{{"sequence-missing", "public.invoice_no_seq", drift.Error}},
			hints: map[string]string{"sequence-missing public.invoice_no_seq": "nextval('invoice_no_seq') fails with 42P01"},
		},
		{
			name:  "owned by another column, a privilege lost, one gained by PUBLIC",
			model: declared,
			cat: named(func(q *catalog.NamedSequence) {
				q.OwnedBy.Column = "id"
				q.Held = map[string][]string{"app": {"USAGE"}, "PUBLIC": {"USAGE"}}
			}),
			want: []found{
				{"sequence-not-owned", "public.invoice_no_seq", drift.Warning},
				{"missing-sequence-privilege", "public.invoice_no_seq", drift.Error},
				{"unexpected-privilege", "public.invoice_no_seq", drift.Warning},
			},
			hints: map[string]string{
				"sequence-not-owned public.invoice_no_seq":         "is owned by public.invoices.id, not public.invoices.number",
				"missing-sequence-privilege public.invoice_no_seq": "GRANT SELECT ON SEQUENCE invoice_no_seq TO app",
				"unexpected-privilege public.invoice_no_seq":       "REVOKE USAGE ON SEQUENCE invoice_no_seq FROM PUBLIC",
			},
		},
	}
	runCompare(t, tests)
}

func TestCompareFunctionsAndEnums(t *testing.T) {
	authorize := func(change func(*catalog.Function)) *catalog.Catalog {
		f := &catalog.Function{Name: name("public.authorize"), ArgTypes: []uint32{oidScope}, Args: []string{"permission_scope"},
			ReturnOID: oidBool, Returns: "boolean", Definer: true, Volatility: "stable", Language: "plpgsql",
			Config: []string{"search_path=public, pg_temp"}, Executors: []string{"app"}}
		if change != nil {
			change(f)
		}
		c := catalogOf()
		c.Functions[f.Name] = []*catalog.Function{f}
		return c
	}
	const healthy = `version: 1
functions:
  authorize(permission_scope):
    returns: boolean
    security: definer
    volatility: stable
    language: plpgsql
    search_path: [public, pg_temp]
    grants: { app: [EXECUTE], PUBLIC: [] }
`
	fn := "public.authorize(permission_scope)"

	enums := catalogOf()
	for n, e := range map[string]*catalog.Enum{
		"scope": {IsEnum: true, Labels: []string{"global", "org", "team"}},
		"level": {IsEnum: true, Labels: []string{"high", "low"}},
		"kind":  {IsEnum: false},
	} {
		e.Name = name("public." + n)
		enums.Enums[e.Name] = e
	}

	tests := []compareCase{
		{name: "a healthy function", model: healthy, cat: authorize(nil), want: []found{}},
		{
			name:  "missing, with an overload of another signature",
			model: "version: 1\nfunctions:\n  authorize(text): {}\n",
			cat:   authorize(nil),
			want:  []found{{"missing-function", "public.authorize(text)", drift.Error}},
			hints: map[string]string{"missing-function public.authorize(text)": "a function of that name exists with another signature: public.authorize(permission_scope)"},
		},
		{
			name:  "security and search_path changed",
			model: healthy,
			cat:   authorize(func(f *catalog.Function) { f.Definer, f.Config = false, nil }),
			want:  []found{{"function-mismatch", fn, drift.Error}},
			hints: map[string]string{"function-mismatch " + fn: "is SECURITY INVOKER, not DEFINER; has search_path none, not public, pg_temp"},
		},
		{
			name:  "volatility only: a warning",
			model: healthy,
			cat:   authorize(func(f *catalog.Function) { f.Volatility = "volatile" }),
			want:  []found{{"function-mismatch", fn, drift.Warning}},
		},
		{
			name:  "EXECUTE lost by the role, held by PUBLIC",
			model: healthy,
			cat:   authorize(func(f *catalog.Function) { f.Executors = []string{"PUBLIC"} }),
			want:  []found{{"missing-function-privilege", fn, drift.Error}, {"unexpected-privilege", fn, drift.Warning}},
			hints: map[string]string{"missing-function-privilege " + fn: "GRANT EXECUTE ON FUNCTION authorize(permission_scope) TO app"},
		},
		{
			name:  "enums: labels missing, unexpected, out of order; a name taken by another type; absent",
			model: "version: 1\nenums:\n  scope: [global, org, own]\n  level: [low, high]\n  kind: [a]\n  missing: [x]\n",
			cat:   enums,
			want: []found{
				{"enum-label-missing", "public.scope", drift.Error},
				{"enum-label-unexpected", "public.scope", drift.Warning},
				{"enum-label-order", "public.level", drift.Warning},
				{"missing-enum", "public.kind", drift.Error},
				{"missing-enum", "public.missing", drift.Error},
			},
			hints: map[string]string{
				"enum-label-missing public.scope": "ALTER TYPE scope ADD VALUE 'own'",
				"missing-enum public.missing":     "CREATE TYPE missing AS ENUM ('x')",
			},
		},
	}
	runCompare(t, tests)
}

// TestCompareCarriesModelPositions: each finding points at the model line
// that declared what it is about, and the codes' severities apply unless a
// rule says otherwise.
func TestCompareCarriesModelPositions(t *testing.T) {
	const model = "version: 1\ntables:\n  t:\n    columns:\n      id: bigint\n  u: {}\n"
	fs := compare(t, model, catalogOf(table("t", column("id", "integer", oidInt4))))
	type at struct {
		Code         string
		Line, Column int
		Expected     string
		Actual       string
	}
	var got []at
	for _, f := range fs {
		got = append(got, at{string(f.Code), f.Line, f.Column, f.Expected, f.Actual})
	}
	want := []at{{"type-mismatch", 5, 11, "bigint", "integer"}, {"missing-table", 6, 3, "table", "none"}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("positions (-want +got):\n%s", diff)
	}
}

// TestSort: migrations first, then the model's tables and enums, then the
// queries, each by file, line and column, then object and code.
func TestSort(t *testing.T) {
	f := func(code, object, subject, file string, line, col int) *drift.Finding {
		return &drift.Finding{Code: drift.Code(code), Object: object, Subject: subject, File: file, Line: line, Column: col}
	}
	in := []*drift.Finding{
		f("query-error", "query:b", "query:b", "a.sql", 1, 1),
		f("missing-column", "public.t.b", "public.t", "m.yaml", 9, 7),
		f("missing-column", "public.t.a", "public.t", "m.yaml", 9, 7),
		f("migration-pending", "migration:0002", drift.MigrationSubject, "z/0002.sql", 0, 0),
		f("type-mismatch", "public.t.a", "public.t", "m.yaml", 9, 7),
		f("missing-table", "public.u", "public.u", "m.yaml", 3, 3),
		f("query-error", "query:a", "query:a", "m.yaml", 40, 5),
		f("missing-enum", "public.e", "enum public.e", "a.yaml", 50, 3),
		f("migration-pending", "migration:0001", drift.MigrationSubject, "z/0001.sql", 0, 0),
	}
	drift.Sort(in)
	var got []string
	for _, x := range in {
		got = append(got, string(x.Code)+" "+x.Object)
	}
	want := []string{
		"migration-pending migration:0001",
		"migration-pending migration:0002",
		"missing-enum public.e", // a.yaml before m.yaml
		"missing-table public.u",
		"missing-column public.t.a",
		"type-mismatch public.t.a",
		"missing-column public.t.b",
		"query-error query:b", // a.sql before m.yaml
		"query-error query:a",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("order (-want +got):\n%s", diff)
	}
}
