package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgproto3"
	"github.com/rbacdrift/rbacdrift/internal/dryrun"
)

// A wireRecorder keeps every message the command sends to one database, as
// the server decodes it: it sits under pgx and pgconn, so what the dry run
// sends through pgconn directly is recorded too, which a pgx tracer would
// not see. It needs plain connections (sslmode=disable).
type wireRecorder struct {
	mu    sync.Mutex
	conns [][]pgproto3.FrontendMessage // one list per connection, in order
	errs  []error
	wg    sync.WaitGroup
}

// recorders holds the recorder of each recorded database, by name.
var recorders sync.Map // database name -> *wireRecorder

// recordingHook is the command's connHook in tests (set in TestMain): it
// tees the connections to a recorded database into its recorder.
func recordingHook(cfg *pgx.ConnConfig) {
	v, ok := recorders.Load(cfg.Database)
	if !ok {
		return
	}
	rec := v.(*wireRecorder)
	dial := cfg.DialFunc
	cfg.DialFunc = func(ctx context.Context, network, addr string) (net.Conn, error) {
		c, err := dial(ctx, network, addr)
		if err != nil {
			return nil, err
		}
		return rec.tee(c), nil
	}
}

// recordWire records every connection the command opens to database dbname
// until the test ends. Tests on other databases are not affected.
func recordWire(t *testing.T, dbname string) *wireRecorder {
	t.Helper()
	rec := &wireRecorder{}
	if _, loaded := recorders.LoadOrStore(dbname, rec); loaded {
		t.Fatalf("database %s is already recorded", dbname)
	}
	t.Cleanup(func() { recorders.Delete(dbname) })
	return rec
}

// tee returns c with everything written to it also decoded as frontend
// messages.
func (r *wireRecorder) tee(c net.Conn) net.Conn {
	pr, pw := io.Pipe()
	r.mu.Lock()
	i := len(r.conns)
	r.conns = append(r.conns, nil)
	r.mu.Unlock()
	r.wg.Add(1)
	go func() {
		defer r.wg.Done()
		err := r.decode(i, pr)
		if err != nil && !errors.Is(err, io.EOF) && !errors.Is(err, io.ErrUnexpectedEOF) {
			r.mu.Lock()
			r.errs = append(r.errs, fmt.Errorf("connection %d: %w", i, err))
			r.mu.Unlock()
		}
		_, _ = io.Copy(io.Discard, pr) // never block the writer
	}()
	return &teeConn{Conn: c, w: pw}
}

func (r *wireRecorder) decode(i int, rd io.Reader) error {
	be := pgproto3.NewBackend(rd, io.Discard)
	add := func(m pgproto3.FrontendMessage) {
		r.mu.Lock()
		r.conns[i] = append(r.conns[i], copyMessage(m))
		r.mu.Unlock()
	}
	m, err := be.ReceiveStartupMessage()
	if err != nil {
		return err
	}
	add(m)
	switch m.(type) {
	case *pgproto3.SSLRequest, *pgproto3.GSSEncRequest:
		return fmt.Errorf("the connection asked for encryption; record with sslmode=disable")
	case *pgproto3.CancelRequest:
		return nil
	}
	for {
		m, err := be.Receive()
		if err != nil {
			return err
		}
		add(m)
		if _, ok := m.(*pgproto3.Terminate); ok {
			return nil
		}
	}
}

// copyMessage detaches m from the decoder's buffer, which the next message
// reuses.
func copyMessage(m pgproto3.FrontendMessage) pgproto3.FrontendMessage {
	switch m := m.(type) {
	case *pgproto3.StartupMessage:
		c := *m
		return &c
	case *pgproto3.CancelRequest:
		c := *m
		return &c
	case *pgproto3.Query:
		c := *m
		return &c
	case *pgproto3.Parse:
		c := *m
		c.ParameterOIDs = slices.Clone(m.ParameterOIDs)
		return &c
	case *pgproto3.Bind:
		c := *m
		c.Parameters = make([][]byte, len(m.Parameters))
		for i, p := range m.Parameters {
			c.Parameters[i] = slices.Clone(p)
		}
		return &c
	case *pgproto3.Describe:
		c := *m
		return &c
	case *pgproto3.Close:
		c := *m
		return &c
	case *pgproto3.Execute:
		c := *m
		return &c
	}
	return m // Sync, Flush, Terminate: no content; anything else is refused by check
}

// messages waits for every recorded connection to end and returns what was
// sent on each.
func (r *wireRecorder) messages(t *testing.T) [][]pgproto3.FrontendMessage {
	t.Helper()
	r.wg.Wait()
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, err := range r.errs {
		t.Errorf("recording the wire: %v", err)
	}
	return slices.Clone(r.conns)
}

type teeConn struct {
	net.Conn
	w *io.PipeWriter
}

func (c *teeConn) Write(p []byte) (int, error) {
	n, err := c.Conn.Write(p)
	if n > 0 {
		_, _ = c.w.Write(p[:n])
	}
	return n, err
}

func (c *teeConn) Close() error {
	_ = c.w.Close()
	return c.Conn.Close()
}

// A wireReport counts what the command sent, by kind, after checking each
// message against the allow-list.
type wireReport struct {
	Connections, CatalogReads, HistoryReads, MaximaReads, ReadOnlyTx, Prepares, Explains, Samples, Deallocates, CancelRequests int
}

// The statements the command may send besides catalog reads and the
// application's own queries. Anything else fails the test.
var allowedStatements = []*regexp.Regexp{
	regexp.MustCompile(`^BEGIN READ ONLY$`),
	regexp.MustCompile(`^ROLLBACK$`),
	// The end of every unit of work: back to the savepoint taken after the
	// limits, then the release of any advisory lock a statement took.
	regexp.MustCompile(`^SAVEPOINT rbacdrift_unit$`),
	regexp.MustCompile(`^ROLLBACK TO SAVEPOINT rbacdrift_unit$`),
	// A unit of many parts (the dry run's queries): each part starts from
	// this savepoint, with what is left of the unit's time limits (the
	// statement partLimitsStatement, prepared once per unit).
	regexp.MustCompile(`^SAVEPOINT rbacdrift_part$`),
	regexp.MustCompile(`^ROLLBACK TO SAVEPOINT rbacdrift_part$`),
	regexp.MustCompile(`^` + regexp.QuoteMeta(`SELECT pg_catalog.set_config('statement_timeout', t.ms::text, true), `+
		`pg_catalog.set_config('lock_timeout', least(t.ms, $2::int8)::text, true) `+
		`FROM (SELECT greatest(1, $1::int8 - (pg_catalog.date_part('epoch', pg_catalog.clock_timestamp() - pg_catalog.now()) * 1000)::int8) AS ms) AS t`) + `$`),
	regexp.MustCompile(`^SELECT pg_catalog\.pg_advisory_unlock_all\(\)$`),
	regexp.MustCompile(`^SET LOCAL statement_timeout = [0-9]+$`),
	regexp.MustCompile(`^SET LOCAL lock_timeout = [0-9]+$`),
	regexp.MustCompile(`^SET LOCAL idle_in_transaction_session_timeout = [0-9]+$`),
	regexp.MustCompile(`^SET LOCAL jit = off$`),
	regexp.MustCompile(`^SET LOCAL plan_cache_mode = force_generic_plan$`),
	regexp.MustCompile(`^SELECT pg_catalog\.set_config\('role', \$1, true\)$`),
	// The application's session settings (the model's, the run_as role's
	// own), name and value as parameters, local to the transaction; a
	// sample with settings of its own runs between a savepoint and the
	// rollback to it.
	regexp.MustCompile(`^SELECT pg_catalog\.set_config\(\$1, \$2, true\)$`),
	regexp.MustCompile(`^SAVEPOINT rbacdrift_sample$`),
	regexp.MustCompile(`^ROLLBACK TO SAVEPOINT rbacdrift_sample$`),
	regexp.MustCompile(`^SELECT pg_catalog\.set_config\('search_path', \$1 \|\| ', ' \|\| pg_catalog\.current_setting\('search_path'\), true\)$`),
	regexp.MustCompile(`^EXPLAIN \(VERBOSE, FORMAT JSON\) EXECUTE ` + dryrun.StatementName + `(\(NULL(, NULL)*\))?$`),
	regexp.MustCompile(`^DEALLOCATE (PREPARE )?` + dryrun.StatementName + `$`),
}

// factsStatement is the named catalog read of the dry run's facts, prepared
// once per batch inside its read-only transaction and closed there;
// partLimitsStatement the time limits of a part of a unit, likewise.
const (
	factsStatement      = "rbacdrift_facts"
	partLimitsStatement = "rbacdrift_part_limits"
)

// historyRead is a read of a migration tool's history table (check
// --migrations): a SELECT of columns from one quoted table, or the
// to_regclass look-up that comes first; never a lock or DDL.
// The select list is of column names, casts, IS NOT NULL and calls
// (historyReadOK also refuses an effect and a second FROM item in it).
var historyRead = regexp.MustCompile(`^(SELECT to_regclass\(\$1\)::text|SELECT [A-Za-z0-9_(), :'\s]+?\sFROM "[^"]+"(\."[^"]+")?( ORDER BY [a-z_, ]+( DESC)?)?( LIMIT [0-9]+)?)$`)

// historyReadOK reports whether sql is a history read: it matches
// historyRead, calls nothing with an effect and reads one table.
func historyReadOK(sql string) bool {
	return historyRead.MatchString(sql) && !effects.MatchString(sql) && len(fromItem.FindAllString(sql, -1)) <= 1
}

// maximaRead is the one statement that reads application tables: the
// maxima of serial and identity columns (introspect.ReadColumnMaxima), one
// scalar subquery per column, every name quoted as the catalog gave it,
// nothing else. A quoted identifier holds any character but a lone double
// quote, so nothing can be hidden inside one.
var maximaRead = regexp.MustCompile(`^SELECT ` + maximum + `(?:,\s+` + maximum + `)*$`)

const (
	quotedIdent = `"(?:[^"]|"")+"`
	maximum     = `\(SELECT max\(` + quotedIdent + `\) FROM ` + quotedIdent + `\.` + quotedIdent + `\)::int8`
)

var (
	sqlComment = regexp.MustCompile(`--[^\n]*`)
	sqlString  = regexp.MustCompile(`'(?:[^']|'')*'`)
	// A relation or function a catalog read names after FROM or JOIN; a
	// quoted name is never pg_catalog's.
	fromItem = regexp.MustCompile(`(?i)\b(?:FROM|JOIN)\s+(?:LATERAL\s+)?([a-z_][a-z0-9_]*(?:\.[a-z_][a-z0-9_]*)?|"[^"]*"(?:\.\S+)?)(\s*\()?`)
	// extract(field FROM x) names no relation.
	extractFrom = regexp.MustCompile(`(?i)\bextract\s*\(\s*[a-z]+\s+FROM\b`)
	cteName     = regexp.MustCompile(`(?i)\b([a-z_][a-z0-9_]*)\s+AS\s+(?:NOT\s+)?(?:MATERIALIZED\s+)?\(`)
	// What has effects, even inside a SELECT.
	effects = regexp.MustCompile(`(?i)\b(INSERT\s+INTO|UPDATE\s+[a-z_."]+\s+SET|DELETE\s+FROM|MERGE\s+INTO|TRUNCATE|COPY|CREATE|ALTER|DROP|GRANT|REVOKE|LOCK|VACUUM|ANALYZE|CLUSTER|REINDEX|NOTIFY|LISTEN|COMMIT|PREPARE\s+TRANSACTION|nextval|setval|pg_advisory\w*|pg_terminate_backend|pg_cancel_backend|pg_reload_conf|lo_\w+|dblink\w*|pg_read_\w*file|pg_ls_\w+|set_config|pg_sleep)\b`)
)

// catalogRead reports why sql is not a read of pg_catalog, or "" when it is:
// one SELECT (WITH allowed) whose FROM and JOIN items are pg_catalog
// relations, its own CTEs, or set-returning functions over its parameters,
// and that calls nothing with an effect.
func catalogRead(sql string) string {
	s := sqlString.ReplaceAllString(sqlComment.ReplaceAllString(sql, ""), "''")
	s = strings.TrimSpace(extractFrom.ReplaceAllString(s, "extract("))
	upper := strings.ToUpper(s)
	if !strings.HasPrefix(upper, "SELECT") && !strings.HasPrefix(upper, "WITH") {
		return "not a SELECT"
	}
	if strings.Contains(strings.TrimSuffix(s, ";"), ";") {
		return "more than one statement"
	}
	if m := effects.FindString(s); m != "" {
		return fmt.Sprintf("has an effect (%s)", m)
	}
	ctes := map[string]bool{}
	for _, m := range cteName.FindAllStringSubmatch(s, -1) {
		ctes[strings.ToLower(m[1])] = true
	}
	functions := map[string]bool{"unnest": true, "generate_series": true, "aclexplode": true, "generate_subscripts": true,
		"jsonb_array_elements": true, "jsonb_array_elements_text": true, "regexp_split_to_table": true}
	for _, m := range fromItem.FindAllStringSubmatch(s, -1) {
		name, call := strings.ToLower(m[1]), m[2] != ""
		switch {
		case name == "lateral" && call: // JOIN LATERAL (subquery): its own FROM items are checked
		case strings.HasPrefix(name, "pg_catalog."):
		case call && functions[name]:
		case !call && ctes[name]:
		default:
			return fmt.Sprintf("reads %s, which is not in pg_catalog", m[1])
		}
	}
	return ""
}

// checkWire checks every recorded message against what the README's
// "Safety" section says the command sends: the session's read-only startup
// parameters; catalog reads; for each query of appSQL, a read-only
// transaction that prepares it, plans it with EXPLAIN, executes it only when
// sampled holds its text, and always rolls back. It returns the counts.
func checkWire(t *testing.T, conns [][]pgproto3.FrontendMessage, appSQL, sampled []string) wireReport {
	t.Helper()
	var rep wireReport
	fail := func(conn int, format string, args ...any) {
		t.Helper()
		t.Errorf("connection %d: "+format, append([]any{conn}, args...)...)
	}
	for ci, msgs := range conns {
		if len(msgs) == 0 {
			continue
		}
		if _, ok := msgs[0].(*pgproto3.CancelRequest); ok {
			rep.CancelRequests++
			continue
		}
		rep.Connections++
		sm, ok := msgs[0].(*pgproto3.StartupMessage)
		if !ok {
			fail(ci, "first message is %T, want a StartupMessage", msgs[0])
			continue
		}
		for k, want := range map[string]string{"default_transaction_read_only": "on", "application_name": "rbacdrift", "jit": "off"} {
			if got := sm.Parameters[k]; got != want {
				fail(ci, "startup parameter %s = %q, want %q", k, got, want)
			}
		}
		for _, k := range []string{"statement_timeout", "lock_timeout", "idle_in_transaction_session_timeout"} {
			if sm.Parameters[k] == "" {
				fail(ci, "startup parameter %s is not set", k)
			}
		}
		inTx := false
		parsed := map[string]string{} // statement name -> SQL
		statement := func(sql string) {
			t.Helper()
			sql = strings.TrimSpace(sql)
			switch {
			case sql == "BEGIN READ ONLY":
				if inTx {
					fail(ci, "BEGIN inside a transaction")
				}
				inTx = true
				rep.ReadOnlyTx++
			case sql == "ROLLBACK":
				inTx = false
			case strings.HasPrefix(sql, "EXPLAIN"):
				rep.Explains++
			case strings.HasPrefix(sql, "DEALLOCATE"):
				rep.Deallocates++
			}
			for _, re := range allowedStatements {
				if re.MatchString(sql) {
					if strings.HasPrefix(sql, "SET LOCAL") || strings.HasPrefix(sql, "EXPLAIN") || strings.Contains(sql, "set_config") ||
						strings.Contains(sql, "SAVEPOINT") || strings.Contains(sql, "pg_advisory_unlock_all") {
						if !inTx {
							fail(ci, "%q outside a read-only transaction", sql)
						}
					}
					return
				}
			}
			if maximaRead.MatchString(sql) {
				if !inTx {
					fail(ci, "a read of serial columns' maxima outside a read-only transaction:\n%s", sql)
				}
				rep.MaximaReads++
				return
			}
			if historyReadOK(sql) {
				if !inTx {
					fail(ci, "a migration history read outside a read-only transaction:\n%s", sql)
				}
				rep.HistoryReads++
				return
			}
			if why := catalogRead(sql); why != "" {
				fail(ci, "statement not on the allow-list (%s):\n%s", why, sql)
				return
			}
			if !inTx {
				// Behind a transaction pooler only the transaction holds the
				// read-only guarantee and the limits: every read is in one.
				fail(ci, "a catalog read outside a read-only transaction:\n%s", sql)
			}
			rep.CatalogReads++
		}
		for _, m := range msgs[1:] {
			switch m := m.(type) {
			case *pgproto3.Query:
				for _, s := range strings.Split(m.String, ";") {
					if strings.TrimSpace(s) != "" {
						statement(s)
					}
				}
			case *pgproto3.Parse:
				parsed[m.Name] = m.Query
				if slices.Contains(appSQL, m.Query) {
					if !inTx {
						fail(ci, "an application query prepared outside a read-only transaction:\n%s", m.Query)
					}
					rep.Prepares++
					continue
				}
				if m.Name != "" && m.Name != factsStatement && m.Name != partLimitsStatement {
					fail(ci, "a named statement %q that is not an application query:\n%s", m.Name, m.Query)
				}
				statement(m.Query)
			case *pgproto3.Bind:
				sql := parsed[m.PreparedStatement]
				if m.PreparedStatement != "" && !inTx {
					fail(ci, "named statement %s executed outside a read-only transaction", m.PreparedStatement)
				}
				if slices.Contains(appSQL, sql) {
					// Executing an application query: only a sample, in a read-only transaction.
					if !inTx || !slices.Contains(sampled, sql) {
						fail(ci, "an application query executed (in a read-only transaction: %v) without a sample:\n%s", inTx, sql)
					}
					rep.Samples++
				}
			case *pgproto3.Close:
				if m.ObjectType == 'S' && m.Name == dryrun.StatementName {
					if !inTx {
						fail(ci, "%s closed after its transaction: a pooler may have handed the server connection on", m.Name)
					}
					rep.Deallocates++
				} else if m.ObjectType == 'S' && (m.Name == factsStatement || m.Name == partLimitsStatement) {
					if !inTx {
						fail(ci, "%s closed after its transaction", m.Name)
					}
				} else if m.Name != "" {
					fail(ci, "Close of %c %q", m.ObjectType, m.Name)
				}
			case *pgproto3.Describe, *pgproto3.Execute, *pgproto3.Sync, *pgproto3.Flush, *pgproto3.Terminate:
			default:
				fail(ci, "unexpected message %T", m)
			}
		}
		if inTx {
			fail(ci, "a transaction was left open (no ROLLBACK)")
		}
		if _, ok := msgs[len(msgs)-1].(*pgproto3.Terminate); !ok {
			fail(ci, "the session did not end with Terminate but with %T", msgs[len(msgs)-1])
		}
	}
	return rep
}

// TestWireAllowList makes sure the allow-list refuses what it must: a check
// that accepted everything would prove nothing.
func TestWireAllowList(t *testing.T) {
	t.Parallel()
	allowed := func(sql string) bool {
		for _, re := range allowedStatements {
			if re.MatchString(sql) {
				return true
			}
		}
		return maximaRead.MatchString(sql) || historyReadOK(sql) || catalogRead(sql) == ""
	}
	tests := []struct {
		sql  string
		want bool
	}{
		{"SELECT c.relname FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace WHERE c.relname = ANY($1)", true},
		{"WITH w AS (SELECT * FROM unnest($1::text[]) AS u(n)) SELECT n FROM w JOIN pg_catalog.pg_roles r ON r.rolname = w.n", true},
		{"SELECT extract(epoch FROM now())", true},
		{"BEGIN READ ONLY", true},
		{"SET LOCAL statement_timeout = 5000", true},
		{"EXPLAIN (VERBOSE, FORMAT JSON) EXECUTE rbacdrift_dryrun(NULL, NULL)", true},
		{"SELECT * FROM users", false},
		{"SELECT * FROM public.users", false},
		{"SELECT * FROM pg_catalog.pg_class; DROP TABLE users", false},
		{"WITH d AS (DELETE FROM users RETURNING 1) SELECT * FROM d", false},
		{"SELECT nextval('s')", false},
		{"SELECT pg_catalog.set_config('search_path', 'evil', false)", false},
		{"SELECT pg_catalog.set_config($1, $2, false)", false},
		{"SELECT pg_catalog.set_config($1, $2, true)", true},
		{"BEGIN", false},
		{"SELECT pg_catalog.pg_advisory_unlock_all()", true},
		{"SELECT pg_catalog.pg_advisory_lock(1)", false},
		{"SELECT pg_catalog.pg_advisory_unlock_all(); DROP TABLE users", false},
		{"RELEASE SAVEPOINT rbacdrift_unit", false},
		{"SAVEPOINT other", false},
		{"COMMIT", false},
		{"SET ROLE postgres", false},
		{"SET statement_timeout = 0", false},
		{"EXPLAIN ANALYZE EXECUTE rbacdrift_dryrun", false},
		{"CREATE TEMP TABLE t (id int)", false},
		{"LOCK TABLE users", false},
		{"INSERT INTO users VALUES (1)", false},
		{`SELECT (SELECT max("id") FROM "public"."users")::int8`, true},
		{"SELECT (SELECT max(\"id\") FROM \"public\".\"users\")::int8,\n       (SELECT max(\"a\"\"b\") FROM \"my.schema\".\"T\")::int8", true},
		// Look-alikes of the maxima read that have an effect, or read more.
		{`SELECT (SELECT max("id") FROM "public"."users")::int8, nextval('s')`, false},
		{`SELECT (SELECT max("id") FROM "public"."users")::int8; DELETE FROM users`, false},
		{`SELECT (SELECT max("id") FROM "public"."users" FOR UPDATE)::int8`, false},
		{`SELECT (SELECT max("id") FROM "public"."users")::int8 FROM pg_catalog.pg_advisory_lock(1)`, false},
		{`SELECT (SELECT max(id) FROM public.users)::int8`, false},
		{`SELECT (SELECT max("id") FROM "public"."users" WHERE pg_catalog.pg_sleep(10) IS NULL)::int8`, false},
		{`SELECT * FROM "users"`, false},
		{"SELECT hash, created_at, NULL::text AS name FROM \"drizzle\".\"__drizzle_migrations\" ORDER BY id", true},
		{"SELECT installed_rank, version, success\nFROM \"public\".\"flyway_schema_history\" ORDER BY installed_rank", true},
		{"SELECT left(hash::text, 256), left(created_at::text, 256), NULL::text AS name FROM \"drizzle\".\"__drizzle_migrations\" ORDER BY id LIMIT 100001", true},
		{`SELECT nextval('s') FROM "goose_db_version" ORDER BY id`, false},
		{`SELECT v FROM users, "goose_db_version" ORDER BY id`, false},
		{`SELECT * FROM pg_catalog.pg_class JOIN "public"."users" ON true`, false},
	}
	for _, tt := range tests {
		if got := allowed(tt.sql); got != tt.want {
			t.Errorf("allowed(%q) = %v, want %v (%s)", tt.sql, got, tt.want, catalogRead(tt.sql))
		}
	}
}
