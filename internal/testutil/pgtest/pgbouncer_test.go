//go:build unix

package pgtest

import (
	"context"
	"errors"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

// connectVia opens a connection that sends no named statement, so that it
// works through a transaction pooler, with the given startup parameters.
func connectVia(t *testing.T, url string, params map[string]string) (*pgx.Conn, error) {
	t.Helper()
	cfg, err := pgx.ParseConfig(url)
	if err != nil {
		t.Fatal(err)
	}
	cfg.DefaultQueryExecMode = pgx.QueryExecModeSimpleProtocol
	for k, v := range params {
		cfg.RuntimeParams[k] = v
	}
	conn, err := pgx.ConnectConfig(t.Context(), cfg)
	if err == nil {
		t.Cleanup(func() { conn.Close(context.Background()) })
	}
	return conn, err
}

// TestStartPgBouncer starts a pooler in each mode and queries a test
// database through it: the queries reach the database, PgBouncer refuses a
// startup parameter it was not told to ignore and drops one it was, and the
// pool is shared (transaction mode) or held by one client (session mode).
func TestStartPgBouncer(t *testing.T) {
	t.Parallel()
	db := NewDB(t)
	db.Exec(t, "CREATE TABLE t (id int); INSERT INTO t VALUES (42)")
	for _, mode := range []string{"session", "transaction"} {
		t.Run(mode, func(t *testing.T) {
			t.Parallel()
			b := StartPgBouncer(t, PgBouncerOptions{PoolMode: mode, PoolSize: 1})
			if b.PoolMode != mode || b.Port == 0 {
				t.Fatalf("PgBouncer %+v, want pool mode %s and a port", b, mode)
			}
			if _, err := os.Stat(b.Dir); err != nil {
				t.Fatal(err)
			}
			url := b.URL(db.Name, "", "")
			if !strings.HasPrefix(url, "postgres://") || !strings.HasSuffix(url, "/"+db.Name+"?sslmode=disable") {
				t.Errorf("URL = %s", url)
			}
			conn, err := connectVia(t, url, nil)
			if err != nil {
				t.Fatalf("connecting through pgbouncer: %v\n%s", err, b.Log())
			}
			var name string
			var id int
			if err := conn.QueryRow(t.Context(), "SELECT current_database(), (SELECT id FROM t)").Scan(&name, &id); err != nil {
				t.Fatal(err)
			}
			if name != db.Name || id != 42 {
				t.Errorf("through pgbouncer: database %s, id %d; want %s, 42", name, id, db.Name)
			}

			// Refused: PgBouncer's own error, so it is PgBouncer that answers.
			_, err = connectVia(t, url, map[string]string{"statement_timeout": "1000"})
			var pgErr *pgconn.PgError
			if !errors.As(err, &pgErr) || pgErr.Code != "08P01" || !strings.Contains(pgErr.Message, "unsupported startup parameter") {
				t.Errorf("a startup parameter not ignored: %v; want 08P01 unsupported startup parameter", err)
			}

			// One server connection: a second client gets the same backend
			// in transaction pooling, and waits for the first to leave in
			// session pooling.
			var pid1, pid2 int
			if err := conn.QueryRow(t.Context(), "SELECT pg_backend_pid()").Scan(&pid1); err != nil {
				t.Fatal(err)
			}
			if mode == "session" {
				conn.Close(t.Context())
			}
			other, err := connectVia(t, url, nil)
			if err != nil {
				t.Fatal(err)
			}
			if err := other.QueryRow(t.Context(), "SELECT pg_backend_pid()").Scan(&pid2); err != nil {
				t.Fatal(err)
			}
			if pid1 != pid2 {
				t.Errorf("with a pool of 1 the second client got backend %d, the first %d", pid2, pid1)
			}
		})
	}

	t.Run("ignore_startup_parameters", func(t *testing.T) {
		t.Parallel()
		b := StartPgBouncer(t, PgBouncerOptions{PoolMode: "transaction", IgnoreStartupParameters: []string{"statement_timeout", "jit"}})
		conn, err := connectVia(t, b.URL(db.Name, "", ""), map[string]string{"statement_timeout": "1234", "jit": "off"})
		if err != nil {
			t.Fatalf("ignored startup parameters refused: %v\n%s", err, b.Log())
		}
		var st, jit string
		if err := conn.QueryRow(t.Context(), "SELECT current_setting('statement_timeout'), current_setting('jit')").Scan(&st, &jit); err != nil {
			t.Fatal(err)
		}
		if st == "1234ms" || st == "1234" {
			t.Errorf("statement_timeout = %s: PgBouncer passed on a parameter it was told to ignore", st)
		}
	})
}

// TestPgBouncerStop: Stop ends the process, with its server connections, and
// removes its directory.
func TestPgBouncerStop(t *testing.T) {
	t.Parallel()
	db := NewDB(t)
	b := StartPgBouncer(t, PgBouncerOptions{PoolMode: "transaction"})
	conn, err := connectVia(t, b.URL(db.Name, "", ""), nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := conn.Exec(t.Context(), "SELECT 1"); err != nil {
		t.Fatal(err)
	}
	b.Stop()
	if _, err := os.Stat(b.Dir); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("directory %s after Stop: %v", b.Dir, err)
	}
	if _, err := conn.Exec(t.Context(), "SELECT 1"); err == nil {
		t.Error("a query through a stopped pgbouncer succeeded")
	}
	// The backends end when they see their socket close.
	admin := db.Conn(t)
	deadline := time.Now().Add(10 * time.Second)
	for {
		var n int
		if err := admin.QueryRow(t.Context(), `SELECT count(*) FROM pg_stat_activity
			WHERE datname = current_database() AND pid <> pg_backend_pid() AND backend_type = 'client backend'`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		if n == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d server connections of pgbouncer left 10s after Stop", n)
		}
		time.Sleep(20 * time.Millisecond)
	}
	b.Stop() // a second call does nothing
}

// TestStartPgBouncerMissing: without pgbouncer the test fails, never skips,
// and says how to install it.
func TestStartPgBouncerMissing(t *testing.T) {
	t.Setenv("PATH", t.TempDir())
	saved := pgbouncerPaths
	pgbouncerPaths = []string{"/nonexistent/pgbouncer"}
	defer func() { pgbouncerPaths = saved }()
	r := newRecorder(t)
	r.run(func(tb testing.TB) { StartPgBouncer(tb, PgBouncerOptions{}) })
	r.runCleanups()
	if !strings.Contains(r.fatal, "pgbouncer not found") || !strings.Contains(r.fatal, "apt-get install pgbouncer") {
		t.Errorf("without pgbouncer: %q; want a failure that says apt-get install pgbouncer", r.fatal)
	}
}
