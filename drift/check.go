package drift

import (
	"context"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/rbacdrift/rbacdrift/introspect"
	"github.com/rbacdrift/rbacdrift/spec"
)

// A Result is the outcome of [Check].
type Result struct {
	Catalog  *introspect.Catalog
	Findings []*Finding
	// Types is the server's reading of every declared type name.
	Types        map[string]introspect.Type
	UnknownTypes map[string]string
}

// Request returns what to read from the catalog for m: its tables and enums.
func Request(m *spec.Model) introspect.Request {
	var req introspect.Request
	for _, t := range m.Tables {
		req.Relations = append(req.Relations, relName(t.Name))
	}
	for _, e := range m.Enums {
		req.Enums = append(req.Enums, relName(e.Name))
	}
	return req
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

// ResolveTypes reads every declared type of m on the server. A bare name that
// is one of the model's enums is looked up in the enum's schema, so models of
// a non-public schema work whatever the search_path.
func ResolveTypes(ctx context.Context, conn *pgx.Conn, m *spec.Model) (map[string]introspect.Type, map[string]string, error) {
	declared := DeclaredTypes(m)
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
	known, unknown, err := introspect.ResolveTypes(ctx, conn, asked)
	if err != nil {
		return nil, nil, err
	}
	types, unknownByDecl := map[string]introspect.Type{}, map[string]string{}
	for i, t := range declared {
		if k, ok := known[asked[i]]; ok {
			types[t] = k
		} else if msg, ok := unknown[asked[i]]; ok {
			unknownByDecl[t] = msg
		}
	}
	return types, unknownByDecl, nil
}

// Check reads the catalog for m and compares: two round trips whatever the
// size of the model (one batch of catalog queries, one describe of the
// declared types).
func Check(ctx context.Context, conn *pgx.Conn, m *spec.Model) (*Result, error) {
	cat, err := introspect.Load(ctx, conn, Request(m))
	if err != nil {
		return nil, err
	}
	types, unknown, err := ResolveTypes(ctx, conn, m)
	if err != nil {
		return nil, err
	}
	res := &Result{Catalog: cat, Types: types, UnknownTypes: unknown}
	res.Findings = Compare(Input{Model: m, Catalog: cat, Types: types, UnknownTypes: unknown})
	return res, nil
}
