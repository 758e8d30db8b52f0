package introspect

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/jackc/pgx/v5"
)

// A Role describes a role an application query runs as.
type Role struct {
	Name      string
	Exists    bool
	Superuser bool
	BypassRLS bool
	// CanAssume says whether the session user may SET ROLE to it: a member of
	// it, or a superuser.
	CanAssume bool
}

// Roles is what [ReadRoles] found.
type Roles struct {
	SessionUser string
	CurrentUser *Role // the role statements run as without SET ROLE
	ByName      map[string]*Role
}

// ReadRoles reads the named roles and the connecting user in one round trip.
func ReadRoles(ctx context.Context, conn *pgx.Conn, names []string) (*Roles, error) {
	rows, err := conn.Query(ctx, queryRoles, names)
	if err != nil {
		return nil, fmt.Errorf("reading roles: %w", err)
	}
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

// RelationFacts describes a relation an application query reads, as seen
// by the role the query runs as.
type RelationFacts struct {
	Schema           string         `json:"schema"`
	Name             string         `json:"name"`
	Kind             string         `json:"kind"` // pg_class.relkind: r, p, v, m, f ...
	RowSecurity      bool           `json:"rls"`
	ForceRowSecurity bool           `json:"force"`
	Owner            string         `json:"owner"`
	Owned            bool           `json:"owned"` // the role has the owner's privileges
	Select           bool           `json:"select"`
	Insert           bool           `json:"insert"`
	Update           bool           `json:"update"`
	Delete           bool           `json:"delete"`
	Policies         []*PolicyFacts `json:"policies"`
}

// QName returns the relation's name as schema.name.
func (r *RelationFacts) QName() Name { return Name{Schema: r.Schema, Name: r.Name} }

// PolicyFacts describes one row-level security policy of a relation.
type PolicyFacts struct {
	Name       string   `json:"name"`
	Command    string   `json:"command"` // ALL, SELECT, INSERT, UPDATE, DELETE
	Permissive bool     `json:"permissive"`
	Roles      []string `json:"roles"`   // "public" for PUBLIC
	Applies    bool     `json:"applies"` // the policy is for PUBLIC or for a role the role has the privileges of
}

// A TypeRef is a type OID and modifier to render with format_type.
type TypeRef struct {
	OID    uint32
	TypMod int32
}

// QueryFacts is what [ReadQueryFacts] found.
type QueryFacts struct {
	Relations []*RelationFacts
	// Elsewhere lists relations, in any user schema, that have one of the
	// looked-up bare names.
	Elsewhere map[string][]Name
	// TypeNames holds format_type of each asked type, in order.
	TypeNames []string
}

// ReadQueryFacts reads in one round trip what the dry run of one query needs
// from the catalog: the relations named by rels (as SQL writes them, at most
// schema.name, resolved on the session's search_path) as role sees them, the
// relations called one of bareNames in any schema, and the names of types.
func ReadQueryFacts(ctx context.Context, conn *pgx.Conn, role string, rels, bareNames []string, types []TypeRef) (*QueryFacts, error) {
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
	if err := conn.QueryRow(ctx, queryQueryFacts, role, rels, bareNames, oids, mods).Scan(&relJSON, &elsewhereJSON, &out.TypeNames); err != nil {
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
