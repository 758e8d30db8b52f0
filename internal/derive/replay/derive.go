package replay

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"
	"strconv"
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
	// Selection and Introspect are those of a live snapshot. Introspect's
	// Timeout also bounds each statement of the migrations.
	Selection  introspect.Selection
	Introspect pgsession.Options
	// ApplyTimeout bounds the whole application of the migrations; zero
	// means [ApplyTimeoutFactor] times Introspect.Timeout (or 5 minutes).
	ApplyTimeout time.Duration
}

// ApplyTimeoutFactor: unless [Options] says otherwise, the migrations
// together may take this many times the limit of one statement.
const ApplyTimeoutFactor = 10

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

// MigratorPrefix starts the name of the role [Derive] creates for each run
// to apply the migrations as.
const MigratorPrefix = "rbacdrift_migrator_"

// Derive applies the plan to a new, empty database, snapshots it as
// [derive.Snapshot] snapshots a live one, and drops the database (and, for
// a throwaway cluster, the cluster) whatever happens, Ctrl-C included.
//
// The migrations run, and the snapshot reads, as a role made for the run
// (see [MigratorPrefix]) that owns the database and nothing else: no
// superuser, no CREATEDB, no replication, no BYPASSRLS, and CREATEROLE only
// on PostgreSQL 16 and later, where it covers only the roles it creates.
// After the database, the roles the run made are dropped, the migrator and
// the roles it created included.
func Derive(ctx context.Context, p *Plan, opts Options) (_ *Result, err error) {
	server := opts.DevDB
	where := ""
	roles := rolesToCreate(p, opts.Selection.Roles)
	if server == nil {
		c, err := pgserver.Start(ctx, pgserver.Options{})
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
		roles = nil // roles the run does not create are never made on someone else's server
	}

	admin, err := pgx.ConnectConfig(ctx, server.Config.Copy())
	if err != nil {
		return nil, err
	}
	defer admin.Close(context.WithoutCancel(ctx))
	super, err := canCreateDatabase(ctx, admin, server)
	if err != nil {
		return nil, err
	}
	var version int
	if err := admin.QueryRow(ctx, "SELECT current_setting('server_version_num')::int").Scan(&version); err != nil {
		return nil, fmt.Errorf("reading the server's version: %w", err)
	}
	suffix := randomHex()
	m := &migrator{name: MigratorPrefix + suffix, password: randomHex() + randomHex(), version: version}
	if err := m.create(ctx, admin, super); err != nil {
		return nil, err
	}
	defer func() { err = errors.Join(err, m.drop(context.WithoutCancel(ctx), server, super)) }()
	name := TempPrefix + suffix
	if testHookNames != nil {
		testHookNames(name, m.name)
	}
	if _, err := admin.Exec(ctx, createDatabase(name, m.name, opts)); err != nil {
		return nil, fmt.Errorf("creating the temporary database %s: %w", name, err)
	}
	defer func() { err = errors.Join(err, dropDatabase(context.WithoutCancel(ctx), server, name)) }()
	if opts.DevDB == nil {
		if err := p.platform.layRoles(ctx, admin, m.name); err != nil {
			return nil, err
		}
	}
	for _, r := range p.platform.withoutPlatformRoles(roles) {
		ident := pgx.Identifier{r}.Sanitize()
		if _, err := admin.Exec(ctx, "CREATE ROLE "+ident+" NOLOGIN"); err != nil {
			return nil, fmt.Errorf("creating role %s that the migrations grant to: %w", r, err)
		}
		// The migrator may grant it, make it an owner and grant to it.
		if _, err := admin.Exec(ctx, "GRANT "+ident+" TO "+pgx.Identifier{m.name}.Sanitize()+" WITH ADMIN OPTION"); err != nil {
			return nil, fmt.Errorf("letting the migrations use role %s: %w", r, err)
		}
	}

	// The platform's base is laid down by the superuser, before the
	// migrator takes over.
	superTarget := &pgsession.Target{Config: server.Config.Copy()}
	superTarget.Config.Database = name
	if err := p.platform.layBase(ctx, superTarget, opts.DevDB != nil); err != nil {
		return nil, err
	}
	target := m.target(server, name, opts.Introspect.Timeout)
	budget := opts.ApplyTimeout
	if budget <= 0 {
		budget = 5 * time.Minute
		if opts.Introspect.Timeout > 0 {
			budget = ApplyTimeoutFactor * opts.Introspect.Timeout
		}
	}
	if err := applyOn(ctx, target, p, budget); err != nil {
		var ce *connectError
		if errors.As(err, &ce) && ctx.Err() == nil {
			return nil, &DevDBError{
				Message: fmt.Sprintf("the role rbacdrift made to apply the migrations, %s, cannot log in to %s: %v", m.name, where, ce.Err),
				Hint:    "rbacdrift applies the migrations as a role it creates for the run, with a password; the server's pg_hba.conf must let any role log in with a password (scram-sha-256 or md5) from where rbacdrift runs",
			}
		}
		return nil, err
	}
	res, err := derive.Snapshot(ctx, &pgsession.Target{Config: m.target(server, name, 0).Config}, opts.Selection, opts.Introspect)
	if err != nil {
		return nil, err
	}
	return &Result{SnapshotResult: res, Where: where}, nil
}

// testHookNames, when set (by tests), is told the names of the database and
// the role of each run, so that a test can tell its run's leftovers from
// those of others on a shared server.
var testHookNames func(database, migrator string)

// A migrator is the role of one run: it logs in with a random password,
// owns the scratch database, and is dropped with every role it created.
type migrator struct {
	name, password string
	version        int // server_version_num
}

// canCreateRoles: from PostgreSQL 16, CREATEROLE lets a role create roles
// and administer only those; before, it could grant itself any role that is
// not a superuser, pg_execute_server_program included, so the migrator
// never has it there.
func (m *migrator) canCreateRoles() bool { return m.version >= 160000 }

func (m *migrator) create(ctx context.Context, admin *pgx.Conn, super bool) error {
	attrs := "LOGIN NOSUPERUSER NOCREATEDB NOREPLICATION NOBYPASSRLS"
	if m.canCreateRoles() {
		attrs += " CREATEROLE"
	}
	ident := pgx.Identifier{m.name}.Sanitize()
	// The password is hex digits: nothing to escape.
	if _, err := admin.Exec(ctx, "CREATE ROLE "+ident+" "+attrs+" PASSWORD '"+m.password+"'"); err != nil {
		return fmt.Errorf("creating the role that applies the migrations, %s: %w", m.name, err)
	}
	if !super {
		// A role that is not a superuser makes the database owned by
		// another only as a member of it.
		if _, err := admin.Exec(ctx, "GRANT "+ident+" TO CURRENT_USER"); err != nil {
			return errors.Join(fmt.Errorf("making the migrator's database: %w", err), m.dropRole(context.WithoutCancel(ctx), admin))
		}
	}
	return nil
}

// target returns the migrator's connection to the database name;
// statementTimeout, when not zero, bounds each statement, a lock wait and an
// idle transaction, and (PostgreSQL 14+) has the server check every so often
// that the client is still there, so that a statement outlives neither its
// limit nor a killed rbacdrift.
func (m *migrator) target(server *pgsession.Target, name string, statementTimeout time.Duration) *pgsession.Target {
	cfg := server.Config.Copy()
	cfg.Database, cfg.User, cfg.Password = name, m.name, m.password
	cfg.RuntimeParams = map[string]string{"application_name": "rbacdrift migrations"}
	if statementTimeout > 0 {
		ms := strconv.FormatInt(statementTimeout.Milliseconds(), 10)
		cfg.RuntimeParams["statement_timeout"] = ms
		cfg.RuntimeParams["lock_timeout"] = ms
		cfg.RuntimeParams["idle_in_transaction_session_timeout"] = ms
		if m.version >= 140000 {
			cfg.RuntimeParams["client_connection_check_interval"] = "1000"
		}
	}
	if m.version >= 160000 {
		// From 16 a role's creator holds it WITH ADMIN OPTION only, and a
		// migration that creates a role and then hands it a table (ALTER
		// ... OWNER TO) must be able to SET ROLE to it, as the superuser the
		// migrations were written for could. The grant is of the roles the
		// migrator itself creates, nothing else.
		cfg.RuntimeParams["createrole_self_grant"] = "set, inherit"
	}
	return &pgsession.Target{Config: cfg}
}

// drop drops the roles the migrator created (those it holds with ADMIN
// OPTION: from PostgreSQL 16 a role's creator gets that grant), then the
// migrator. It runs after the database is dropped, so nothing the roles own
// is left. A superuser drops them; any other role may not drop what it does
// not administer, so the migrator drops its own roles first.
func (m *migrator) drop(ctx context.Context, server *pgsession.Target, super bool) error {
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	admin, err := pgx.ConnectConfig(ctx, server.Config.Copy())
	if err != nil {
		return fmt.Errorf("dropping the roles of the run: %w", err)
	}
	defer admin.Close(ctx)
	rows, _ := admin.Query(ctx, `SELECT r.rolname FROM pg_catalog.pg_auth_members a
		JOIN pg_catalog.pg_roles r ON r.oid = a.roleid JOIN pg_catalog.pg_roles g ON g.oid = a.member
		WHERE g.rolname = $1 AND a.admin_option ORDER BY 1`, m.name)
	made, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return fmt.Errorf("listing the roles of the run: %w", err)
	}
	if len(made) > 0 {
		dropper := admin
		if !super {
			cfg := server.Config.Copy()
			cfg.User, cfg.Password = m.name, m.password
			c, err := pgx.ConnectConfig(ctx, cfg)
			if err != nil {
				return fmt.Errorf("dropping the roles the migrations created (%s): %w", strings.Join(made, ", "), err)
			}
			defer c.Close(ctx)
			dropper = c
		}
		for _, r := range made {
			if _, err := dropper.Exec(ctx, "DROP ROLE IF EXISTS "+pgx.Identifier{r}.Sanitize()); err != nil {
				return fmt.Errorf("dropping role %s, which the migrations created: %w", r, err)
			}
		}
	}
	return m.dropRole(ctx, admin)
}

func (m *migrator) dropRole(ctx context.Context, admin *pgx.Conn) error {
	if _, err := admin.Exec(ctx, "DROP ROLE IF EXISTS "+pgx.Identifier{m.name}.Sanitize()); err != nil {
		return fmt.Errorf("dropping the role that applied the migrations, %s: %w", m.name, err)
	}
	return nil
}

// applyOn opens a session of its own on the temporary database, applies
// the plan and closes the session, so that the database can be dropped.
func applyOn(ctx context.Context, t *pgsession.Target, p *Plan, budget time.Duration) error {
	conn, err := pgx.ConnectConfig(ctx, t.Config)
	if err != nil {
		return &connectError{Err: err}
	}
	defer conn.Close(context.WithoutCancel(ctx))
	actx, cancel := context.WithTimeout(ctx, budget)
	defer cancel()
	err = Apply(actx, conn.PgConn(), p)
	var me *MigrationError
	if err != nil && ctx.Err() == nil && errors.Is(actx.Err(), context.DeadlineExceeded) && errors.As(err, &me) {
		me.Err = &TimeoutError{Limit: budget, Err: me.Err}
	}
	return err
}

// A connectError says that the migrator could not log in.
type connectError struct{ Err error }

func (e *connectError) Error() string {
	return "connecting to the temporary database: " + e.Err.Error()
}

func (e *connectError) Unwrap() error { return e.Err }

// A TimeoutError says that the migrations together ran longer than their
// limit ([Options.ApplyTimeout]); the statement in flight was cancelled.
type TimeoutError struct {
	Limit time.Duration
	Err   error
}

func (e *TimeoutError) Error() string {
	return fmt.Sprintf("the migrations ran longer than %s, the limit for all of them, and were stopped", e.Limit)
}

func (e *TimeoutError) Unwrap() error { return e.Err }

// canCreateDatabase refuses a role that may not create databases, before
// anything is made.
// canCreateDatabase refuses a role that may not create databases and the
// role that applies the migrations, before anything is made; it says
// whether the role is a superuser.
func canCreateDatabase(ctx context.Context, admin *pgx.Conn, server *pgsession.Target) (super bool, err error) {
	var user string
	var createdb, createrole bool
	err = admin.QueryRow(ctx, "SELECT current_user, rolsuper, rolsuper OR rolcreatedb, rolsuper OR rolcreaterole FROM pg_catalog.pg_roles WHERE rolname = current_user").Scan(&user, &super, &createdb, &createrole)
	if err != nil {
		return false, fmt.Errorf("reading the role's privileges: %w", err)
	}
	ident := pgx.Identifier{user}.Sanitize()
	if !createdb {
		return false, &DevDBError{
			Message: fmt.Sprintf("role %s cannot create databases on %s: it has neither CREATEDB nor SUPERUSER", user, server),
			Hint:    fmt.Sprintf("rbacdrift creates a temporary database there, and a role to apply the migrations as, and drops both; give the role CREATEDB and CREATEROLE (ALTER ROLE %s CREATEDB CREATEROLE) or connect as one that has them", ident),
		}
	}
	if !createrole {
		return false, &DevDBError{
			Message: fmt.Sprintf("role %s cannot create roles on %s: it has neither CREATEROLE nor SUPERUSER", user, server),
			Hint:    fmt.Sprintf("rbacdrift applies the migrations as a role it creates for the run, without superuser rights, and drops it after; give the role CREATEROLE (ALTER ROLE %s CREATEROLE) or connect as one that has it", ident),
		}
	}
	return super, nil
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
