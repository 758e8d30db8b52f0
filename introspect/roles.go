package introspect

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"

	"github.com/jackc/pgx/v5"
	"github.com/rbacdrift/rbacdrift/internal/pgsession"
	"github.com/rbacdrift/rbacdrift/introspect/catalog"
)

// ReadRoles reads the named roles and the connecting user, and the
// settings a login of each named role gets in this database, in one round
// trip.
func ReadRoles(ctx context.Context, conn *pgsession.Session, names []string) (*catalog.Roles, error) {
	var out *catalog.Roles
	err := conn.Read(ctx, func(q *pgsession.Queue) {
		q.Query(queryRoles, names)
		q.Query(queryRoleSettings, orEmpty(names))
	}, func(r *pgsession.Results) error {
		rows, err := r.Query()
		if err != nil {
			return err
		}
		if out, err = readRoles(rows); err != nil {
			return err
		}
		return each(r, "role settings", func(rows pgx.Rows) error {
			var role string
			var s catalog.RoleSetting
			if err := rows.Scan(&role, &s.Name, &s.Value, &s.Scope, &s.Settable); err != nil {
				return err
			}
			if rr := out.ByName[role]; rr != nil {
				rr.Settings = append(rr.Settings, s)
			}
			return nil
		})
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

func readRoles(rows pgx.Rows) (*catalog.Roles, error) {
	out := &catalog.Roles{ByName: map[string]*catalog.Role{}}
	first := true
	for rows.Next() {
		r := &catalog.Role{}
		if err := rows.Scan(&r.Name, &r.Exists, &r.Superuser, &r.BypassRLS, &r.CanAssume, &out.SessionUser); err != nil {
			rows.Close()
			return nil, fmt.Errorf("reading roles: %w", err)
		}
		if first {
			out.CurrentUser, first = r, false
			continue
		}
		out.ByName[r.Name] = r
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("reading roles: %w", err)
	}
	if out.CurrentUser == nil {
		return nil, fmt.Errorf("reading roles: no row for current_user")
	}
	return out, nil
}

// A FactsRequest is what the dry run of one query needs to read: the
// relations named by its SQL (as the SQL writes them, at most schema.name,
// resolved on the search_path) as role sees them, the relations called one
// of BareNames in any schema, and the names of Types. SearchPath, when
// set, is a schema put first on the search_path (a tenant's).
type FactsRequest struct {
	Role       string
	Relations  []string
	BareNames  []string
	Types      []catalog.TypeRef
	SearchPath string
}

// factsStatement is the name of the statement that reads the facts of a
// batch; it is prepared and closed inside the batch's transaction.
const factsStatement = "rbacdrift_facts"

// ReadQueryFactsBatch reads the facts of every request in one read-only
// unit, one round trip whatever their number: a part of the unit for each
// search path the requests name (a tenant's, or none), in which the
// relations' query is prepared once (planned once, generically) as a named
// statement and executed once per role with the names of all its requests
// (the harvested queries of one application name the same few tables again
// and again), and the type names are rendered, each distinct type once (as
// the search path shows them). What was read of a relation is shared by
// the requests that name it, and is not to be changed.
func ReadQueryFactsBatch(ctx context.Context, conn *pgsession.Session, reqs []FactsRequest) ([]*catalog.QueryFacts, error) {
	type read struct {
		role        string
		names, bare []string
		rel, other  []byte
		facts       *queryFacts
	}
	type part struct {
		path   string
		reads  []*read
		byRole map[string]*read
		typeAt map[catalog.TypeRef]int
		oids   []uint32
		mods   []int32
		names  []string
	}
	var parts []*part
	byPath := map[string]*part{}
	for _, rq := range reqs {
		p := byPath[rq.SearchPath]
		if p == nil {
			p = &part{path: rq.SearchPath, byRole: map[string]*read{}, typeAt: map[catalog.TypeRef]int{}}
			byPath[rq.SearchPath] = p
			parts = append(parts, p)
		}
		rd := p.byRole[rq.Role]
		if rd == nil {
			rd = &read{role: rq.Role, names: []string{}, bare: []string{}}
			p.byRole[rq.Role] = rd
			p.reads = append(p.reads, rd)
		}
		rd.names = append(rd.names, rq.Relations...)
		rd.bare = append(rd.bare, rq.BareNames...)
		for _, t := range rq.Types {
			if _, ok := p.typeAt[t]; !ok {
				p.typeAt[t] = len(p.oids)
				p.oids, p.mods = append(p.oids, t.OID), append(p.mods, t.TypMod)
			}
		}
	}
	for _, p := range parts {
		for _, rd := range p.reads {
			slices.Sort(rd.names)
			rd.names = slices.Compact(rd.names)
		}
	}
	err := conn.Parts(ctx, pgsession.UnitOptions{Settings: []string{"SET LOCAL plan_cache_mode = force_generic_plan"}}, len(parts), func(i int, q *pgsession.Queue) {
		p := parts[i]
		if p.path != "" {
			q.Query(SetSearchPathSQL, SearchPathValue(p.path))
		}
		q.Prepare(factsStatement, queryQueryFacts, nil)
		for _, rd := range p.reads {
			q.QueryPreparedArgs(factsStatement, rd.role, rd.names, rd.bare)
		}
		q.Close(factsStatement)
		q.Query(queryTypeNames, p.oids, p.mods)
	}, func(i int, r *pgsession.Results) error {
		p := parts[i]
		if p.path != "" {
			if _, err := r.Exec(); err != nil {
				return err
			}
		}
		if _, err := r.Prepare(); err != nil {
			return err
		}
		for _, rd := range p.reads {
			if err := r.QueryRow().Scan(&rd.rel, &rd.other); err != nil {
				return err
			}
		}
		if err := r.CloseStatement(); err != nil {
			return err
		}
		return r.QueryRow().Scan(&p.names)
	})
	if err != nil {
		return nil, fmt.Errorf("reading relations and policies for the dry run: %w", err)
	}
	for _, p := range parts {
		if len(p.names) != len(p.oids) {
			return nil, fmt.Errorf("reading type names for the dry run: %d names for %d types", len(p.names), len(p.oids))
		}
		for _, rd := range p.reads {
			f, err := decodeFacts(rd.rel, rd.other)
			if err != nil {
				return nil, err
			}
			rd.facts = f
		}
	}
	out := make([]*catalog.QueryFacts, len(reqs))
	for i, rq := range reqs {
		p := byPath[rq.SearchPath]
		f := p.byRole[rq.Role].facts
		qf := &catalog.QueryFacts{Elsewhere: map[string][]catalog.Name{}, TypeNames: make([]string, len(rq.Types))}
		// In the order the query returned them: by schema and name.
		for _, rel := range f.rels {
			if slices.ContainsFunc(rel.Wanted, func(w string) bool { return slices.Contains(rq.Relations, w) }) {
				qf.Relations = append(qf.Relations, &rel.RelationFacts)
			}
		}
		for _, b := range rq.BareNames {
			if e, ok := f.elsewhere[b]; ok {
				qf.Elsewhere[b] = e
			}
		}
		for k, t := range rq.Types {
			qf.TypeNames[k] = p.names[p.typeAt[t]]
		}
		out[i] = qf
	}
	return out, nil
}

// queryFacts is what the relations' query of the dry run read for one
// role and the names of its queries.
type queryFacts struct {
	rels      []*wantedRelation
	elsewhere map[string][]catalog.Name
}

// A wantedRelation is a relation the facts query read, with the names
// (as the queries wrote them) that resolved to it.
type wantedRelation struct {
	Wanted []string `json:"wanted"`
	catalog.RelationFacts
}

func decodeFacts(rel, other []byte) (*queryFacts, error) {
	f := &queryFacts{elsewhere: map[string][]catalog.Name{}}
	if err := json.Unmarshal(rel, &f.rels); err != nil {
		return nil, fmt.Errorf("decoding relations for the dry run: %w", err)
	}
	var elsewhere []struct{ Wanted, Schema, Name string }
	if err := json.Unmarshal(other, &elsewhere); err != nil {
		return nil, fmt.Errorf("decoding relations for the dry run: %w", err)
	}
	for _, e := range elsewhere {
		f.elsewhere[e.Wanted] = append(f.elsewhere[e.Wanted], catalog.Name{Schema: e.Schema, Name: e.Name})
	}
	return f, nil
}

func orEmpty(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// SearchPathValue is schema as [SetSearchPathSQL] takes it: quoted, so
// that a name with a comma, a quote or capitals stays one name.
func SearchPathValue(schema string) string { return pgx.Identifier{schema}.Sanitize() }
