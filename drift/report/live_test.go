package report

import (
	"context"

	"github.com/rbacdrift/rbacdrift/drift"
	"github.com/rbacdrift/rbacdrift/internal/pgsession"
	"github.com/rbacdrift/rbacdrift/introspect"
	"github.com/rbacdrift/rbacdrift/introspect/catalog"
	"github.com/rbacdrift/rbacdrift/spec"
)

// compared is what steps 1 to 3 of a check give.
type compared struct {
	Catalog  *catalog.Catalog
	Types    map[string]catalog.Type
	Findings []*drift.Finding
}

// compareLive reads the catalog and the declared types for m and compares,
// as internal/check.Compare does. The report's tests cannot import
// internal/check, which builds reports with this package.
func compareLive(ctx context.Context, s *pgsession.Session, m *spec.Model) (*compared, error) {
	cat, err := introspect.Load(ctx, s, drift.Request(m))
	if err != nil {
		return nil, err
	}
	if err := introspect.ReadColumnMaxima(ctx, s, cat); err != nil {
		return nil, err
	}
	declared := drift.DeclaredTypes(m)
	asked := drift.AskedTypes(m, declared)
	known, unknown, err := introspect.ResolveTypes(ctx, s, asked)
	if err != nil {
		return nil, err
	}
	types, unknownByDecl := map[string]catalog.Type{}, map[string]string{}
	for i, t := range declared {
		if k, ok := known[asked[i]]; ok {
			types[t] = k
		} else if msg, ok := unknown[asked[i]]; ok {
			unknownByDecl[t] = msg
		}
	}
	fs := drift.Compare(drift.Input{Model: m, Catalog: cat, Types: types, UnknownTypes: unknownByDecl})
	return &compared{Catalog: cat, Types: types, Findings: fs}, nil
}
