package introspect

import (
	"context"
	"slices"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/rbacdrift/rbacdrift/internal/pgsession"
	"github.com/rbacdrift/rbacdrift/introspect/catalog"
)

// A Selection says which relations a snapshot covers.
type Selection struct {
	Schemas []string // the schemas to list; at least one
	Tables  []string // exact relation names; nil: every table and view
	Match   string   // a glob on the relation name (* and ?); "" matches all
	Roles   []string // role names whose existence is checked ("PUBLIC" always exists)
	// Functions is a glob on function names (* and ?); "" takes none.
	Functions string
}

// A Listing is what [ListRelations] found: a [Request] for [Load] that also
// reads the enums the relations use, and the asked roles that do not exist.
type Listing struct {
	catalog.Request
	UnknownRoles []string
}

// ListRelations lists the relations of sel, the unknown roles of sel.Roles,
// the function names sel.Functions matches and the functions the relations'
// policies, defaults and CHECK constraints call, in one round trip. Names come back sorted by schema, then name.
// The enum types the relations use are left to [Load] (Request.EnumsUsed),
// which finds them from the columns it reads anyway.
func ListRelations(ctx context.Context, conn *pgsession.Session, sel Selection) (*Listing, error) {
	tables := sel.Tables
	if tables == nil {
		tables = []string{}
	}
	like := globToLike(sel.Match)
	var roles []string
	for _, r := range sel.Roles {
		if !strings.EqualFold(r, "PUBLIC") {
			roles = append(roles, r)
		}
	}
	l := &Listing{Request: catalog.Request{EnumsUsed: true}}
	err := conn.Read(ctx, func(b *pgsession.Queue) {
		b.Query(queryListRelations, sel.Schemas, tables, like)
		b.Query(queryListRoles, roles)
		b.Query(queryListFunctions, sel.Schemas, globToLike(sel.Functions))
		b.Query(queryListCalledFunctions, sel.Schemas, tables, like)
	}, func(br *pgsession.Results) error { return readListing(br, l, roles) })
	if err != nil {
		return nil, err
	}
	return l, nil
}

func readListing(br *pgsession.Results, l *Listing, roles []string) error {
	if err := each(br, "the relations to snapshot", func(rows pgx.Rows) error {
		var n catalog.Name
		if err := rows.Scan(&n.Schema, &n.Name); err != nil {
			return err
		}
		l.Relations = append(l.Relations, n)
		return nil
	}); err != nil {
		return err
	}
	found := map[string]bool{}
	if err := each(br, "roles", func(rows pgx.Rows) error {
		var r string
		if err := rows.Scan(&r); err != nil {
			return err
		}
		found[r] = true
		return nil
	}); err != nil {
		return err
	}
	for _, r := range roles {
		if !found[r] {
			l.UnknownRoles = append(l.UnknownRoles, r)
		}
	}
	if err := each(br, "the functions to snapshot", func(rows pgx.Rows) error {
		var n catalog.Name
		if err := rows.Scan(&n.Schema, &n.Name); err != nil {
			return err
		}
		l.Functions = append(l.Functions, n)
		return nil
	}); err != nil {
		return err
	}
	return each(br, "the functions the relations call", func(rows pgx.Rows) error {
		var n catalog.Name
		if err := rows.Scan(&n.Schema, &n.Name); err != nil {
			return err
		}
		if !slices.Contains(l.Functions, n) {
			l.Functions = append(l.Functions, n)
		}
		return nil
	})
}

// globToLike turns a glob (* any run, ? one character) into a LIKE pattern,
// escaping LIKE's own wildcards.
func globToLike(glob string) string {
	if glob == "" {
		return ""
	}
	var b strings.Builder
	for _, r := range glob {
		switch r {
		case '*':
			b.WriteByte('%')
		case '?':
			b.WriteByte('_')
		case '%', '_', '\\':
			b.WriteByte('\\')
			b.WriteRune(r)
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}
