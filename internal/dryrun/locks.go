package dryrun

import (
	"context"
	"errors"
	"strings"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/rbacdrift/rbacdrift/introspect"
)

// explainLock names the relations another session holds ACCESS EXCLUSIVE,
// and the sessions, when a query gave up waiting for a lock (55P03). The
// look-up is bounded: it reads pg_locks, which takes no lock itself.
func (r *runner) explainLock(e *pgconn.PgError) []string {
	hint := "another session holds a lock on a table the query uses (ACCESS EXCLUSIVE: a migration, VACUUM FULL, LOCK TABLE); run the check again once it has committed, or find it in pg_locks"
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	var lw *introspect.LockWaitError
	if err := introspect.DescribeLockWait(ctx, r.conn, e); errors.As(err, &lw) && len(lw.Holders) > 0 {
		return []string{strings.TrimPrefix(lw.Error(), e.Error()+"; "), "run the check again once that transaction has ended"}
	}
	return []string{hint}
}
