package check_test

import (
	"context"
	"fmt"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/rbacdrift/rbacdrift/internal/check"
	"github.com/rbacdrift/rbacdrift/internal/pgsession"

	"github.com/jackc/pgx/v5"
	"github.com/rbacdrift/rbacdrift/bench/synth"
	"github.com/rbacdrift/rbacdrift/internal/dryrun"
	"github.com/rbacdrift/rbacdrift/internal/testutil/pgtest"
	"github.com/rbacdrift/rbacdrift/spec"
)

// The round-trip budget of a check: what it may send whatever the size of
// the model. A round trip is one flush of the client's messages followed by a
// wait for the server's answer; a pipelined batch is one.
const (
	// catalogRoundTrips: the batch of catalog queries, the maxima of the
	// serial and identity columns (one statement for them all) and the
	// describe of the declared types.
	catalogRoundTrips = 3
	// dryRunRoundTrips: once per dry run: reading the roles, and after the
	// queries the catalog facts of the relations they name, for all of them.
	dryRunRoundTrips = 2
	// queryRoundTrips: per dry.QueriesPerUnit application queries: their
	// read-only transaction in one pipeline, a part of it for each query
	// (the settings, the role, the prepare, the EXPLAIN, the sample, the
	// Close of the statement and the rollback to the part's savepoint).
	queryRoundTrips = 1
)

// TestRoundTripBudget asserts that a check sends a constant number of catalog
// queries, in a constant number of round trips, whatever the size of the
// model (1 table or 50), and that the dry run adds a fixed number per
// application query.
func TestRoundTripBudget(t *testing.T) {
	db := pgtest.NewDB(t)
	var script strings.Builder
	if err := synth.WriteSchemaSQL(&script, synth.Config{Schemas: 1, Tables: 50}, 0, 50); err != nil {
		t.Fatal(err)
	}
	db.Exec(t, script.String())
	db.ExecFile(t, "../../testdata/reference/normalised.sql")
	app := db.Role(t, "app")
	db.Exec(t, "GRANT SELECT ON users, roles, permissions, user_roles, role_permissions TO "+pgx.Identifier{app}.Sanitize())

	t.Run("catalog", func(t *testing.T) {
		small := measureCheck(t, db.URL, synthModel(t, 1))
		big := measureCheck(t, db.URL, synthModel(t, 50))
		t.Logf("1 table: %v; 50 tables: %v", small, big)
		if small != big {
			t.Errorf("a check of 50 tables costs %v, of 1 table %v: the cost must not grow with the model", big, small)
		}
		if big.roundTrips > catalogRoundTrips {
			t.Errorf("a check takes %d round trips, the budget is %d", big.roundTrips, catalogRoundTrips)
		}
	})

	t.Run("queries", func(t *testing.T) {
		k := dryrun.QueriesPerUnit
		counts := []int{0, 1, 2, 3, k, k + 1, 2*k + 1}
		costs := make([]cost, len(counts))
		for i, n := range counts {
			costs[i] = measureCheck(t, db.URL, rbacModel(app, n))
		}
		t.Logf("%v queries: %v", counts, costs)
		if costs[0].roundTrips > catalogRoundTrips {
			t.Errorf("a check without queries takes %d round trips, the budget is %d", costs[0].roundTrips, catalogRoundTrips)
		}
		// A constant for the catalog, a constant once there is a query, and
		// one for every QueriesPerUnit queries; the statements sent through
		// pgx do not grow with the queries.
		for i, n := range counts[1:] {
			c := costs[i+1]
			want := costs[0].roundTrips + dryRunRoundTrips + (n+k-1)/k*queryRoundTrips
			if c.roundTrips != want {
				t.Errorf("%d queries take %d round trips, want %d (%d for the catalog, %d per dry run, %d per %d queries)",
					n, c.roundTrips, want, costs[0].roundTrips, dryRunRoundTrips, queryRoundTrips, k)
			}
			if c.catalogQueries != costs[1].catalogQueries {
				t.Errorf("%d queries send %d statements through pgx, 1 query %d: not a constant", n, c.catalogQueries, costs[1].catalogQueries)
			}
		}
		if costs[1].roundTrips <= costs[0].roundTrips {
			t.Errorf("a query adds %d round trips: the count cannot see the dry run", costs[1].roundTrips-costs[0].roundTrips)
		}
	})
}

// A cost is what one check sent.
type cost struct {
	catalogQueries int // statements seen by the pgx tracer (queries, batch entries, prepares)
	roundTrips     int // flushes of the client followed by a wait for the server
}

func (c cost) String() string {
	return fmt.Sprintf("%d statements through pgx in %d round trips", c.catalogQueries, c.roundTrips)
}

// measureCheck runs the check the command runs, the catalog comparison and
// the dry run, on a session opened as the command opens it, and counts what
// it sends once connected. The model must be clean against the database.
func measureCheck(t *testing.T, url, model string) cost {
	t.Helper()
	m, err := spec.Parse("model.yaml", []byte(model))
	if err != nil {
		t.Fatalf("model: %v", err)
	}
	return measure(t, url, func(ctx context.Context, session *pgsession.Session) {
		res, err := check.Compare(ctx, session, m)
		if err != nil {
			t.Fatalf("Check: %v", err)
		}
		findings := res.Findings
		fs, err := dryrun.Run(ctx, session, dryrun.Input{Model: m, Catalog: res.Catalog, Types: res.Types})
		if err != nil {
			t.Fatalf("dry run: %v", err)
		}
		findings = append(findings, fs...)
		for _, f := range findings {
			t.Errorf("unexpected finding %s %s: %s", f.Code, f.Object, f.Message)
		}
	})
}

// measure runs fn on a session opened as the command opens it, and counts
// what fn sends.
func measure(t *testing.T, url string, fn func(ctx context.Context, s *pgsession.Session)) cost {
	t.Helper()
	target, err := pgsession.ParseTarget(url)
	if err != nil {
		t.Fatal(err)
	}
	tr := &tracer{}
	w := &wire{}
	target.Config.Tracer = tr
	dial := target.Config.DialFunc
	target.Config.DialFunc = func(ctx context.Context, network, addr string) (net.Conn, error) {
		c, err := dial(ctx, network, addr)
		if err != nil {
			return nil, err
		}
		return &countingConn{Conn: c, w: w}, nil
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	conn, err := pgsession.Connect(ctx, target, pgsession.Options{Timeout: 30 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(context.Background())
	w.reset()
	tr.reset()
	fn(ctx, pgsession.NewSession(conn, pgsession.Options{}))
	return cost{catalogQueries: tr.count(), roundTrips: w.trips()}
}

// TestTenantGroupsRoundTrips checks tenant schemas that fall in one group,
// then in four (three of them drifted, each otherwise): the groups' dry
// runs share their round trips, so four groups cost what one costs but for
// the catalog reads of their first schemas.
func TestTenantGroupsRoundTrips(t *testing.T) {
	db := pgtest.NewDB(t)
	var ddl strings.Builder
	// Drift that the query plans through (a query that fails with a type
	// error costs one more round trip, to learn the types the server
	// would infer).
	for i, name := range []string{"text NOT NULL", "text NOT NULL", "text", "varchar(10) NOT NULL", "text NOT NULL, extra int"} {
		fmt.Fprintf(&ddl, "CREATE SCHEMA tenant_%d; CREATE TABLE tenant_%d.users (id integer PRIMARY KEY, name %s);\n", i, i, name)
	}
	db.Exec(t, ddl.String())
	m, err := spec.Load("testdata/tenant_users.yaml")
	if err != nil {
		t.Fatal(err)
	}
	run := func(globs ...string) (cost, int) {
		var groups int
		c := measure(t, db.URL, func(ctx context.Context, s *pgsession.Session) {
			res, err := check.Check(ctx, s, m, check.CheckOptions{Schemas: globs})
			if err != nil {
				t.Fatal(err)
			}
			seen := map[string]bool{}
			for _, f := range res.Findings {
				seen[f.Schema] = true
			}
			groups = len(seen)
		})
		return c, groups
	}
	one, _ := run("tenant_0", "tenant_1")
	four, drifted := run("tenant_*")
	if drifted != 3 {
		t.Errorf("%d drifted tenants, want 3", drifted)
	}
	t.Logf("one group: %v; four groups: %v", one, four)
	if four.roundTrips != one.roundTrips {
		t.Errorf("four groups take %d round trips, one group %d: the groups' dry runs must share theirs", four.roundTrips, one.roundTrips)
	}
}

// synthModel returns the model of the first n tables of the synthetic schema
// app_00 and its ten enums.
func synthModel(t *testing.T, n int) string {
	t.Helper()
	var b strings.Builder
	if err := synth.WriteModel(&b, synth.Config{Schemas: 1, Tables: n}); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

// rbacModel returns a model of two RBAC tables and the first n of three
// permission queries, each run as role with a sample.
func rbacModel(role string, n int) string {
	queries := []string{`
  user_permissions:
    sql: |
      SELECT p.resource, p.action, rp.scope
      FROM user_roles ur
      JOIN role_permissions rp ON rp.role_id = ur.role_id
      JOIN permissions p ON p.id = rp.permission_id
      WHERE ur.user_id = $1
    params: [integer]
    returns: { resource: text, action: text, scope: permission_scope }
    sample: { args: [1], expect: rows }`, `
  user_roles:
    sql: SELECT r.id, r.name FROM roles r JOIN user_roles ur ON ur.role_id = r.id WHERE ur.user_id = $1
    params: [integer]
    returns: { id: integer, name: varchar(64) }
    sample: { args: [1], expect: rows }`, `
  user_by_email:
    sql: SELECT id, email FROM users WHERE email = $1
    params: [text]
    returns: { id: integer, email: varchar(254) }
    sample: { args: [alice@example.com], expect: rows }`}
	m := fmt.Sprintf(`version: 1
run_as: %s
tables:
  users:
    columns: { id: { type: integer }, email: { type: varchar(254) } }
    extra_columns: ignore
  role_permissions:
    primary_key: [role_id, permission_id, scope]
enums:
  permission_scope: [global, org, own]
`, role)
	if n > 0 {
		m += "queries:"
		for i := range n {
			q := queries[i%len(queries)]
			if i >= len(queries) {
				// The same query again under a name of its own.
				name, rest, _ := strings.Cut(q, ":")
				q = fmt.Sprintf("%s_%d:%s", name, i/len(queries), rest)
			}
			m += q
		}
		m += "\n"
	}
	return m
}

// A tracer counts the statements pgx sends: queries, the entries of a batch
// and prepares. Statements sent through the underlying pgconn.PgConn bypass
// it; the wire count sees those.
type tracer struct {
	mu sync.Mutex
	n  int
}

func (tr *tracer) reset() { tr.mu.Lock(); tr.n = 0; tr.mu.Unlock() }

func (tr *tracer) count() int { tr.mu.Lock(); defer tr.mu.Unlock(); return tr.n }

func (tr *tracer) add() { tr.mu.Lock(); tr.n++; tr.mu.Unlock() }

func (tr *tracer) TraceQueryStart(ctx context.Context, _ *pgx.Conn, _ pgx.TraceQueryStartData) context.Context {
	tr.add()
	return ctx
}

func (tr *tracer) TraceQueryEnd(context.Context, *pgx.Conn, pgx.TraceQueryEndData) {}

func (tr *tracer) TraceBatchStart(ctx context.Context, _ *pgx.Conn, _ pgx.TraceBatchStartData) context.Context {
	return ctx
}

func (tr *tracer) TraceBatchQuery(context.Context, *pgx.Conn, pgx.TraceBatchQueryData) { tr.add() }

func (tr *tracer) TraceBatchEnd(context.Context, *pgx.Conn, pgx.TraceBatchEndData) {}

func (tr *tracer) TracePrepareStart(ctx context.Context, _ *pgx.Conn, _ pgx.TracePrepareStartData) context.Context {
	tr.add()
	return ctx
}

func (tr *tracer) TracePrepareEnd(context.Context, *pgx.Conn, pgx.TracePrepareEndData) {}

// A wire counts round trips on a connection: a write that follows a read (or
// comes first) starts one.
type wire struct {
	mu      sync.Mutex
	n       int
	waiting bool // the client has written and not read an answer since
}

func (w *wire) reset() { w.mu.Lock(); w.n, w.waiting = 0, false; w.mu.Unlock() }

func (w *wire) trips() int { w.mu.Lock(); defer w.mu.Unlock(); return w.n }

type countingConn struct {
	net.Conn
	w *wire
}

func (c *countingConn) Write(p []byte) (int, error) {
	c.w.mu.Lock()
	if !c.w.waiting {
		c.w.n++
		c.w.waiting = true
	}
	c.w.mu.Unlock()
	return c.Conn.Write(p)
}

func (c *countingConn) Read(p []byte) (int, error) {
	n, err := c.Conn.Read(p)
	if n > 0 {
		c.w.mu.Lock()
		c.w.waiting = false
		c.w.mu.Unlock()
	}
	return n, err
}
