package introspect

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/rbacdrift/rbacdrift/internal/pgsession"
)

// queryLockHolders lists the relations of the current database that other
// sessions hold in ACCESS EXCLUSIVE mode, the only mode that blocks a
// reader, with what pg_stat_activity shows of the holders (never their
// query text, which may hold anything). Reading pg_locks takes no relation
// lock, so this query cannot wait behind the lock it reports.
const queryLockHolders = `
SELECT l.relation::pg_catalog.regclass::text, l.mode, l.pid,
       coalesce(a.application_name, ''), coalesce(a.state, ''),
       extract(epoch FROM now() - a.xact_start)::float8
FROM pg_catalog.pg_locks l
LEFT JOIN pg_catalog.pg_stat_activity a ON a.pid = l.pid
WHERE l.locktype = 'relation' AND l.granted AND l.mode = 'AccessExclusiveLock'
  AND l.pid <> pg_catalog.pg_backend_pid()
  AND l.database = (SELECT oid FROM pg_catalog.pg_database WHERE datname = current_database())
ORDER BY 1, 3
LIMIT 10`

// A LockHolder is a session that holds a lock a statement waited for.
type LockHolder struct {
	Relation    string // as regclass renders it: qualified when not on the search_path
	Mode        string // like ACCESS EXCLUSIVE
	PID         int
	Application string         // application_name, when the role may see it
	State       string         // idle in transaction, active ...; "" when hidden
	InTx        *time.Duration // how long its transaction has been open, when shown
}

// A LockWaitError means a statement gave up waiting for a lock another
// session holds (lock_timeout, SQLSTATE 55P03). Holders names the relations
// and the sessions, as far as pg_locks shows them.
type LockWaitError struct {
	Err     error
	Holders []LockHolder
}

func (e *LockWaitError) Error() string {
	if len(e.Holders) == 0 {
		return e.Err.Error() + "; another session held a lock it needed, and has released it since"
	}
	var parts []string
	for _, h := range e.Holders {
		who := fmt.Sprintf("pid %d", h.PID)
		if h.Application != "" {
			who += ", " + h.Application
		}
		if h.State != "" {
			who += ", " + h.State
		}
		if h.InTx != nil {
			who += fmt.Sprintf(", in a transaction for %s", h.InTx.Round(time.Second))
		}
		parts = append(parts, fmt.Sprintf("%s is locked %s by another session (%s)", h.Relation, h.Mode, who))
	}
	return e.Err.Error() + "; " + strings.Join(parts, "; ")
}

func (e *LockWaitError) Unwrap() error { return e.Err }

// DescribeLockWait returns err as a [*LockWaitError] naming the locked
// relations and their holders when err is a lock timeout (55P03), and err
// unchanged otherwise or when the context has ended.
func DescribeLockWait(ctx context.Context, conn *pgsession.Session, err error) error {
	var pgErr *pgconn.PgError
	if !errors.As(err, &pgErr) || pgErr.Code != "55P03" || ctx.Err() != nil || conn.Closed() {
		return err
	}
	var holders []LockHolder
	qerr := conn.Read(ctx, func(q *pgsession.Queue) { q.Query(queryLockHolders) }, func(r *pgsession.Results) error {
		rows, err := r.Query()
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var h LockHolder
			var secs *float64
			if err := rows.Scan(&h.Relation, &h.Mode, &h.PID, &h.Application, &h.State, &secs); err != nil {
				return err
			}
			h.Mode = lockModeName(h.Mode)
			if secs != nil {
				d := time.Duration(*secs * float64(time.Second))
				h.InTx = &d
			}
			holders = append(holders, h)
		}
		return rows.Err()
	})
	if qerr != nil {
		return err
	}
	return &LockWaitError{Err: err, Holders: holders}
}

var lockWordRE = regexp.MustCompile(`[A-Z][a-z]*`)

// lockModeName turns pg_locks' AccessExclusiveLock into ACCESS EXCLUSIVE,
// the name LOCK TABLE and the documentation use.
func lockModeName(mode string) string {
	words := lockWordRE.FindAllString(strings.TrimSuffix(mode, "Lock"), -1)
	return strings.ToUpper(strings.Join(words, " "))
}
