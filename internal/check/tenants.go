package check

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
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

// A tenant is one schema of check --schemas, with its model.
type tenant struct {
	schema string
	model  *spec.Model
	types  map[string]catalog.Type // the server's reading of its declared types
}

// compareTenants reads the catalog of every tenant in the same round trips
// as one model (one catalog batch, one describe of the declared types,
// whatever the number of schemas) and compares each tenant's model with it.
// Every finding carries its tenant's Schema.
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
	all := &Compared{Catalog: cat}
	for i := range tenants {
		t := &tenants[i]
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
		for _, f := range drift.Compare(drift.Input{Model: t.model, Catalog: cat, Types: types, UnknownTypes: unknownByDecl}) {
			f.Schema = t.schema
			all.Findings = append(all.Findings, f)
		}
		if all.Types == nil {
			all.Types, all.UnknownTypes = types, unknownByDecl
		}
	}
	return tenants, all, nil
}

// dryRunTenants dry-runs the model's queries once per group of tenants
// whose catalog facts are the same, with the group's first schema first on
// the search_path, and gives every member the group's findings, renamed to
// its schema. A query's plan and errors follow from the catalog alone, which
// is identical across the group; a sample's rows are data, and come from the
// first schema of the group.
func dryRunTenants(ctx context.Context, s *pgsession.Session, m *spec.Model, cat *catalog.Catalog, tenants []tenant, runAs string) ([]*drift.Finding, error) {
	var groups [][]tenant
	index := map[string]int{}
	bySchema := map[string][]*catalog.Relation{}
	for _, r := range cat.Relations {
		bySchema[r.Name.Schema] = append(bySchema[r.Name.Schema], r)
	}
	enums := map[string][]*catalog.Enum{}
	for n, e := range cat.Enums {
		enums[n.Schema] = append(enums[n.Schema], e)
	}
	for _, t := range tenants {
		key := tenantFingerprint(bySchema[t.schema], enums[t.schema], t.schema)
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
		fs, err := dryrun.Run(ctx, s, dryrun.Input{Model: rep.model, Catalog: cat, Types: rep.types, RunAs: runAs, SearchPath: rep.schema})
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

// tenantFingerprint describes what the dry run of schema's queries depends
// on in the catalog, with the schema's own name and the objects' OIDs left
// out, so that tenants created by the same migrations share it.
func tenantFingerprint(rels []*catalog.Relation, enumsOf []*catalog.Enum, schema string) string {
	var b strings.Builder
	rename := strings.NewReplacer(schema+".", "~.", drift.QuoteIdent(schema)+".", "~.")
	rels = slices.Clone(rels)
	slices.SortFunc(rels, func(a, b *catalog.Relation) int { return strings.Compare(a.Name.Name, b.Name.Name) })
	for _, rel := range rels {
		r := *rel
		r.OID, r.Name.Schema, r.EstimatedRows = 0, "", 0
		// Sequences hold their current values (data, not catalog facts): the
		// dry run depends on neither.
		r.Columns, r.ForeignKeys, r.Sequences = nil, nil, nil
		cols := make([]catalog.Column, len(r.Columns))
		for i, c := range r.Columns {
			cols[i] = *c
			cols[i].TypeOID = 0
			cols[i].Type = rename.Replace(c.Type)
		}
		fks := make([]catalog.ForeignKey, len(r.ForeignKeys))
		for i, fk := range r.ForeignKeys {
			fks[i] = *fk
			if fk.References.Schema == schema {
				fks[i].References.Schema = "~"
			}
		}
		j, _ := json.Marshal(struct {
			R    catalog.Relation
			Cols []catalog.Column
			FKs  []catalog.ForeignKey
		}{r, cols, fks})
		b.WriteString(rename.Replace(string(j)))
		b.WriteByte('\n')
	}
	var enums []string
	for _, e := range enumsOf {
		enums = append(enums, e.Name.Name+"="+strings.Join(e.Labels, ",")+fmt.Sprint(e.IsEnum))
	}
	slices.Sort(enums)
	b.WriteString(strings.Join(enums, ";"))
	return b.String()
}
