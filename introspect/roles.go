package introspect

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/jackc/pgx/v5"
)

// ReadRoles reads the named roles and the connecting user in one round trip.
func ReadRoles(ctx context.Context, conn *Session, names []string) (*Roles, error) {
	var out *Roles
	err := conn.Read(ctx, func(q *Queue) { q.Query(queryRoles, names) }, func(r *Results) error {
		rows, err := r.Query()
		if err != nil {
			return err
		}
		out, err = readRoles(rows)
		return err
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

func readRoles(rows pgx.Rows) (*Roles, error) {
	out := &Roles{ByName: map[string]*Role{}}
	first := true
	for rows.Next() {
		r := &Role{}
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

// ReadQueryFacts reads in one round trip what the dry run of one query needs
// from the catalog: the relations named by rels (as SQL writes them, at most
// schema.name, resolved on the session's search_path) as role sees them, the
// relations called one of bareNames in any schema, and the names of types.
func ReadQueryFacts(ctx context.Context, conn *Session, searchPath, role string, rels, bareNames []string, types []TypeRef) (*QueryFacts, error) {
	oids := make([]uint32, len(types))
	mods := make([]int32, len(types))
	for i, t := range types {
		oids[i], mods[i] = t.OID, t.TypMod
	}
	if rels == nil {
		rels = []string{}
	}
	if bareNames == nil {
		bareNames = []string{}
	}
	var relJSON, elsewhereJSON []byte
	out := &QueryFacts{Elsewhere: map[string][]Name{}}
	if err := conn.Read(ctx, func(q *Queue) {
		if searchPath != "" {
			q.Query(SetSearchPathSQL, SearchPathValue(searchPath))
		}
		q.Query(queryQueryFacts, role, rels, bareNames, oids, mods)
	}, func(r *Results) error {
		if searchPath != "" {
			if _, err := r.Exec(); err != nil {
				return err
			}
		}
		return r.QueryRow().Scan(&relJSON, &elsewhereJSON, &out.TypeNames)
	}); err != nil {
		return nil, fmt.Errorf("reading relations and policies for the dry run: %w", err)
	}
	if err := json.Unmarshal(relJSON, &out.Relations); err != nil {
		return nil, fmt.Errorf("decoding relations for the dry run: %w", err)
	}
	var elsewhere []struct{ Wanted, Schema, Name string }
	if err := json.Unmarshal(elsewhereJSON, &elsewhere); err != nil {
		return nil, fmt.Errorf("decoding relations for the dry run: %w", err)
	}
	for _, e := range elsewhere {
		out.Elsewhere[e.Wanted] = append(out.Elsewhere[e.Wanted], Name{Schema: e.Schema, Name: e.Name})
	}
	return out, nil
}

// SetSearchPathSQL puts a schema ($1, quoted as search_path wants it) first
// on the search_path of the transaction: a tenant's queries resolve their
// tables in the tenant's schema. The name is a parameter; LOCAL (true) ends
// it with the transaction.
const SetSearchPathSQL = "SELECT pg_catalog.set_config('search_path', $1 || ', ' || pg_catalog.current_setting('search_path'), true)"

// SearchPathValue is schema as [SetSearchPathSQL] takes it: quoted, so
// that a name with a comma, a quote or capitals stays one name.
func SearchPathValue(schema string) string { return pgx.Identifier{schema}.Sanitize() }
