package derive

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/rbacdrift/rbacdrift/drift"
	"github.com/rbacdrift/rbacdrift/internal/pgsession"
	"github.com/rbacdrift/rbacdrift/introspect"
	"github.com/rbacdrift/rbacdrift/introspect/catalog"
	"github.com/rbacdrift/rbacdrift/spec"
)

// A SelectionError means the snapshot's selection names what the database
// does not have (a role, a table) or matches nothing: the selection is
// wrong, not the database. The command words it in terms of its flags.
type SelectionError struct {
	// What is wrong: SelectNoRole, SelectNoTable or SelectNothing.
	What string
	// Missing are the roles or tables that do not exist.
	Missing []string
	// Schemas are the schemas the selection looked in; Match its glob.
	Schemas []string
	Match   string
}

// What a [SelectionError] says.
const (
	SelectNoRole  = "no-role"  // a role to read grants for does not exist
	SelectNoTable = "no-table" // a named table is not in the schemas
	SelectNothing = "nothing"  // no table or view matches
)

func (e *SelectionError) Error() string {
	schemas := strings.Join(e.Schemas, ", ")
	switch e.What {
	case SelectNoRole:
		return fmt.Sprintf("no role %s on this server", strings.Join(e.Missing, ", "))
	case SelectNoTable:
		return fmt.Sprintf("no table or view %s in schema %s", strings.Join(e.Missing, ", "), schemas)
	}
	if e.Match != "" {
		return fmt.Sprintf("no table or view in schema %s matches %q", schemas, e.Match)
	}
	return "no table or view in schema " + schemas
}

// A SnapshotResult is what [Snapshot] took.
type SnapshotResult struct {
	Model  *spec.Model
	Server catalog.Server
	Path   pgsession.Path
}

// Snapshot opens read-only sessions to t and returns a model of what sel
// chooses, as [drift.Snapshot] writes it: checking the same database against
// it finds nothing.
//
// A second session, opened while the first lists the relations, reads half
// of them: the server runs each session's queries on its own core
// ([introspect.LoadParallel]). Without it (max_connections reached, say) the
// snapshot reads everything on the first.
func Snapshot(ctx context.Context, t *pgsession.Target, sel introspect.Selection, opts pgsession.Options) (*SnapshotResult, error) {
	s, err := pgsession.Open(ctx, t, opts)
	if err != nil {
		return nil, err
	}
	defer s.Close(context.WithoutCancel(ctx))
	second := make(chan *pgsession.Session, 1)
	go func() {
		c, err := pgsession.Open(ctx, t, opts)
		if err != nil {
			c = nil
		}
		second <- c
	}()

	listing, err := introspect.ListRelations(ctx, s, sel)
	sessions := []*pgsession.Session{s}
	if c := <-second; c != nil {
		defer c.Close(context.WithoutCancel(ctx))
		sessions = append(sessions, c)
	}
	if err != nil {
		return nil, err
	}
	if err := checkListing(sel, listing); err != nil {
		return nil, err
	}
	req := listing.Request
	for _, r := range sel.Roles {
		if strings.EqualFold(r, "PUBLIC") {
			r = "PUBLIC"
		}
		req.Roles = append(req.Roles, r)
		if r != "PUBLIC" {
			req.SettingsRoles = append(req.SettingsRoles, r)
		}
	}
	if len(req.Roles) > 0 {
		// What a login of the roles gets, and what the objects created
		// later will give them.
		req.DefaultACLs, req.DefaultACLRoles = true, req.Roles
	}
	cat, err := introspect.LoadParallel(ctx, sessions, req)
	if err != nil {
		return nil, err
	}
	m := drift.Snapshot(cat, drift.SnapshotOptions{Schema: sel.Schemas[0], GrantsFor: sel.Roles})
	return &SnapshotResult{Model: m, Server: cat.Server, Path: pgsession.PathOf(s, cat.Server.ReadOnlyGuard)}, nil
}

// checkListing reports what the selection asked for and the database does
// not have.
func checkListing(sel introspect.Selection, l *introspect.Listing) error {
	if len(l.UnknownRoles) > 0 {
		return &SelectionError{What: SelectNoRole, Missing: l.UnknownRoles, Schemas: sel.Schemas}
	}
	var absent []string
	for _, t := range sel.Tables {
		if !slices.ContainsFunc(l.Relations, func(n catalog.Name) bool { return n.Name == t }) {
			absent = append(absent, t)
		}
	}
	if len(absent) > 0 {
		return &SelectionError{What: SelectNoTable, Missing: absent, Schemas: sel.Schemas}
	}
	if len(l.Relations) == 0 {
		return &SelectionError{What: SelectNothing, Schemas: sel.Schemas, Match: sel.Match}
	}
	return nil
}
