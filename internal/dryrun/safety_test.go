package dryrun_test

import (
	"bytes"
	"context"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgproto3"
	"github.com/rbacdrift/rbacdrift/drift"
	"github.com/rbacdrift/rbacdrift/internal/dryrun"
	"github.com/rbacdrift/rbacdrift/internal/testutil/pgtest"
	"github.com/rbacdrift/rbacdrift/spec"
)

// snapshot reads every row and sequence state the write-shaped queries of
// writes.yaml could touch.
func snapshot(t *testing.T, db *pgtest.DB) map[string]string {
	t.Helper()
	conn := db.Conn(t)
	out := map[string]string{}
	for _, table := range []string{"users", "roles", "permissions", "user_roles", "role_permissions", "audit_log"} {
		var s string
		err := conn.QueryRow(context.Background(),
			"SELECT count(*) || ' ' || coalesce(md5(string_agg(t::text, ',' ORDER BY t::text)), '') FROM "+table+" t").Scan(&s)
		if err != nil {
			t.Fatalf("reading %s: %v", table, err)
		}
		out[table] = s
	}
	for _, seq := range []string{"roles_id_seq", "audit_log_id_seq"} {
		var s string
		if err := conn.QueryRow(context.Background(), "SELECT last_value || ' ' || is_called FROM "+seq).Scan(&s); err != nil {
			t.Fatalf("reading %s: %v", seq, err)
		}
		out[seq] = s
	}
	return out
}

// A frontend message, as pgproto3's tracer writes it.
type message struct{ typ, detail string }

func frontendMessages(trace string) []message {
	var out []message
	for _, line := range strings.Split(trace, "\n") {
		f := strings.SplitN(line, "\t", 4)
		if len(f) == 4 && f[0] == "F" {
			out = append(out, message{typ: f[1], detail: strings.TrimSpace(f[3])})
		}
	}
	return out
}

// TestWritesNothing dry-runs statements that would write (INSERT, UPDATE,
// DELETE, and a sample that calls a writing function) and checks, from the
// protocol messages the client sent, that every statement of the
// application's ran inside BEGIN READ ONLY ... ROLLBACK, and, from the
// tables, that nothing changed.
func TestWritesNothing(t *testing.T) {
	t.Parallel()
	db := pgtest.NewDB(t)
	setup(t, db, nil, normalised, "dryrun/writes.sql")
	before := snapshot(t, db)

	conn := connect(t, db.URL)
	var trace bytes.Buffer
	conn.PgConn().Frontend().Trace(&trace, pgproto3.TracerOptions{SuppressTimestamps: true})
	m := loadModel(t, "dryrun/writes.yaml")
	fs := dryRun(t, conn, m, "")
	conn.PgConn().Frontend().Untrace()

	want := []got{{"query-error", drift.Error, "query:audited_read", "25006", "writes.yaml:21:7"}}
	if diff := cmp.Diff(want, summarize(fs)); diff != "" {
		t.Errorf("findings (-want +got):\n%s\nall:\n%s", diff, render(fs))
	}
	if diff := cmp.Diff(before, snapshot(t, db)); diff != "" {
		t.Errorf("the dry run changed the database (-before +after):\n%s", diff)
	}
	var left int
	if err := conn.QueryRow(context.Background(), "SELECT count(*) FROM pg_prepared_statements").Scan(&left); err != nil || left != 0 {
		t.Errorf("prepared statements left on the session: %d (%v)", left, err)
	}

	appSQL := map[string]bool{}
	for _, q := range m.Queries {
		appSQL[strconv.Quote(q.SQL)] = true
	}
	inTx, begins, rollbacks, appStatements := false, 0, 0, 0
	for _, msg := range frontendMessages(trace.String()) {
		app := false
		if msg.typ == "Parse" {
			// The catalog reads are units of their own, sent as unnamed
			// statements: BEGIN READ ONLY ... ROLLBACK in one pipeline.
			switch _, rest, _ := strings.Cut(msg.detail, " "); {
			case strings.HasPrefix(rest, `"BEGIN READ ONLY"`):
				if inTx {
					t.Errorf("BEGIN inside a transaction")
				}
				inTx = true
				begins++
			case strings.HasPrefix(rest, `"ROLLBACK"`):
				inTx = false
				rollbacks++
			case strings.HasPrefix(rest, `"SELECT`) && !inTx:
				t.Errorf("catalog read outside a read-only transaction: %s", msg.detail)
			}
		}
		switch msg.typ {
		case "Close":
			if !inTx {
				t.Errorf("%s %s after the transaction: a pooler may have handed the connection on", msg.typ, msg.detail)
			}
		case "Query":
			switch {
			case strings.HasPrefix(msg.detail, `"BEGIN`):
				if !strings.HasPrefix(msg.detail, `"BEGIN READ ONLY;`) || inTx {
					t.Errorf("transaction opened as %s (in a transaction already: %v)", msg.detail, inTx)
				}
				inTx = true
				begins++
			case msg.detail == `"ROLLBACK"`:
				if !inTx {
					t.Errorf("ROLLBACK outside a transaction")
				}
				inTx = false
				rollbacks++
			case strings.Contains(strings.ToUpper(msg.detail), "COMMIT"):
				t.Errorf("the dry run sent %s", msg.detail)
			case strings.HasPrefix(msg.detail, `"EXPLAIN`):
				app = true
			}
		case "Parse":
			name, rest, _ := strings.Cut(msg.detail, " ")
			// The EXPLAIN goes as an unnamed statement in the query's
			// pipeline, as a simple Query when sent on its own.
			app = strings.HasPrefix(rest, `"EXPLAIN`)
			for q := range appSQL {
				if strings.HasPrefix(rest, q) {
					app = true
				}
			}
			app = app || name == strconv.Quote(dryrun.StatementName)
		case "Bind":
			app = strings.Contains(msg.detail, strconv.Quote(dryrun.StatementName))
		}
		if app {
			appStatements++
			if !inTx {
				t.Errorf("%s %s sent outside a read-only transaction", msg.typ, msg.detail)
			}
		}
	}
	if begins == 0 || rollbacks != begins || inTx {
		t.Errorf("%d queries: %d BEGIN READ ONLY, %d ROLLBACK; want a ROLLBACK for every BEGIN, and no transaction left open", len(m.Queries), begins, rollbacks)
	}
	// Each query is parsed and explained; the two samples are bound and run.
	if want := 2*len(m.Queries) + 2; appStatements != want {
		t.Errorf("%d application statements sent, want %d:\n%s", appStatements, want, trace.String())
	}
}

// TestRunAsNeedsMembership connects as a user that is not a member of the
// application's role: the dry run says which GRANT lets it assume the role,
// and once granted, runs as that role.
func TestRunAsNeedsMembership(t *testing.T) {
	t.Parallel()
	db := pgtest.NewDB(t)
	app := db.Role(t, "app")
	const password = "s3cret-checker-pw"
	checker := db.LoginRole(t, "checker", password)
	setup(t, db, nil, normalised)
	db.Exec(t, "GRANT SELECT ON users, roles, permissions, user_roles, role_permissions TO "+app)
	m := loadModel(t, "dryrun/resolve.yaml")

	fs := dryRun(t, connect(t, db.URLAs(checker, password)), m, app)
	want := []got{
		{"run-as-unavailable", drift.Error, "query:resolve_user_permissions", "", "resolve.yaml:4:3"},
		{"run-as-unavailable", drift.Error, "query:list_role_permissions", "", "resolve.yaml:12:3"},
	}
	if diff := cmp.Diff(want, summarize(fs)); diff != "" {
		t.Fatalf("findings (-want +got):\n%s", diff)
	}
	wantMsg := "resolve_user_permissions cannot be dry-run as " + app + ": the connecting user " + checker + " cannot assume that role"
	wantHint := "GRANT " + app + " TO " + checker + ", so that the checker can SET ROLE " + app + "; or connect as the application's own user"
	if diff := cmp.Diff([]string{wantMsg, wantHint}, []string{fs[0].Message, fs[0].Hint}); diff != "" {
		t.Errorf("message and hint (-want +got):\n%s", diff)
	}
	if strings.Contains(render(fs), password) {
		t.Errorf("a finding shows the password:\n%s", render(fs))
	}

	db.Exec(t, "GRANT "+app+" TO "+checker)
	if fs := dryRun(t, connect(t, db.URLAs(checker, password)), m, app); len(fs) != 0 {
		t.Errorf("after GRANT %s TO %s, want no findings, got:\n%s", app, checker, render(fs))
	}
}

// TestNoLockOutlivesTheDryRun dry-runs a sampled query that takes a
// session-level advisory lock, and one whose STABLE function takes another
// while the planner estimates it during EXPLAIN: both survive ROLLBACK, so
// the unit of work must release them. Run directly, and through PgBouncer in
// transaction mode with one server connection, whose next client would
// inherit them.
func TestNoLockOutlivesTheDryRun(t *testing.T) {
	t.Parallel()
	m, err := spec.Parse("locks.yaml", []byte(`version: 1
queries:
  sampled_lock:
    sql: SELECT pg_catalog.pg_advisory_lock(42)
    sample:
      args: []
      expect: any
  planned_lock:
    sql: SELECT id FROM items WHERE id = lock_during_plan()
`))
	if err != nil {
		t.Fatal(err)
	}
	pooler := pgtest.StartPgBouncer(t, pgtest.PgBouncerOptions{PoolMode: "transaction", PoolSize: 1})
	for _, via := range []string{"direct", "pooler"} {
		t.Run(via, func(t *testing.T) {
			db := pgtest.NewDB(t)
			db.Exec(t, `CREATE TABLE items (id int);
				CREATE FUNCTION lock_during_plan() RETURNS int LANGUAGE plpgsql STABLE
				AS $$ BEGIN PERFORM pg_catalog.pg_advisory_lock(7); RETURN 1; END $$`)
			url := db.URL
			if via == "pooler" {
				url = pooler.URL(db.Name, "postgres", "")
			}
			if fs := dryRun(t, connect(t, url), m, ""); len(fs) != 0 {
				t.Fatalf("findings, want none (the queries must run to take their locks):\n%s", render(fs))
			}
			ctx := context.Background()
			var held int
			err := db.Conn(t).QueryRow(ctx, `SELECT count(*) FROM pg_catalog.pg_locks l
				JOIN pg_catalog.pg_database d ON d.oid = l.database
				WHERE l.locktype = 'advisory' AND d.datname = current_database()`).Scan(&held)
			if err != nil {
				t.Fatal(err)
			}
			if held != 0 {
				t.Errorf("%d advisory locks outlive the dry run", held)
			}
			if via != "pooler" {
				return
			}
			next := connect(t, url) // the pool's one server connection, handed on
			var mine int
			err = next.QueryRow(ctx, `SELECT count(*) FROM pg_catalog.pg_locks
				WHERE locktype = 'advisory' AND pid = pg_catalog.pg_backend_pid()`, pgx.QueryExecModeSimpleProtocol).Scan(&mine)
			if err != nil {
				t.Fatal(err)
			}
			if mine != 0 {
				t.Errorf("the next client of the pool inherits %d advisory locks", mine)
			}
		})
	}
}
