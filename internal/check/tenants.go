package check

import (
	"context"
	"fmt"
	"maps"
	"strings"

	"github.com/rbacdrift/rbacdrift/drift"
	"github.com/rbacdrift/rbacdrift/internal/dryrun"
	"github.com/rbacdrift/rbacdrift/internal/pgsession"
	"github.com/rbacdrift/rbacdrift/introspect"
	"github.com/rbacdrift/rbacdrift/introspect/catalog"
	"github.com/rbacdrift/rbacdrift/spec"
)

// A TenantError means the tenant globs matched no schema: the selection is
// wrong, or the database is not the one meant.
type TenantError struct{ Globs []string }

func (e *TenantError) Error() string {
	return fmt.Sprintf("no schema matches %q", e.Globs)
}

// tenantModel returns m as it applies to one tenant schema: the tables,
// enums, functions and sequences it declares in its default schema (unqualified) are
// declared in schema instead; the others stay where they are.
func tenantModel(m *spec.Model, schema string) *spec.Model {
	t := *m
	t.Schema = schema
	move := func(n spec.Name) spec.Name {
		if n.Schema == m.Schema {
			n.Schema = schema
		}
		return n
	}
	t.Tables = make([]*spec.Table, len(m.Tables))
	for i, tb := range m.Tables {
		c := *tb
		c.Name = move(tb.Name)
		if len(tb.ForeignKeys) > 0 {
			c.ForeignKeys = make([]*spec.ForeignKey, len(tb.ForeignKeys))
			for j, fk := range tb.ForeignKeys {
				f := *fk
				f.References = move(fk.References)
				c.ForeignKeys[j] = &f
			}
		}
		t.Tables[i] = &c
	}
	t.Enums = make([]*spec.Enum, len(m.Enums))
	for i, e := range m.Enums {
		c := *e
		c.Name = move(e.Name)
		t.Enums[i] = &c
	}
	t.Sequences = make([]*spec.Sequence, len(m.Sequences))
	for i, sq := range m.Sequences {
		c := *sq
		c.Name = move(sq.Name)
		if sq.OwnedBy != nil {
			o := *sq.OwnedBy
			o.Table = move(sq.OwnedBy.Table)
			c.OwnedBy = &o
		}
		t.Sequences[i] = &c
	}
	t.Functions = make([]*spec.Function, len(m.Functions))
	for i, f := range m.Functions {
		c := *f
		c.Name = move(f.Name)
		t.Functions[i] = &c
	}
	return &t
}

// A tenant is one schema of a tenant check, as its comparison and dry
// run read it.
type tenant struct {
	schema  string
	model   *spec.Model
	catalog *catalog.Catalog        // the objects of its schema, and the shared ones
	types   map[string]catalog.Type // the server's reading of its declared types
}

// A tenantGroup is a set of tenant schemas with the same catalog facts
// ([introspect.TenantFacts]): the first, rep, is read, compared and
// dry-run; its findings stand for every member's, renamed to the member's
// schema.
type tenantGroup struct {
	rep     tenant
	schemas []string // every member, rep.schema first
}

// locksPerUnit is how many times the server's max_locks_per_transaction
// the relation locks of one read-only unit of the representatives' catalog
// may come to (some catalog functions lock what they read:
// pg_sequence_last_value a sequence, and on some versions pg_get_expr and
// pg_get_indexdef a table or an index). The lock table is shared by every
// session: max_locks_per_transaction times max_connections (and the
// background workers) in all, so a unit may take more than
// max_locks_per_transaction, but should leave most of it to the others.
const locksPerUnit = 4

// compareTenants groups the tenant schemas the globs match by their
// catalog facts, on the server ([introspect.GroupTenants], which takes no
// lock on their relations), reads the catalog of one schema per group, in
// read-only units sized by the server's lock table ([locksPerUnit]), and
// compares it; every member of a group gets the group's findings, renamed
// to its schema. It returns the schemas, sorted, and the groups; the
// catalog returned holds the groups' first schemas.
func compareTenants(ctx context.Context, s *pgsession.Session, m *spec.Model, globs []string) ([]string, []tenantGroup, *Compared, error) {
	schemas, err := introspect.ListSchemas(ctx, s, globs)
	if err != nil {
		return nil, nil, nil, err
	}
	if len(schemas) == 0 {
		return nil, nil, nil, &TenantError{Globs: globs}
	}
	var groups []tenantGroup
	maxLocks := 64
	if len(schemas) == 1 {
		groups = []tenantGroup{{rep: tenant{schema: schemas[0]}, schemas: schemas}}
	} else {
		gs, ml, err := introspect.GroupTenants(ctx, s, schemas)
		if err != nil {
			return nil, nil, nil, err
		}
		maxLocks = ml
		for _, g := range gs {
			groups = append(groups, tenantGroup{rep: tenant{schema: g.Schemas[0]}, schemas: g.Schemas})
		}
	}
	isTenant := make(map[string]bool, len(schemas))
	for _, sc := range schemas {
		isTenant[sc] = true
	}
	all := &Compared{}
	// At most: each table, two indexes and a sequence of it; a named
	// sequence.
	r := drift.Request(m)
	perRep := max(1, 4*len(r.Relations)+len(r.Sequences))
	chunk := max(1, locksPerUnit*maxLocks/perRep)
	for start := 0; start < len(groups); start += chunk {
		part := groups[start:min(start+chunk, len(groups))]
		if err := compareReps(ctx, s, m, part, isTenant, all); err != nil {
			return nil, nil, nil, err
		}
	}
	return schemas, groups, all, nil
}

// compareReps reads the catalog of the groups' first schemas in one
// read-only unit, and their declared types in another, compares each, and
// adds every member's findings to all.
func compareReps(ctx context.Context, s *pgsession.Session, m *spec.Model, groups []tenantGroup, isTenant map[string]bool, all *Compared) error {
	var req catalog.Request
	var asked []string
	seen := map[string]bool{}
	for i := range groups {
		t := &groups[i].rep
		t.model = tenantModel(m, t.schema)
		r := drift.Request(t.model)
		req.Relations = append(req.Relations, r.Relations...)
		req.Enums = append(req.Enums, r.Enums...)
		req.Functions = append(req.Functions, r.Functions...)
		req.Sequences = append(req.Sequences, r.Sequences...)
		req.Roles = r.Roles
		for _, a := range drift.AskedTypes(t.model, drift.DeclaredTypes(t.model)) {
			if !seen[a] {
				seen[a] = true
				asked = append(asked, a)
			}
		}
	}
	cat, err := introspect.Load(ctx, s, req)
	if err != nil {
		return err
	}
	known, unknown, err := introspect.ResolveTypes(ctx, s, asked)
	if err != nil {
		return err
	}
	if all.Catalog == nil {
		all.Catalog = cat
	} else {
		maps.Copy(all.Catalog.Relations, cat.Relations)
		maps.Copy(all.Catalog.Elsewhere, cat.Elsewhere)
		maps.Copy(all.Catalog.Enums, cat.Enums)
		maps.Copy(all.Catalog.Functions, cat.Functions)
		maps.Copy(all.Catalog.Sequences, cat.Sequences)
	}
	for i := range groups {
		g := &groups[i]
		t := &g.rep
		t.catalog = tenantCatalog(cat, t.schema, isTenant)
		d := drift.DeclaredTypes(t.model)
		types, unknownByDecl := map[string]catalog.Type{}, map[string]string{}
		for j, a := range drift.AskedTypes(t.model, d) {
			if k, ok := known[a]; ok {
				types[d[j]] = k
			} else if msg, ok := unknown[a]; ok {
				unknownByDecl[d[j]] = msg
			}
		}
		t.types = types
		fs := drift.Compare(drift.Input{Model: t.model, Catalog: t.catalog, Types: types, UnknownTypes: unknownByDecl})
		all.Findings = append(all.Findings, g.spread(fs)...)
		if all.Types == nil {
			all.Types, all.UnknownTypes = types, unknownByDecl
		}
	}
	return nil
}

// spread returns the findings fs of the group's first schema as every
// member's: a copy for each, renamed to its schema.
func (g *tenantGroup) spread(fs []*drift.Finding) []*drift.Finding {
	out := make([]*drift.Finding, 0, len(fs)*len(g.schemas))
	for _, sc := range g.schemas {
		for _, f := range fs {
			c := *f
			if sc != g.rep.schema {
				c = renameSchema(c, g.rep.schema, sc)
			}
			c.Schema = sc
			out = append(out, &c)
		}
	}
	return out
}

// tenantCatalog returns the part of cat that one tenant's comparison and
// dry run read: the relations, enums, functions and sequences of schema,
// and those of schemas that are no tenant's (shared by all); the server,
// the role memberships and the relations found elsewhere under the
// tenant's names as they are.
func tenantCatalog(cat *catalog.Catalog, schema string, isTenant map[string]bool) *catalog.Catalog {
	mine := func(n catalog.Name) bool { return n.Schema == schema || !isTenant[n.Schema] }
	out := &catalog.Catalog{Server: cat.Server, Memberships: cat.Memberships,
		Relations: pick(cat.Relations, mine), Elsewhere: pick(cat.Elsewhere, mine), Enums: pick(cat.Enums, mine),
		Functions: pick(cat.Functions, mine), Sequences: pick(cat.Sequences, mine)}
	for n, rs := range out.Elsewhere {
		// Another tenant's relation under the same name is no explanation.
		var keep []*catalog.Relation
		for _, r := range rs {
			if !isTenant[r.Name.Schema] {
				keep = append(keep, r)
			}
		}
		if len(keep) == 0 {
			delete(out.Elsewhere, n)
		} else {
			out.Elsewhere[n] = keep
		}
	}
	return out
}

// pick returns the entries of m whose name keep says to keep.
func pick[V any](m map[catalog.Name]V, keep func(catalog.Name) bool) map[catalog.Name]V {
	out := make(map[catalog.Name]V)
	for n, v := range m {
		if keep(n) {
			out[n] = v
		}
	}
	return out
}

// dryRunTenants dry-runs the model's queries once per group of tenants,
// with the group's first schema first on the search_path, and gives every
// member the group's findings, renamed to its schema. A query's plan and
// errors follow from the catalog, which is the same across the group; a
// sample's rows are data, and come from the first schema of the group. The
// groups are dry-run together ([dryrun.RunEach]): their queries share the
// round trips, whatever the number of groups.
func dryRunTenants(ctx context.Context, s *pgsession.Session, groups []tenantGroup, runAs string) ([]*drift.Finding, error) {
	ins := make([]dryrun.Input, len(groups))
	for i := range groups {
		rep := groups[i].rep
		ins[i] = dryrun.Input{Model: rep.model, Catalog: rep.catalog, Types: rep.types, RunAs: runAs, SearchPath: rep.schema}
	}
	each, err := dryrun.RunEach(ctx, s, ins)
	if err != nil {
		return nil, err
	}
	var out []*drift.Finding
	for i := range groups {
		out = append(out, groups[i].spread(each[i])...)
	}
	return out, nil
}

// renameSchema returns f with the schema name from replaced by to wherever
// it stands as a name (quoted or not): a qualifier, a search_path, a
// message naming the schema; not inside a longer name (tenant_1 in
// tenant_10).
func renameSchema(f drift.Finding, from, to string) drift.Finding {
	r := func(s string) string { return replaceName(s, from, to) }
	f.Object, f.Subject, f.Expected, f.Actual = r(f.Object), r(f.Subject), r(f.Expected), r(f.Actual)
	f.Message, f.Hint = r(f.Message), r(f.Hint)
	return f
}

// replaceName replaces the schema name from in s with to where it stands
// as a name: quoted, or unquoted between characters that cannot be part of
// an identifier.
func replaceName(s, from, to string) string {
	if qf := drift.QuoteIdent(from); qf != from {
		s = strings.ReplaceAll(s, qf, drift.QuoteIdent(to))
	}
	if !strings.Contains(s, from) {
		return s
	}
	var b strings.Builder
	for {
		i := strings.Index(s, from)
		if i < 0 {
			b.WriteString(s)
			return b.String()
		}
		end := i + len(from)
		b.WriteString(s[:i])
		if (i == 0 || !identByte(s[i-1])) && (end == len(s) || !identByte(s[end])) {
			b.WriteString(to)
		} else {
			b.WriteString(from)
		}
		s = s[end:]
	}
}

// identByte reports whether c may be part of an unquoted identifier (a
// byte of a multi-byte letter counts).
func identByte(c byte) bool {
	return c == '_' || c == '$' || c >= 0x80 || '0' <= c && c <= '9' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z'
}
