package replay

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/rbacdrift/rbacdrift/internal/derive"
	"github.com/rbacdrift/rbacdrift/internal/pgserver"
	"github.com/rbacdrift/rbacdrift/internal/pgsession"
	"github.com/rbacdrift/rbacdrift/introspect"
)

// Options say where [Derive] applies the migrations and what it takes.
type Options struct {
	// DevDB is an existing server to make the temporary database on; the
	// database it names is only connected to. Nil starts a throwaway cluster
	// with [pgserver.Start].
	DevDB *pgsession.Target
	// Template is the template database of the temporary database made on
	// DevDB; empty: the server's default (template1), which holds what the
	// server's platform put there.
	Template string
	// Selection and Introspect are those of a live snapshot.
	Selection  introspect.Selection
	Introspect pgsession.Options
}

// A Result is the model that the migrations make.
type Result struct {
	*derive.SnapshotResult
	// Where names the server the migrations ran on, never with a password.
	Where string
}

// A DevDBError says that the --dev-db server cannot be used as a scratch
// server.
type DevDBError struct {
	Message, Hint string
}

func (e *DevDBError) Error() string { return e.Message }

// TempPrefix starts the name of every database [Derive] creates.
const TempPrefix = "rbacdrift_scratch_"

// Derive applies the plan to a new, empty database, snapshots it as
// [derive.Snapshot] snapshots a live one, and drops the database (and, for
// a throwaway cluster, the cluster) whatever happens, Ctrl-C included.
func Derive(ctx context.Context, p *Plan, opts Options) (_ *Result, err error) {
	server := opts.DevDB
	where := ""
	roles := rolesToCreate(p, opts.Selection.Roles)
	if server == nil {
		c, err := pgserver.Start(ctx)
		if err != nil {
			return nil, fmt.Errorf("starting a scratch PostgreSQL: %w", err)
		}
		defer func() { err = errors.Join(err, c.Stop()) }()
		if server, err = pgsession.ParseTarget(c.URL("postgres")); err != nil {
			return nil, err
		}
		where = "a throwaway PostgreSQL cluster"
	} else {
		where = "a temporary database on " + server.String()
		roles = nil // roles belong to the whole server: never made on someone else's
	}

	admin, err := pgx.ConnectConfig(ctx, server.Config.Copy())
	if err != nil {
		return nil, err
	}
	defer admin.Close(context.WithoutCancel(ctx))
	if err := canCreateDatabase(ctx, admin, server); err != nil {
		return nil, err
	}
	name := TempPrefix + randomHex()
	if _, err := admin.Exec(ctx, createDatabase(name, opts)); err != nil {
		return nil, fmt.Errorf("creating the temporary database %s: %w", name, err)
	}
	defer func() { err = errors.Join(err, dropDatabase(context.WithoutCancel(ctx), server, name)) }()
	if opts.DevDB == nil {
		if err := p.platform.layRoles(ctx, admin); err != nil {
			return nil, err
		}
	}
	for _, r := range p.platform.withoutPlatformRoles(roles) {
		if _, err := admin.Exec(ctx, "CREATE ROLE "+pgx.Identifier{r}.Sanitize()+" NOLOGIN"); err != nil {
			return nil, fmt.Errorf("creating role %s that the migrations grant to: %w", r, err)
		}
	}

	target := &pgsession.Target{Config: server.Config.Copy()}
	target.Config.Database = name
	if err := p.platform.layBase(ctx, target, opts.DevDB != nil); err != nil {
		return nil, err
	}
	if err := applyOn(ctx, target, p); err != nil {
		return nil, err
	}
	res, err := derive.Snapshot(ctx, target, opts.Selection, opts.Introspect)
	if err != nil {
		return nil, err
	}
	return &Result{SnapshotResult: res, Where: where}, nil
}

// applyOn opens a session of its own on the temporary database, applies
// the plan and closes the session, so that the database can be dropped.
func applyOn(ctx context.Context, t *pgsession.Target, p *Plan) error {
	conn, err := pgx.ConnectConfig(ctx, t.Config)
	if err != nil {
		return fmt.Errorf("connecting to the temporary database: %w", err)
	}
	defer conn.Close(context.WithoutCancel(ctx))
	return Apply(ctx, conn.PgConn(), p)
}

// canCreateDatabase refuses a role that may not create databases, before
// anything is made.
func canCreateDatabase(ctx context.Context, admin *pgx.Conn, server *pgsession.Target) error {
	var user string
	var ok bool
	err := admin.QueryRow(ctx, "SELECT current_user, rolsuper OR rolcreatedb FROM pg_catalog.pg_roles WHERE rolname = current_user").Scan(&user, &ok)
	if err != nil {
		return fmt.Errorf("reading the role's privileges: %w", err)
	}
	if !ok {
		return &DevDBError{
			Message: fmt.Sprintf("role %s cannot create databases on %s: it has neither CREATEDB nor SUPERUSER", user, server),
			Hint: fmt.Sprintf("rbacdrift creates a temporary database there, applies the migrations to it and drops it; give the role CREATEDB (ALTER ROLE %s CREATEDB) or connect as one that has it",
				pgx.Identifier{user}.Sanitize()),
		}
	}
	return nil
}

// dropDatabase drops the temporary database through a session of its own:
// the one that created it may have been closed by Ctrl-C. Other sessions
// still on it (the snapshot's, cut short) are ended first.
func dropDatabase(ctx context.Context, server *pgsession.Target, name string) error {
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	conn, err := pgx.ConnectConfig(ctx, server.Config.Copy())
	if err != nil {
		return fmt.Errorf("dropping the temporary database %s: %w", name, err)
	}
	defer conn.Close(ctx)
	ident := pgx.Identifier{name}.Sanitize()
	var v int
	if err := conn.QueryRow(ctx, "SELECT current_setting('server_version_num')::int").Scan(&v); err != nil {
		return fmt.Errorf("dropping the temporary database %s: %w", name, err)
	}
	sql := "DROP DATABASE IF EXISTS " + ident + " WITH (FORCE)"
	if v < 130000 {
		if _, err := conn.Exec(ctx, "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()", name); err != nil {
			return fmt.Errorf("dropping the temporary database %s: %w", name, err)
		}
		sql = "DROP DATABASE IF EXISTS " + ident
	}
	if _, err := conn.Exec(ctx, sql); err != nil {
		return fmt.Errorf("dropping the temporary database %s: %w", name, err)
	}
	return nil
}

func randomHex() string {
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// rolesToCreate lists the roles a throwaway cluster needs before the
// migrations run: those the migrations grant to, revoke from, make owners or
// name in policies, and those of --grants-for, but not those the migrations
// create themselves, nor PUBLIC and the like. An application's roles are
// made outside its migrations; on a fresh cluster a GRANT to one would fail.
func rolesToCreate(p *Plan, grantsFor []string) []string {
	named, created := map[string]bool{}, map[string]bool{}
	for _, m := range p.Migrations {
		for _, c := range m.Chunks {
			n, cr := roleNames(c.SQL)
			for _, r := range n {
				named[r] = true
			}
			for _, r := range cr {
				created[r] = true
			}
		}
	}
	for _, r := range grantsFor {
		named[r] = true
	}
	var out []string
	for r := range named {
		switch strings.ToLower(r) {
		case "public", "postgres", "current_user", "session_user", "current_role":
			continue
		}
		if !created[r] && !strings.HasPrefix(r, "pg_") {
			out = append(out, r)
		}
	}
	slices.Sort(out)
	return out
}
