package engine

import (
	"context"
	"errors"
	"fmt"
	"os"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/rbacdrift/rbacdrift/introspect"
	"github.com/rbacdrift/rbacdrift/introspect/catalog"
)

// ParseTarget resolves the connection: conn, else $DATABASE_URL, else the
// libpq environment (PGHOST, PGPORT ...). The error never holds a password.
func ParseTarget(conn string) (*introspect.Target, error) {
	if conn == "" {
		conn = os.Getenv("DATABASE_URL")
	}
	return introspect.ParseTarget(conn)
}

// What became of a session's startup settings, as [Path] reports it.
const (
	// StartupInForce: the server took them and they hold.
	StartupInForce = "in_force"
	// StartupRefused: the server or a pooler refused them; the session was
	// opened again without them.
	StartupRefused = "refused"
	// StartupIgnored: they were accepted but do not hold: a pooler that
	// ignores startup parameters (PgBouncer's ignore_startup_parameters)
	// dropped them.
	StartupIgnored = "ignored"
	// StartupNotSent: the connection was opened by someone else (the Go API).
	StartupNotSent = "not_sent"
)

// A Path says how a session kept itself read-only and bounded. Every unit of
// work runs in its own READ ONLY transaction with SET LOCAL limits whatever
// the path; the startup settings are the defence in depth on top.
type Path struct {
	// Startup is one of the Startup constants.
	Startup string
	// RefusedBecause is the refusal, when Startup is StartupRefused.
	RefusedBecause string
}

func pathOf(s *introspect.Session, srv catalog.Server) Path {
	switch {
	case s.Startup == introspect.StartupRefused:
		return Path{Startup: StartupRefused, RefusedBecause: s.RefusedBecause}
	case s.Startup == "":
		return Path{Startup: StartupNotSent}
	case !srv.ReadOnlyGuard:
		return Path{Startup: StartupIgnored}
	}
	return Path{Startup: StartupInForce}
}

// Note says what happened to the startup settings and what rbacdrift did
// about it, when that is news; "" when they are in force or not rbacdrift's.
func (p Path) Note() string {
	switch p.Startup {
	case StartupRefused:
		return "the server (or a connection pooler in front of it) refused rbacdrift's startup settings (" + p.RefusedBecause +
			"); connected again without them: every unit of work still runs in its own READ ONLY transaction with SET LOCAL limits, so the check stays read-only and bounded"
	case StartupIgnored:
		return "the session's startup settings are not in force (default_transaction_read_only is off): a connection pooler in front of the server dropped them; every unit of work still runs in its own READ ONLY transaction with SET LOCAL limits, so the check stays read-only and bounded"
	}
	return ""
}

// Describe says which path the session took, for --verbose.
func (p Path) Describe() string {
	switch p.Startup {
	case StartupInForce:
		return "session: startup settings in force (default_transaction_read_only, statement_timeout, lock_timeout, idle_in_transaction_session_timeout, jit); every unit of work in its own READ ONLY transaction with SET LOCAL limits"
	case StartupNotSent:
		return "session: a connection given by the caller; every unit of work in its own READ ONLY transaction with SET LOCAL limits"
	}
	return "session: " + p.Note()
}

// Failure kinds, which the command maps to exit codes.
const (
	FailConnect     = "connect"     // the session could not be opened
	FailCatalog     = "catalog"     // the database refused a read, or the connection broke
	FailDeadline    = "deadline"    // the run did not finish within its budget
	FailInterrupted = "interrupted" // the context was canceled (Ctrl-C)
)

// A Failure explains why a check or a snapshot could not be done.
type Failure struct {
	Kind    string // one of the Fail constants
	Message string
	Hints   []string
}

// Explain turns an error of [introspect.Open], [Check] or [Snapshot] into a
// message for a person, naming the target (without its password) and how to
// go on. ctx is the run's context: its end tells an interrupt from the
// deadline.
func Explain(ctx context.Context, t *introspect.Target, what string, err error) Failure {
	if ctx.Err() != nil && errors.Is(context.Cause(ctx), context.Canceled) {
		return Failure{Kind: FailInterrupted, Message: "interrupted"}
	}
	var ce *introspect.ConnectError
	if errors.As(err, &ce) {
		return Failure{Kind: FailConnect, Message: err.Error()}
	}
	if ctx.Err() != nil && errors.Is(context.Cause(ctx), context.DeadlineExceeded) {
		return Failure{Kind: FailDeadline, Message: fmt.Sprintf("the %s of %s did not finish in time (%v)", what, t, err),
			Hints: []string{"--timeout bounds the whole run, plus 2s; raise it, or look for slow queries and locks in pg_stat_activity and pg_locks"}}
	}
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		var hints []string
		switch pgErr.Code {
		case "57014":
			hints = append(hints, "a catalog query ran past statement_timeout; raise --timeout or look for a long lock on the catalog")
		case "55P03":
			hints = append(hints, "another session holds a lock on a table the check reads; see pg_locks")
		case "42501":
			hints = append(hints, "the connecting role cannot read the catalog; connect as a role with default catalog access")
		}
		return Failure{Kind: FailCatalog, Message: fmt.Sprintf("the database refused a catalog query on %s: %v", t, err), Hints: hints}
	}
	return Failure{Kind: FailCatalog, Message: fmt.Sprintf("reading the catalog of %s: %v", t, err)}
}
