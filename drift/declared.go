package drift

import (
	"slices"
	"strings"

	"github.com/rbacdrift/rbacdrift/introspect/catalog"
	"github.com/rbacdrift/rbacdrift/spec"
)

// Request returns what to read from the catalog for m: its tables, enums,
// functions and sequences, and the roles its grants and run_as name.
func Request(m *spec.Model) catalog.Request {
	var req catalog.Request
	for _, t := range m.Tables {
		req.Relations = append(req.Relations, relName(t.Name))
	}
	for _, e := range m.Enums {
		req.Enums = append(req.Enums, relName(e.Name))
	}
	for _, f := range m.Functions {
		if n := relName(f.Name); !slices.Contains(req.Functions, n) {
			req.Functions = append(req.Functions, n)
		}
	}
	for _, q := range m.Sequences {
		req.Sequences = append(req.Sequences, relName(q.Name))
	}
	req.Roles = GrantRoles(m)
	req.RunAs = m.RunAs
	for _, rs := range m.RoleSettings {
		if !slices.Contains(req.SettingsRoles, rs.Role) {
			req.SettingsRoles = append(req.SettingsRoles, rs.Role)
		}
	}
	if m.DefaultPrivileges != nil {
		req.DefaultACLs, req.DefaultACLRoles = true, []string{}
		for _, dp := range m.DefaultPrivileges {
			for _, g := range dp.Grants {
				if r := grantee(g.Role); !slices.Contains(req.DefaultACLRoles, r) {
					req.DefaultACLRoles = append(req.DefaultACLRoles, r)
				}
			}
		}
	}
	if m.RunAs != "" && !slices.Contains(req.Roles, m.RunAs) {
		// Whether it may call nextval on the sequences of the tables it
		// writes.
		req.Roles = append(req.Roles, m.RunAs)
	}
	return req
}

// GrantRoles returns the roles m's grants name, on tables, columns,
// functions and sequences, once each, in model order; PUBLIC as "PUBLIC".
func GrantRoles(m *spec.Model) []string {
	out := []string{}
	add := func(gs []*spec.Grant) {
		for _, g := range gs {
			r := grantee(g.Role)
			if !slices.Contains(out, r) {
				out = append(out, r)
			}
		}
	}
	for _, t := range m.Tables {
		add(t.Grants)
		for _, c := range t.Columns {
			add(c.Grants)
		}
	}
	for _, f := range m.Functions {
		add(f.Grants)
	}
	for _, q := range m.Sequences {
		add(q.Grants)
	}
	return out
}

// DeclaredTypes returns every type name m declares (columns, query
// parameters and result columns), once each, in model order.
func DeclaredTypes(m *spec.Model) []string {
	var out []string
	seen := map[string]bool{}
	add := func(t string) {
		if t != "" && !seen[t] {
			seen[t] = true
			out = append(out, t)
		}
	}
	for _, t := range m.Tables {
		for _, c := range t.Columns {
			add(c.Type)
		}
	}
	for _, f := range m.Functions {
		for _, a := range f.Args {
			add(a)
		}
		typ, _ := f.ReturnType()
		add(typ)
	}
	for _, q := range m.Queries {
		for _, p := range q.Params {
			add(p)
		}
		for _, r := range q.Returns {
			add(r.Type)
		}
	}
	return out
}

// AskedTypes returns, for each of the declared type names, the name to ask
// the server about: a bare name that is one of the model's enums is
// qualified with the enum's schema, so that models of a non-public schema
// work whatever the search_path.
func AskedTypes(m *spec.Model, declared []string) []string {
	enums := map[string]spec.Name{}
	for _, e := range m.Enums {
		enums[e.Name.Name] = e.Name
	}
	asked := make([]string, len(declared))
	for i, t := range declared {
		asked[i] = t
		base, arr := strings.CutSuffix(t, "[]")
		if n, ok := enums[base]; ok {
			asked[i] = QuoteIdent(n.Schema) + "." + QuoteIdent(n.Name)
			if arr {
				asked[i] += "[]"
			}
		}
	}
	return asked
}
