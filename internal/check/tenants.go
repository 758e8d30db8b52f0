package check

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/rbacdrift/rbacdrift/drift"
	"github.com/rbacdrift/rbacdrift/internal/dryrun"
	"github.com/rbacdrift/rbacdrift/internal/pgsession"
	"github.com/rbacdrift/rbacdrift/introspect"
	"github.com/rbacdrift/rbacdrift/introspect/catalog"
	"github.com/rbacdrift/rbacdrift/spec"
)

// A TenantError means --schemas matched no schema: the flags are wrong, or
// the database is not the one meant.
type TenantError struct{ Globs []string }

func (e *TenantError) Error() string {
	return fmt.Sprintf("--schemas: no schema matches %q", e.Globs)
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

// A tenant is one schema of check --schemas: its model, and what its
// comparison and dry run read (see [tenantFingerprint]).
type tenant struct {
	schema  string
	model   *spec.Model
	catalog *catalog.Catalog        // the objects of its schema, and the shared ones
	types   map[string]catalog.Type // the server's reading of its declared types
}

// compareTenants reads the catalog of every tenant in the same round trips
// as one model (one catalog batch, one describe of the declared types,
// whatever the number of schemas) and compares each tenant's model with its
// part of it. Every finding carries its tenant's Schema.
func compareTenants(ctx context.Context, s *pgsession.Session, m *spec.Model, globs []string) ([]tenant, *Compared, error) {
	schemas, err := introspect.ListSchemas(ctx, s, globs)
	if err != nil {
		return nil, nil, err
	}
	if len(schemas) == 0 {
		return nil, nil, &TenantError{Globs: globs}
	}
	tenants := make([]tenant, len(schemas))
	var req catalog.Request
	var asked []string
	seen := map[string]bool{}
	for i, sc := range schemas {
		tm := tenantModel(m, sc)
		tenants[i] = tenant{schema: sc, model: tm}
		r := drift.Request(tm)
		req.Relations = append(req.Relations, r.Relations...)
		req.Enums = append(req.Enums, r.Enums...)
		req.Functions = append(req.Functions, r.Functions...)
		req.Sequences = append(req.Sequences, r.Sequences...)
		req.Roles = r.Roles
		for _, a := range drift.AskedTypes(tm, drift.DeclaredTypes(tm)) {
			if !seen[a] {
				seen[a] = true
				asked = append(asked, a)
			}
		}
	}
	cat, err := introspect.Load(ctx, s, req)
	if err != nil {
		return nil, nil, err
	}
	known, unknown, err := introspect.ResolveTypes(ctx, s, asked)
	if err != nil {
		return nil, nil, err
	}
	isTenant := map[string]bool{}
	for _, sc := range schemas {
		isTenant[sc] = true
	}
	all := &Compared{Catalog: cat}
	for i := range tenants {
		t := &tenants[i]
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
		for _, f := range drift.Compare(drift.Input{Model: t.model, Catalog: t.catalog, Types: types, UnknownTypes: unknownByDecl}) {
			f.Schema = t.schema
			all.Findings = append(all.Findings, f)
		}
		if all.Types == nil {
			all.Types, all.UnknownTypes = types, unknownByDecl
		}
	}
	return tenants, all, nil
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

// dryRunTenants dry-runs the model's queries once per group of tenants
// with the same fingerprint ([tenantFingerprint]), with the group's first
// schema first on the search_path, and gives every member the group's
// findings, renamed to its schema. A query's plan and errors follow from
// the catalog, which is the same across the group; a sample's rows are
// data, and come from the first schema of the group.
func dryRunTenants(ctx context.Context, s *pgsession.Session, tenants []tenant, runAs string) ([]*drift.Finding, error) {
	var groups [][]tenant
	index := map[string]int{}
	for _, t := range tenants {
		key := tenantFingerprint(t)
		i, ok := index[key]
		if !ok {
			i = len(groups)
			index[key] = i
			groups = append(groups, nil)
		}
		groups[i] = append(groups[i], t)
	}
	var out []*drift.Finding
	for _, g := range groups {
		rep := g[0]
		fs, err := dryrun.Run(ctx, s, dryrun.Input{Model: rep.model, Catalog: rep.catalog, Types: rep.types, RunAs: runAs, SearchPath: rep.schema})
		if err != nil {
			return nil, err
		}
		for _, t := range g {
			for _, f := range fs {
				c := *f
				if t.schema != rep.schema {
					c = renameSchema(c, rep.schema, t.schema)
				}
				c.Schema = t.schema
				out = append(out, &c)
			}
		}
	}
	return out, nil
}

// renameSchema returns f with the schema from replaced by to where it names
// a relation (schema.name, quoted or not).
func renameSchema(f drift.Finding, from, to string) drift.Finding {
	r := strings.NewReplacer(from+".", to+".", drift.QuoteIdent(from)+".", drift.QuoteIdent(to)+".")
	f.Object, f.Subject, f.Expected, f.Actual = r.Replace(f.Object), r.Replace(f.Subject), r.Replace(f.Expected), r.Replace(f.Actual)
	f.Message, f.Hint = r.Replace(f.Message), r.Replace(f.Hint)
	return f
}

// Fields of the catalog's values that a tenant's fingerprint leaves out,
// by name, wherever they occur: what differs between tenants created by
// the same migrations without being a fact of their catalogs.
var (
	// oidFields hold object identifiers. The OID of a built-in object
	// (below [firstUserOID]) is the same in every database and names the
	// object: it stays. A user object's differs from tenant to tenant; the
	// object is described by name and shape elsewhere in the catalog.
	oidFields = map[string]bool{"OID": true, "TypeOID": true, "ReturnOID": true, "ArgTypes": true}
	// dataFields are data, not catalog: a table's row estimate, a
	// sequence's current value, a column's maximum. The dry run's plans and
	// errors do not depend on them.
	dataFields = map[string]bool{"EstimatedRows": true, "LastValue": true, "ColumnMax": true, "MaxRead": true}
)

// firstUserOID is PostgreSQL's FirstNormalObjectId: objects created after
// initdb have OIDs from here on.
const firstUserOID = 16384

// tenantFingerprint describes everything a tenant's comparison and dry run
// read: its part of the catalog (t.catalog, the very value handed to
// [drift.Compare] and [dryrun.Run]) and the server's reading of its
// declared types, with the tenant's schema name replaced by "~" wherever it
// stands as a name, and without the fields of [oidFields] and [dataFields]. Tenants
// with the same fingerprint have the same catalog facts, so the dry run of
// one stands for all. Every other field, including one added to the
// catalog's types later, is part of it: the description is generated from
// the values, not listed by hand.
func tenantFingerprint(t tenant) string {
	named := func(n catalog.Name) string { return n.String() }
	facts := map[string]any{
		"Server":      t.catalog.Server,
		"Memberships": t.catalog.Memberships,
		"Relations":   byName(t.catalog.Relations, named),
		"Elsewhere":   byName(t.catalog.Elsewhere, named),
		"Enums":       byName(t.catalog.Enums, named),
		"Functions":   byName(t.catalog.Functions, named),
		"Sequences":   byName(t.catalog.Sequences, named),
		"Types":       t.types,
	}
	j, err := json.Marshal(facts)
	if err != nil {
		// The catalog's values are plain data; this cannot happen. Keep the
		// tenant apart rather than merge it with another.
		return "unique:" + t.schema
	}
	var tree any
	if err := json.Unmarshal(j, &tree); err != nil {
		return "unique:" + t.schema
	}
	a := anonymiser{schema: t.schema, quoted: drift.QuoteIdent(t.schema)}
	out, _ := json.Marshal(a.value(tree)) // map keys come out sorted
	return string(out)
}

// byName returns m keyed by the string of its names: JSON keys.
func byName[V any](m map[catalog.Name]V, name func(catalog.Name) string) map[string]V {
	out := make(map[string]V, len(m))
	for n, v := range m {
		out[name(n)] = v
	}
	return out
}

// An anonymiser rewrites a decoded JSON value: the tenant's schema name
// becomes "~" wherever it stands as a name, in keys and strings (a
// qualifier, a search_path setting, an expression); the fields of
// [oidFields] (user objects only) and [dataFields] go.
type anonymiser struct {
	schema string
	quoted string // drift.QuoteIdent(schema)
}

func (a anonymiser) str(s string) string {
	if s == a.schema {
		return "~"
	}
	if a.quoted != a.schema {
		s = strings.ReplaceAll(s, a.quoted, "~")
	}
	var b strings.Builder
	for {
		i := strings.Index(s, a.schema)
		if i < 0 {
			b.WriteString(s)
			return b.String()
		}
		end := i + len(a.schema)
		b.WriteString(s[:i])
		if (i == 0 || !identByte(s[i-1])) && (end == len(s) || !identByte(s[end])) {
			b.WriteString("~")
		} else {
			b.WriteString(a.schema)
		}
		s = s[end:]
	}
}

// identByte reports whether c may be part of an unquoted identifier (a
// byte of a multi-byte letter counts).
func identByte(c byte) bool {
	return c == '_' || c == '$' || c >= 0x80 || '0' <= c && c <= '9' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z'
}

func (a anonymiser) value(v any) any {
	switch v := v.(type) {
	case string:
		return a.str(v)
	case []any:
		for i := range v {
			v[i] = a.value(v[i])
		}
		return v
	case map[string]any:
		out := make(map[string]any, len(v))
		for k, x := range v {
			switch {
			case dataFields[k]:
				continue
			case oidFields[k]:
				x = builtinOIDs(x)
			default:
				x = a.value(x)
			}
			out[a.str(k)] = x
		}
		return out
	}
	return v
}

// builtinOIDs keeps the OIDs of built-in objects in v (a number, or a list
// of numbers) and replaces the others with 0.
func builtinOIDs(v any) any {
	switch v := v.(type) {
	case float64:
		if v >= firstUserOID {
			return 0
		}
		return v
	case []any:
		for i := range v {
			v[i] = builtinOIDs(v[i])
		}
		return v
	}
	return v
}
