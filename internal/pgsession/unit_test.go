package pgsession_test

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/rbacdrift/rbacdrift/internal/pgsession"
	"github.com/rbacdrift/rbacdrift/internal/testutil/pgtest"
)

// openSession opens a session on url as the command does.
func openSession(t *testing.T, url string, opts pgsession.Options) *pgsession.Session {
	t.Helper()
	target, err := pgsession.ParseTarget(url)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	s, err := pgsession.Open(ctx, target, opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close(context.Background()) })
	return s
}

// advisoryLocks counts the advisory locks held in db's database, as another
// session sees them.
func advisoryLocks(t *testing.T, db *pgtest.DB) int {
	t.Helper()
	var n int
	err := db.Conn(t).QueryRow(context.Background(),
		`SELECT count(*) FROM pg_catalog.pg_locks l JOIN pg_catalog.pg_database d ON d.oid = l.database
		 WHERE l.locktype = 'advisory' AND d.datname = current_database()`).Scan(&n)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// unitState is what a unit may leave on the session: the transaction
// status, prepared statements, settings and advisory locks.
func unitState(t *testing.T, s *pgsession.Session) string {
	t.Helper()
	var state string
	err := s.Read(context.Background(), func(q *pgsession.Queue) {
		q.Query(`SELECT (SELECT count(*) FROM pg_catalog.pg_prepared_statements)::text || ' ' ||
			pg_catalog.current_setting('plan_cache_mode') || ' ' || pg_catalog.current_user()::text`)
	}, func(r *pgsession.Results) error { return r.QueryRow().Scan(&state) })
	if err != nil {
		t.Fatal(err)
	}
	return state
}

// TestUnitLeavesNothing runs units that take session-level and
// transaction-level advisory locks, prepare a named statement and change
// settings and the role, then fail at each point a unit can fail, in both
// forms of a unit; after each, another session sees no advisory lock, and
// the session has no prepared statement, no changed setting and no open
// transaction.
func TestUnitLeavesNothing(t *testing.T) {
	t.Parallel()
	db := pgtest.NewDB(t)
	app := db.Role(t, "app")
	s := openSession(t, db.URL, pgsession.Options{Timeout: 10 * time.Second})
	clean := unitState(t, s)
	ctx := context.Background()
	settings := pgsession.UnitOptions{Settings: []string{"SET LOCAL plan_cache_mode = force_generic_plan"}}

	locking := func(q *pgsession.Queue) {
		q.Query("SELECT pg_catalog.set_config('role', $1, true)", app)
		q.Query("SELECT pg_catalog.pg_advisory_lock(42)")
		q.Query("SELECT pg_catalog.pg_advisory_xact_lock(43)")
		q.Prepare("rbacdrift_test", "SELECT 1", nil)
	}
	tests := []struct {
		name    string
		run     func() error
		wantErr string // SQLSTATE, "" for none
	}{
		{"pipelined, all read", func() error {
			return s.Unit(ctx, settings, locking, func(r *pgsession.Results) error {
				for range 3 {
					if _, err := r.Exec(); err != nil {
						return err
					}
				}
				_, err := r.Prepare()
				return err
			})
		}, ""},
		{"pipelined, nothing read", func() error {
			return s.Unit(ctx, settings, locking, func(r *pgsession.Results) error { return nil })
		}, ""},
		{"pipelined, an error after the lock", func() error {
			return s.Unit(ctx, settings, func(q *pgsession.Queue) {
				locking(q)
				q.Query("SELECT 1/0")
			}, func(r *pgsession.Results) error {
				for range 3 {
					if _, err := r.Exec(); err != nil {
						return err
					}
				}
				if _, err := r.Prepare(); err != nil {
					return err
				}
				_, err := r.Exec()
				return err
			})
		}, "22012"},
		{"pipelined, an error the caller does not read", func() error {
			return s.Unit(ctx, settings, func(q *pgsession.Queue) {
				locking(q)
				q.Query("SELECT 1/0")
			}, func(r *pgsession.Results) error { return nil })
		}, "22012"},
		{"pipelined, an error in a setting", func() error {
			return s.Unit(ctx, pgsession.UnitOptions{Settings: []string{"SET LOCAL no_such.setting_x = 1; SELECT 1"}}, locking,
				func(r *pgsession.Results) error { return nil })
		}, "42601"},
		{"parts, an error in the middle part", func() error {
			return s.Parts(ctx, settings, 3, func(i int, q *pgsession.Queue) {
				locking(q)
				if i == 1 {
					q.Query("SELECT 1/0")
				}
			}, func(i int, r *pgsession.Results) error {
				for range 3 {
					if _, err := r.Exec(); err != nil {
						return err
					}
				}
				if _, err := r.Prepare(); err != nil {
					return err
				}
				if i == 1 {
					_, err := r.Exec()
					var pgErr *pgconn.PgError
					if !errors.As(err, &pgErr) || pgErr.Code != "22012" {
						return fmt.Errorf("part 2: %v, want 22012", err)
					}
				}
				return nil
			})
		}, ""},
		{"parts, nothing read", func() error {
			return s.Parts(ctx, settings, 3, func(i int, q *pgsession.Queue) { locking(q) },
				func(i int, r *pgsession.Results) error { return nil })
		}, ""},
		{"parts, an error the caller does not read", func() error {
			return s.Parts(ctx, settings, 2, func(i int, q *pgsession.Queue) {
				locking(q)
				q.Query("SELECT 1/0")
			}, func(i int, r *pgsession.Results) error { return nil })
		}, "22012"},
		{"steps", func() error {
			return s.Steps(ctx, settings, func(q pgsession.Querier) error {
				for _, sql := range []string{"SELECT pg_catalog.pg_advisory_lock(42)", "SELECT pg_catalog.pg_advisory_xact_lock(43)"} {
					rows, err := q.Query(ctx, sql)
					if err != nil {
						return err
					}
					rows.Close()
					if err := rows.Err(); err != nil {
						return err
					}
				}
				return nil
			})
		}, ""},
		{"steps, an error after the lock", func() error {
			return s.Steps(ctx, settings, func(q pgsession.Querier) error {
				for _, sql := range []string{"SELECT pg_catalog.pg_advisory_lock(42)", "SELECT 1/0"} {
					rows, err := q.Query(ctx, sql)
					if err != nil {
						return err
					}
					rows.Close()
					if err := rows.Err(); err != nil {
						return err
					}
				}
				return nil
			})
		}, "22012"},
	}
	for _, tt := range tests {
		err := tt.run()
		var pgErr *pgconn.PgError
		switch {
		case tt.wantErr == "" && err != nil:
			t.Errorf("%s: %v", tt.name, err)
		case tt.wantErr != "" && (!errors.As(err, &pgErr) || pgErr.Code != tt.wantErr):
			t.Errorf("%s: err = %v, want SQLSTATE %s", tt.name, err, tt.wantErr)
		}
		if n := advisoryLocks(t, db); n != 0 {
			t.Errorf("%s: %d advisory locks outlive the unit", tt.name, n)
		}
		if got := unitState(t, s); got != clean {
			t.Errorf("%s: the session is left as %q, want %q", tt.name, got, clean)
		}
	}
}

// TestParts runs one unit of three parts: what a part sets, prepares or
// breaks does not reach the part after it, and each part gets what is left
// of the unit's time limits when it starts, so that a part past it ends as
// its own error (57014).
func TestParts(t *testing.T) {
	t.Parallel()
	db := pgtest.NewDB(t)
	app := db.Role(t, "app")
	s := openSession(t, db.URL, pgsession.Options{Timeout: 2 * time.Second, LockTimeout: 1500 * time.Millisecond})
	clean := unitState(t, s)
	ctx := context.Background()

	type state struct {
		user, appName      string
		prepared           int
		timeout, lockLimit int // statement_timeout and lock_timeout, in ms
		err                string
	}
	const stateSQL = `SELECT current_user::text, pg_catalog.current_setting('application_name'),
		(SELECT count(*) FROM pg_catalog.pg_prepared_statements WHERE name = 'rbacdrift_test')::int,
		(pg_catalog.date_part('epoch', pg_catalog.current_setting('statement_timeout')::interval) * 1000)::int,
		(pg_catalog.date_part('epoch', pg_catalog.current_setting('lock_timeout')::interval) * 1000)::int`
	got := make([]state, 3)
	err := s.Parts(ctx, pgsession.UnitOptions{}, 3, func(i int, q *pgsession.Queue) {
		q.Query(stateSQL)
		switch i {
		case 0:
			q.Query("SELECT pg_catalog.set_config('role', $1, true)", app)
			q.Query("SELECT pg_catalog.set_config('application_name', 'part 1', true)")
			q.Prepare("rbacdrift_test", "SELECT 1", nil)
			q.Query("SELECT 1/0")
		case 1:
			q.Query("SELECT pg_catalog.pg_sleep(0.8)")
		case 2:
			q.Query("SELECT pg_catalog.pg_sleep(5)")
		}
	}, func(i int, r *pgsession.Results) error {
		g := &got[i]
		if err := r.QueryRow().Scan(&g.user, &g.appName, &g.prepared, &g.timeout, &g.lockLimit); err != nil {
			return err
		}
		n := 1
		if i == 0 {
			for range 2 {
				if _, err := r.Exec(); err != nil {
					return err
				}
			}
			if _, err := r.Prepare(); err != nil {
				return err
			}
		}
		for range n {
			if _, err := r.Exec(); err != nil {
				var pgErr *pgconn.PgError
				if !errors.As(err, &pgErr) {
					return err
				}
				g.err = pgErr.Code
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	first := got[0]
	for i, g := range got {
		if g.user != first.user || g.appName != first.appName || g.prepared != 0 {
			t.Errorf("part %d starts as %s, application_name %q, %d prepared statements; want %s, %q, 0 (what part 1 did is undone, its statement closed)",
				i+1, g.user, g.appName, g.prepared, first.user, first.appName)
		}
		if g.lockLimit != min(1500, g.timeout) {
			t.Errorf("part %d: lock_timeout %d ms with statement_timeout %d ms, want the lesser of 1500 ms and the statement_timeout", i+1, g.lockLimit, g.timeout)
		}
	}
	if first.timeout != 2000 {
		t.Errorf("part 1: statement_timeout %d ms, want the unit's 2000", first.timeout)
	}
	if got[1].timeout > 2000 || got[2].timeout > 2000-800 || got[2].timeout < 1 {
		t.Errorf("statement_timeout of parts 2 and 3: %d and %d ms; want what is left of 2000 ms (part 2 sleeps 800 ms)", got[1].timeout, got[2].timeout)
	}
	if want := []string{"22012", "", "57014"}; got[0].err != want[0] || got[1].err != want[1] || got[2].err != want[2] {
		t.Errorf("errors of the parts: %q, %q, %q; want %q", got[0].err, got[1].err, got[2].err, want)
	}
	if st := unitState(t, s); st != clean {
		t.Errorf("the session is left as %q, want %q", st, clean)
	}
}

// TestUnitThroughTransactionPooler takes a session-level advisory lock in a
// unit through PgBouncer in transaction mode, with one server connection:
// the next client of the pool must not inherit it, and no lock is held on
// the server once the unit has ended.
func TestUnitThroughTransactionPooler(t *testing.T) {
	t.Parallel()
	db := pgtest.NewDB(t)
	pooler := pgtest.StartPgBouncer(t, pgtest.PgBouncerOptions{PoolMode: "transaction", PoolSize: 1,
		IgnoreStartupParameters: []string{"default_transaction_read_only", "statement_timeout", "lock_timeout", "idle_in_transaction_session_timeout", "jit"}})
	url := pooler.URL(db.Name, "postgres", "")
	s := openSession(t, url, pgsession.Options{Timeout: 10 * time.Second})
	ctx := context.Background()
	var pid int
	err := s.Read(ctx, func(q *pgsession.Queue) {
		q.Query("SELECT pg_catalog.pg_backend_pid()")
		q.Query("SELECT pg_catalog.pg_advisory_lock(42)")
	}, func(r *pgsession.Results) error { return r.QueryRow().Scan(&pid) })
	if err != nil {
		t.Fatal(err)
	}
	if n := advisoryLocks(t, db); n != 0 {
		t.Errorf("%d advisory locks outlive the unit on the server", n)
	}

	// The next client of the pool gets the same server connection.
	cfg, err := pgx.ParseConfig(url)
	if err != nil {
		t.Fatal(err)
	}
	cfg.DefaultQueryExecMode = pgx.QueryExecModeSimpleProtocol
	next, err := pgx.ConnectConfig(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer next.Close(ctx)
	var nextPid, held int
	err = next.QueryRow(ctx, `SELECT pg_catalog.pg_backend_pid(),
		(SELECT count(*) FROM pg_catalog.pg_locks WHERE locktype = 'advisory' AND pid = pg_catalog.pg_backend_pid())::int`).Scan(&nextPid, &held)
	if err != nil {
		t.Fatal(err)
	}
	if nextPid != pid {
		t.Fatalf("the next client got server backend %d, not %d: the pool did not hand the connection on, so the test proves nothing", nextPid, pid)
	}
	if held != 0 {
		t.Errorf("the next client of the pool inherits %d advisory locks", held)
	}
}

// TestTypedErrors checks the errors a caller words for itself: a statement
// past the unit's statement_timeout is a TimeoutError with the limit, a
// server that never answers is a ConnectError of kind ConnectTimeout, and
// neither names a flag of the command.
func TestTypedErrors(t *testing.T) {
	t.Parallel()
	db := pgtest.NewDB(t)
	s := openSession(t, db.URL, pgsession.Options{Timeout: 300 * time.Millisecond})
	for _, form := range []string{"unit", "steps"} {
		var err error
		if form == "unit" {
			err = s.Read(context.Background(), func(q *pgsession.Queue) { q.Query("SELECT pg_catalog.pg_sleep(5)") },
				func(r *pgsession.Results) error { _, err := r.Exec(); return err })
		} else {
			err = s.Steps(context.Background(), pgsession.UnitOptions{}, func(q pgsession.Querier) error {
				rows, err := q.Query(context.Background(), "SELECT pg_catalog.pg_sleep(5)")
				if err != nil {
					return err
				}
				rows.Close()
				return rows.Err()
			})
		}
		var te *pgsession.TimeoutError
		if !errors.As(err, &te) || te.Limit != 300*time.Millisecond {
			t.Errorf("%s: err = %#v, want a TimeoutError with a limit of 300ms", form, err)
		} else if strings.Contains(err.Error(), "--") {
			t.Errorf("%s: %v names a flag", form, err)
		}
	}

	// A server that accepts the connection and never answers.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			defer c.Close()
		}
	}()
	target, err := pgsession.ParseTarget("postgres://app@" + ln.Addr().String() + "/db?sslmode=disable")
	if err != nil {
		t.Fatal(err)
	}
	_, err = pgsession.Open(context.Background(), target, pgsession.Options{Timeout: 300 * time.Millisecond})
	var ce *pgsession.ConnectError
	if !errors.As(err, &ce) || ce.Kind != pgsession.ConnectTimeout || strings.Contains(err.Error(), "--") {
		t.Errorf("silent server: err = %v, want a ConnectError of kind %q that names no flag", err, pgsession.ConnectTimeout)
	}
}
