package replay

import (
	"context"
	_ "embed"
	"fmt"
	"slices"

	"github.com/jackc/pgx/v5"

	"github.com/rbacdrift/rbacdrift/internal/migrations"
	"github.com/rbacdrift/rbacdrift/internal/pgsession"
)

// A platform is what a hosted platform puts in a project's database before
// its migrations run, which the migrations take for granted: rbacdrift's
// own minimal stand-in for it, laid down first by the superuser, so that
// the project replays with no Docker and no running stack.
type platform struct {
	name  string
	about string // what the base holds, for the model's header
	// roles creates the platform's roles: run on a throwaway cluster only,
	// since roles belong to the whole server.
	roles     string
	roleNames []string
	// base makes the schemas, tables and functions, in the scratch database.
	base string
	// probe names a schema whose presence says the base is there already
	// (a --dev-db server whose template database has the platform).
	probe string
}

var (
	//go:embed platform/supabase_roles.sql
	supabaseRoles string
	//go:embed platform/supabase.sql
	supabaseBase string
)

var supabasePlatform = &platform{
	name:  "supabase",
	about: "Supabase platform base assumed: roles anon, authenticated, service_role, authenticator, supabase_auth_admin, supabase_storage_admin, supabase_admin; schemas extensions, auth (users, uid(), jwt(), role(), email()) and storage (buckets, objects), as rbacdrift lays them down",
	roles: supabaseRoles, base: supabaseBase, probe: "auth",
	roleNames: []string{"anon", "authenticated", "service_role", "authenticator", "supabase_auth_admin", "supabase_storage_admin", "supabase_admin"},
}

// platformOf returns the platform a tool's migrations assume; nil for none.
func platformOf(t migrations.Tool) *platform {
	if t == migrations.Supabase {
		return supabasePlatform
	}
	return nil
}

// withoutPlatformRoles leaves out of roles those the platform creates.
func (pf *platform) withoutPlatformRoles(roles []string) []string {
	if pf == nil {
		return roles
	}
	return slices.DeleteFunc(roles, func(r string) bool { return slices.Contains(pf.roleNames, r) })
}

// layRoles creates the platform's roles on a throwaway cluster, and lets
// the migrator (when named) grant them, make them owners and grant to them,
// as it may the application's roles.
func (pf *platform) layRoles(ctx context.Context, admin *pgx.Conn, migrator string) error {
	if pf == nil {
		return nil
	}
	if _, err := admin.Exec(ctx, pf.roles); err != nil {
		return fmt.Errorf("creating the %s platform's roles: %w", pf.name, err)
	}
	if migrator == "" {
		return nil
	}
	for _, r := range pf.roleNames {
		if _, err := admin.Exec(ctx, "GRANT "+pgx.Identifier{r}.Sanitize()+" TO "+pgx.Identifier{migrator}.Sanitize()+" WITH ADMIN OPTION"); err != nil {
			return fmt.Errorf("letting the migrations use the %s platform's role %s: %w", pf.name, r, err)
		}
	}
	return nil
}

// layBase lays the platform's base down in the scratch database t, as the
// superuser, before any migration runs; a database that has it already
// (made from a template that holds it) is left as it is. On a --dev-db
// server without the platform's roles it is a [*DevDBError].
func (pf *platform) layBase(ctx context.Context, t *pgsession.Target, devDB bool) error {
	if pf == nil {
		return nil
	}
	conn, err := pgx.ConnectConfig(ctx, t.Config)
	if err != nil {
		return fmt.Errorf("connecting to the temporary database: %w", err)
	}
	defer conn.Close(context.WithoutCancel(ctx))
	var present bool
	if err := conn.QueryRow(ctx, "SELECT EXISTS (SELECT FROM pg_catalog.pg_namespace WHERE nspname = $1)", pf.probe).Scan(&present); err != nil {
		return fmt.Errorf("looking for the %s platform base: %w", pf.name, err)
	}
	if present {
		return nil
	}
	if devDB {
		var missing []string
		rows, _ := conn.Query(ctx, "SELECT r FROM unnest($1::text[]) AS r WHERE NOT EXISTS (SELECT FROM pg_catalog.pg_roles WHERE rolname = r) ORDER BY r", pf.roleNames)
		if missing, err = pgx.CollectRows(rows, pgx.RowTo[string]); err != nil {
			return fmt.Errorf("looking for the %s platform's roles: %w", pf.name, err)
		}
		if len(missing) > 0 {
			return &DevDBError{
				Message: fmt.Sprintf("the migrations assume the %s platform, and the server has none of it: no schema %s, no role %v", pf.name, pf.probe, missing),
				Hint:    fmt.Sprintf("leave out --dev-db: a throwaway cluster gets rbacdrift's %s platform base; or name a server that has the platform (its local stack) and, with --dev-template, a template database that holds it", pf.name),
			}
		}
	}
	if _, err := conn.Exec(ctx, pf.base); err != nil {
		return fmt.Errorf("laying down the %s platform base: %w", pf.name, err)
	}
	return nil
}
