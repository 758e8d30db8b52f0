package introspect

import (
	"context"
	"encoding/json"
	"fmt"

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
// of BareNames in any schema, and the names of Types.
type FactsRequest struct {
	Role      string
	Relations []string
	BareNames []string
	Types     []catalog.TypeRef
}

// factsStatement is the name of the statement that reads the facts of a
// batch; it is prepared and closed inside the batch's transaction.
const factsStatement = "rbacdrift_facts"

// ReadQueryFacts reads what one query's dry run needs, as
// [ReadQueryFactsBatch] does for one.
func ReadQueryFacts(ctx context.Context, conn *pgsession.Session, searchPath, role string, rels, bareNames []string, types []catalog.TypeRef) (*catalog.QueryFacts, error) {
	out, err := ReadQueryFactsBatch(ctx, conn, searchPath, []FactsRequest{{Role: role, Relations: rels, BareNames: bareNames, Types: types}})
	if err != nil {
		return nil, err
	}
	return out[0], nil
}

// ReadQueryFactsBatch reads the facts of every request in one read-only
// unit, one round trip whatever their number: the query is prepared once
// (planned once, generically) as a named statement, executed once per
// request, and closed before the ROLLBACK. searchPath, when set, is put
// first on the search_path, as for a tenant schema's queries.
func ReadQueryFactsBatch(ctx context.Context, conn *pgsession.Session, searchPath string, reqs []FactsRequest) ([]*catalog.QueryFacts, error) {
	type raw struct{ rel, elsewhere []byte }
	raws := make([]raw, len(reqs))
	out := make([]*catalog.QueryFacts, len(reqs))
	err := conn.Unit(ctx, pgsession.UnitOptions{Settings: []string{"SET LOCAL plan_cache_mode = force_generic_plan"}}, func(q *pgsession.Queue) {
		if searchPath != "" {
			q.Query(SetSearchPathSQL, SearchPathValue(searchPath))
		}
		q.Prepare(factsStatement, queryQueryFacts, nil)
		for _, rq := range reqs {
			oids := make([]uint32, len(rq.Types))
			mods := make([]int32, len(rq.Types))
			for i, t := range rq.Types {
				oids[i], mods[i] = t.OID, t.TypMod
			}
			q.QueryPreparedArgs(factsStatement, rq.Role, orEmpty(rq.Relations), orEmpty(rq.BareNames), oids, mods)
		}
		q.Close(factsStatement)
	}, func(r *pgsession.Results) error {
		if searchPath != "" {
			if _, err := r.Exec(); err != nil {
				return err
			}
		}
		if _, err := r.Prepare(); err != nil {
			return err
		}
		for i := range reqs {
			out[i] = &catalog.QueryFacts{Elsewhere: map[string][]catalog.Name{}}
			if err := r.QueryRow().Scan(&raws[i].rel, &raws[i].elsewhere, &out[i].TypeNames); err != nil {
				return err
			}
		}
		return r.CloseStatement()
	})
	if err != nil {
		return nil, fmt.Errorf("reading relations and policies for the dry run: %w", err)
	}
	for i, f := range out {
		if err := json.Unmarshal(raws[i].rel, &f.Relations); err != nil {
			return nil, fmt.Errorf("decoding relations for the dry run: %w", err)
		}
		var elsewhere []struct{ Wanted, Schema, Name string }
		if err := json.Unmarshal(raws[i].elsewhere, &elsewhere); err != nil {
			return nil, fmt.Errorf("decoding relations for the dry run: %w", err)
		}
		for _, e := range elsewhere {
			f.Elsewhere[e.Wanted] = append(f.Elsewhere[e.Wanted], catalog.Name{Schema: e.Schema, Name: e.Name})
		}
	}
	return out, nil
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
