package check

import (
	"context"
	"errors"
	"fmt"
	"os"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/rbacdrift/rbacdrift/internal/pgsession"
)

// ParseTarget resolves the connection: conn, else $DATABASE_URL, else the
// libpq environment (PGHOST, PGPORT ...). The error never holds a password.
func ParseTarget(conn string) (*pgsession.Target, error) {
	if conn == "" {
		conn = os.Getenv("DATABASE_URL")
	}
	return pgsession.ParseTarget(conn)
}

// Failure kinds, which the command maps to exit codes.
const (
	FailConnect     = "connect"     // the session could not be opened
	FailCatalog     = "catalog"     // the database refused a read, or the connection broke
	FailDeadline    = "deadline"    // the run did not finish within its budget
	FailInterrupted = "interrupted" // the context was canceled (Ctrl-C)
	FailNotChecked  = "not-checked" // a fleet's run ended before the target's turn came
)

// A Failure explains why a check or a snapshot could not be done, in words
// that name no flag: the caller words the limits it sets from Err.
type Failure struct {
	Kind    string // one of the Fail constants
	Message string
	Hints   []string
	// Err is the cause: a [*pgsession.ConnectError] (its Kind), a
	// [*pgsession.TimeoutError] (a statement past statement_timeout), the
	// context's error (the run's deadline), a *pgconn.PgError.
	Err error
}

// Explain turns an error of [pgsession.Open], [Check] or [Snapshot] into a
// message for a person, naming the target (without its password) and how to
// go on. ctx is the run's context: its end tells an interrupt from the
// deadline.
func Explain(ctx context.Context, t *pgsession.Target, what string, err error) Failure {
	if ctx.Err() != nil && errors.Is(context.Cause(ctx), context.Canceled) {
		return Failure{Kind: FailInterrupted, Message: "interrupted", Err: err}
	}
	var ce *pgsession.ConnectError
	if errors.As(err, &ce) {
		return Failure{Kind: FailConnect, Message: err.Error(), Err: err}
	}
	if ctx.Err() != nil && errors.Is(context.Cause(ctx), context.DeadlineExceeded) {
		return Failure{Kind: FailDeadline, Message: fmt.Sprintf("the %s of %s did not finish in time (%v)", what, t, err),
			Hints: []string{"look for slow queries and locks in pg_stat_activity and pg_locks"}, Err: err}
	}
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		var hints []string
		switch pgErr.Code {
		case "57014":
			hints = append(hints, "a catalog query ran past statement_timeout; look for a long lock on the catalog")
		case "55P03":
			hints = append(hints, "another session holds a lock on a table the check reads; see pg_locks")
		case "42501":
			hints = append(hints, "the connecting role cannot read the catalog; connect as a role with default catalog access")
		}
		return Failure{Kind: FailCatalog, Message: fmt.Sprintf("the database refused a catalog query on %s: %v", t, err), Hints: hints, Err: err}
	}
	return Failure{Kind: FailCatalog, Message: fmt.Sprintf("reading the catalog of %s: %v", t, err), Err: err}
}
