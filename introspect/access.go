package introspect

import (
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/rbacdrift/rbacdrift/internal/pgsession"
	"github.com/rbacdrift/rbacdrift/introspect/catalog"
)

// queueAccess queues, at the end of the catalog batch, what req asks of a
// login of the application's role (see queries_access.go): the role
// settings, the default privileges, and for req.RunAs whether row-level
// security binds it on rels; the last two statements run as that role
// (SET LOCAL ROLE, undone by the unit's rollback), so they come after
// every other read.
func queueAccess(b *pgsession.Queue, req catalog.Request, rels []catalog.Name) {
	if len(req.SettingsRoles) > 0 {
		b.Query(queryRoleSettings, req.SettingsRoles)
	}
	if req.DefaultACLs {
		b.Query(queryDefaultACLs, orEmpty(req.DefaultACLRoles))
	}
	if req.RunAs != "" {
		schemas, names := split(rels)
		b.Query(queryRunAsRole, req.RunAs)
		b.Query(queryRunAsRelations, schemas, names, req.RunAs)
		b.Query(setRoleSQL, req.RunAs)
		b.Query(queryRowSecurityActive, schemas, names)
	}
}

// readAccess reads the answers to what queueAccess queued. A run_as role
// the checking user cannot assume leaves Active unset: the server's refusal
// is no error of the catalog read.
func readAccess(br *pgsession.Results, cat *catalog.Catalog, req catalog.Request) error {
	if len(req.SettingsRoles) > 0 {
		cat.RoleSettings = map[string][]catalog.RoleSetting{}
		if err := each(br, "role settings", func(rows pgx.Rows) error {
			var role string
			var s catalog.RoleSetting
			if err := rows.Scan(&role, &s.Name, &s.Value, &s.Scope, &s.Settable); err != nil {
				return err
			}
			cat.RoleSettings[role] = append(cat.RoleSettings[role], s)
			return nil
		}); err != nil {
			return err
		}
	}
	if req.DefaultACLs {
		cat.DefaultACLs = []*catalog.DefaultACL{}
		if err := each(br, "default privileges", func(rows pgx.Rows) error {
			d := &catalog.DefaultACL{}
			if err := rows.Scan(&d.Owner, &d.Schema, &d.Objects, &d.Grantee, &d.Privileges); err != nil {
				return err
			}
			cat.DefaultACLs = append(cat.DefaultACLs, d)
			return nil
		}); err != nil {
			return err
		}
	}
	if req.RunAs == "" {
		return nil
	}
	ra := &catalog.RunAs{Role: req.RunAs, Relations: map[catalog.Name]*catalog.RunAsRelation{}}
	cat.RunAs = ra
	if err := each(br, "the run_as role", func(rows pgx.Rows) error {
		ra.Exists = true
		return rows.Scan(&ra.Superuser, &ra.BypassRLS, &ra.Bypassers)
	}); err != nil {
		return err
	}
	byOID := map[uint32]*catalog.RunAsRelation{}
	if err := each(br, "row-level security for the run_as role", func(rows pgx.Rows) error {
		var oid uint32
		var n catalog.Name
		r := &catalog.RunAsRelation{}
		if err := rows.Scan(&oid, &n.Schema, &n.Name, &r.Owner, &r.Owns, &r.OwnerPrivileges, &r.Applying); err != nil {
			return err
		}
		byOID[oid] = r
		ra.Relations[n] = r
		return nil
	}); err != nil {
		return err
	}
	if _, err := br.Exec(); err != nil {
		var pgErr *pgconn.PgError
		if errors.As(err, &pgErr) {
			return nil // cannot SET ROLE: the dry run reports run-as-unavailable
		}
		return fmt.Errorf("setting the role %s: %w", req.RunAs, err)
	}
	ra.Assumed = true
	return each(br, "row_security_active as the run_as role", func(rows pgx.Rows) error {
		var oid uint32
		var active bool
		if err := rows.Scan(&oid, &active); err != nil {
			return err
		}
		if r := byOID[oid]; r != nil {
			r.Active = &active
		}
		return nil
	})
}
