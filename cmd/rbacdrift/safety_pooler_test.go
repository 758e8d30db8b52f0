//go:build unix

package main

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgproto3"
	"github.com/rbacdrift/rbacdrift/drift/report"
	"github.com/rbacdrift/rbacdrift/internal/pgsession"
	"github.com/rbacdrift/rbacdrift/internal/testutil/pgtest"
	"github.com/rbacdrift/rbacdrift/spec"
)

// These tests run the command through a real PgBouncer (issue 11): in
// session and in transaction pooling, with PgBouncer's default configuration,
// which refuses rbacdrift's startup settings, and with
// ignore_startup_parameters, which accepts and drops them.

// ignoredParameters are the startup parameters a PgBouncer must be told to
// ignore for rbacdrift: every one rbacdrift sends but application_name, which
// PgBouncer takes anyway, and extra_float_digits, which drivers often send.
func ignoredParameters() []string {
	var out []string
	for k := range pgsession.SessionSettings(pgsession.Options{}) {
		if k != "application_name" {
			out = append(out, k)
		}
	}
	slices.Sort(out)
	return append(out, "extra_float_digits")
}

// A poolerSetup is one way to put PgBouncer in front of the server.
type poolerSetup struct {
	name        string
	opts        pgtest.PgBouncerOptions
	wantStartup string // the JSON report's target.startup_settings
}

func poolerSetups(modes ...string) []poolerSetup {
	var out []poolerSetup
	for _, mode := range modes {
		out = append(out,
			poolerSetup{mode + "/default", pgtest.PgBouncerOptions{PoolMode: mode, PoolSize: 2}, pgsession.PathRefused},
			poolerSetup{mode + "/ignore_startup_parameters", pgtest.PgBouncerOptions{PoolMode: mode, PoolSize: 2,
				IgnoreStartupParameters: ignoredParameters()}, pgsession.PathIgnored})
	}
	return out
}

// The note a run prints on stderr for each startup outcome.
var poolerNotes = map[string]*regexp.Regexp{
	pgsession.PathRefused: regexp.MustCompile(`^rbacdrift check: note: the server \(or a connection pooler in front of it\) refused rbacdrift's startup settings \(unsupported startup parameter: [a-z_]+ \(SQLSTATE 08P01\)\); connected again without them: .*\n$`),
	pgsession.PathIgnored: regexp.MustCompile(`^` + regexp.QuoteMeta("rbacdrift check: note: "+pgsession.Path{Startup: pgsession.PathIgnored}.Note()) + `\n$`),
}

// A poolerCase is a database of the reference scenario and the model to
// check it against.
type poolerCase struct {
	name     string
	db       *pgtest.DB
	model    string
	args     []string // more flags of check
	wantCode int
	want     *report.Report // the report of a direct connection
	runs     int            // runs through the pooler, for the wire check
}

// poolerCases makes the three databases: the clean reference database with
// its query dry-run as an application role, the legacy one (the incident:
// 42703), and one whose sampled query calls a function that writes.
func poolerCases(t *testing.T) []*poolerCase {
	t.Helper()
	clean := pgtest.NewDB(t)
	clean.ExecFile(t, "../../testdata/reference/normalised.sql")
	app := clean.Role(t, "app")
	grant := "GRANT USAGE ON SCHEMA public TO " + app + "; GRANT SELECT ON ALL TABLES IN SCHEMA public TO " + app
	clean.Exec(t, grant)
	legacy := pgtest.NewDB(t)
	legacy.ExecFile(t, "../../testdata/reference/legacy.sql")
	legacy.Exec(t, grant)
	writes := pgtest.NewDB(t)
	writes.ExecFile(t, "../../testdata/reference/normalised.sql")
	writes.ExecFile(t, "../../testdata/dryrun/writes.sql")
	runAs := []string{"--run-as", app}
	return []*poolerCase{
		{name: "clean", db: clean, model: "../../testdata/reference/normalised.yaml", args: runAs, wantCode: exitOK},
		{name: "legacy", db: legacy, model: "../../testdata/reference/normalised.yaml", args: runAs, wantCode: exitDrift},
		{name: "writes", db: writes, model: "../../testdata/dryrun/writes.yaml", wantCode: exitDrift},
	}
}

// checkJSON runs check with --format json on url and returns the report and
// stderr, failing the test on another exit code than want or an output that
// is not a report.
func checkJSON(t *testing.T, url, model string, want int, args ...string) (*report.Report, string) {
	t.Helper()
	args = append([]string{"check", "--db", url, "--spec", model, "--format", "json"}, args...)
	code, stdout, stderr := rbacdrift(t.Context(), args...)
	assertNoSecret(t, safetyPassword, map[string]string{"stdout": stdout, "stderr": stderr})
	if code != want {
		t.Fatalf("rbacdrift %s: exit %d, want %d\nstdout:\n%s\nstderr:\n%s", shown(args), code, want, stdout, stderr)
	}
	var rep report.Report
	if err := json.Unmarshal([]byte(stdout), &rep); err != nil {
		t.Fatalf("rbacdrift %s: the output is not a JSON report: %v\n%s", shown(args), err, stdout)
	}
	if strings.Contains(stdout+stderr, "42P05") {
		t.Errorf("rbacdrift %s: a prepared statement of another client (42P05):\n%s\n%s", shown(args), stdout, stderr)
	}
	return &rep, stderr
}

// shown renders a command line for a message, without the password.
func shown(args []string) string {
	return strings.ReplaceAll(strings.Join(args, " "), safetyPassword, "xxxxx")
}

// sameReport fails when got and want differ in anything but the target.
func sameReport(t *testing.T, what string, want, got *report.Report) {
	t.Helper()
	if diff := cmp.Diff(want.Findings, got.Findings); diff != "" {
		t.Errorf("%s: findings differ from a direct connection's (-direct +pooler):\n%s", what, diff)
	}
	if diff := cmp.Diff(want.Checked, got.Checked); diff != "" {
		t.Errorf("%s: checked differs from a direct connection's (-direct +pooler):\n%s", what, diff)
	}
	if diff := cmp.Diff(want.Summary, got.Summary); diff != "" {
		t.Errorf("%s: summary differs from a direct connection's (-direct +pooler):\n%s", what, diff)
	}
}

// TestSafetyPooler runs the check through PgBouncer in each pooling mode,
// refused and ignored startup settings: the clean database is clean, the
// legacy one gives the incident's 42703, a sample that would write writes
// nothing, every message sent is on the README's allow-list with every read
// in a read-only transaction, the findings are those of a direct connection,
// and the pooler's server connections are left as they were.
func TestSafetyPooler(t *testing.T) {
	t.Parallel()
	for _, setup := range poolerSetups("session", "transaction") {
		t.Run(setup.name, func(t *testing.T) {
			t.Parallel()
			testSafetyPooler(t, setup)
		})
	}
}

func testSafetyPooler(t *testing.T, setup poolerSetup) {
	cases := poolerCases(t)
	before := map[string]dbState{}
	for _, c := range cases {
		c.want, _ = checkJSON(t, c.db.URLAs("postgres", safetyPassword), c.model, c.wantCode, c.args...)
		if c.want.Target.StartupSettings != pgsession.PathInForce {
			t.Fatalf("%s: a direct connection has startup_settings %q, want %q", c.name, c.want.Target.StartupSettings, pgsession.PathInForce)
		}
		before[c.name] = readState(t, c.db)
	}
	// Recorded from here: only the runs through the pooler.
	recs := map[string]*wireRecorder{}
	for _, c := range cases {
		recs[c.name] = recordWire(t, c.db.Name)
	}

	pooler := pgtest.StartPgBouncer(t, setup.opts)
	for _, c := range cases {
		url := pooler.URL(c.db.Name, "postgres", safetyPassword)
		got, stderr := checkJSON(t, url, c.model, c.wantCode, c.args...)
		c.runs++
		if got.Target.StartupSettings != setup.wantStartup {
			t.Errorf("%s: startup_settings %q, want %q", c.name, got.Target.StartupSettings, setup.wantStartup)
		}
		if !poolerNotes[setup.wantStartup].MatchString(stderr) {
			t.Errorf("%s: stderr does not hold the note (and only it):\n%s", c.name, stderr)
		}
		sameReport(t, c.name, c.want, got)

		switch c.name {
		case "clean":
			if len(got.Findings) != 0 || got.Checked.Queries != 1 {
				t.Errorf("clean: %d findings, %d queries dry-run; want none and 1", len(got.Findings), got.Checked.Queries)
			}
			// --verbose says which path the session took instead of the note.
			code, stdout, stderr := rbacdrift(t.Context(), append([]string{"check", "--db", url, "--spec", c.model, "--verbose"}, c.args...)...)
			c.runs++
			wantPath := "rbacdrift check: session: " + poolerNoteText(setup.wantStartup)
			if code != exitOK || !strings.HasPrefix(stderr, wantPath) || strings.Contains(stderr, "note:") ||
				!strings.Contains(stdout, "\nno drift: ") {
				t.Errorf("check --verbose: exit %d\nstdout:\n%s\nstderr:\n%s\nwant stderr to start with %q", code, stdout, stderr, wantPath)
			}
		case "legacy":
			wantFinding(t, got, "query-error", "query:resolve_user_permissions", "42703")
		case "writes":
			wantFinding(t, got, "query-error", "query:audited_read", "25006")
			if n := len(got.Findings); n != 1 {
				t.Errorf("writes: %d findings, want only the refused write:\n%+v", n, got.Findings)
			}
		}
	}

	for _, c := range cases {
		model, err := spec.Load(c.model)
		if err != nil {
			t.Fatal(err)
		}
		var appSQL, sampled []string
		for _, q := range model.Queries {
			appSQL = append(appSQL, q.SQL)
			if q.Sample != nil {
				sampled = append(sampled, q.SQL)
			}
		}
		conns := pooledSessions(t, c.name, recs[c.name].messages(t), setup.wantStartup)
		got := checkWire(t, conns, appSQL, sampled)
		t.Logf("%s: sent %+v", c.name, got)
		if got.Connections != c.runs || got.CatalogReads == 0 || got.ReadOnlyTx == 0 ||
			got.Prepares < c.runs*len(appSQL) || got.Deallocates < c.runs*len(appSQL) {
			t.Errorf("%s: the recorder saw %+v; want %d sessions, catalog reads, read-only transactions, and each of the %d queries prepared and closed in every run", c.name, got, c.runs, len(appSQL))
		}
	}

	for _, c := range cases {
		assertNoLeftovers(t, pooler, c.db, setup.opts.PoolSize)
	}
	// The pooler's server connections end with it, so that the write
	// statistics are flushed and readState finds no other session.
	pooler.Stop()
	for _, c := range cases {
		if diff := diffStates(before[c.name], readState(t, c.db)); diff != "" {
			t.Errorf("%s: the database changed through the pooler (-before +after):\n%s", c.name, diff)
		}
	}
}

// poolerNoteText is the note of a startup outcome without its variable
// part (the refusal's parameter name).
func poolerNoteText(startup string) string {
	if startup == pgsession.PathRefused {
		return "the server (or a connection pooler in front of it) refused rbacdrift's startup settings (unsupported startup parameter: "
	}
	return pgsession.Path{Startup: startup}.Note()
}

func wantFinding(t *testing.T, rep *report.Report, code, object, sqlstate string) {
	t.Helper()
	for _, f := range rep.Findings {
		if string(f.Code) == code && f.Object == object && f.SQLState == sqlstate {
			return
		}
	}
	t.Errorf("no %s finding on %s with SQLSTATE %s in:\n%+v", code, object, sqlstate, rep.Findings)
}

// pooledSessions returns the recorded sessions for [checkWire]. With
// ignored settings each run is one session whose startup packet carries them
// all, as on a direct connection. With refused settings each run is a first
// connection that sends them in its startup packet and is refused (nothing
// else is sent on it), then a second one with application_name alone; the
// second's startup is checked here, and checkWire gets it with the settings
// the run asked for in the first, so that it checks the rest of the session
// as it checks a direct one.
func pooledSessions(t *testing.T, name string, conns [][]pgproto3.FrontendMessage, startup string) [][]pgproto3.FrontendMessage {
	t.Helper()
	if startup != pgsession.PathRefused {
		return conns
	}
	settings := pgsession.SessionSettings(pgsession.Options{})
	var out [][]pgproto3.FrontendMessage
	for i := 0; i < len(conns); i++ {
		first, ok := conns[i][0].(*pgproto3.StartupMessage)
		if !ok || len(conns[i]) != 1 {
			t.Errorf("%s: connection %d: %d messages, first %T; want a refused startup packet alone", name, i, len(conns[i]), conns[i][0])
			continue
		}
		for k := range settings {
			if first.Parameters[k] == "" {
				t.Errorf("%s: connection %d: the first startup packet has no %s", name, i, k)
			}
		}
		if i+1 == len(conns) {
			t.Errorf("%s: connection %d was refused and not followed by a second one", name, i)
			break
		}
		i++
		retry, ok := conns[i][0].(*pgproto3.StartupMessage)
		if !ok {
			t.Errorf("%s: connection %d starts with %T", name, i, conns[i][0])
			continue
		}
		for k := range settings {
			if v, set := retry.Parameters[k]; set && k != "application_name" {
				t.Errorf("%s: connection %d sent %s=%s again after the refusal", name, i, k, v)
			}
		}
		if retry.Parameters["application_name"] != pgsession.ApplicationName {
			t.Errorf("%s: connection %d: application_name %q, want %q", name, i, retry.Parameters["application_name"], pgsession.ApplicationName)
		}
		asked := *retry
		asked.Parameters = maps.Clone(retry.Parameters)
		maps.Copy(asked.Parameters, first.Parameters)
		out = append(out, append([]pgproto3.FrontendMessage{&asked}, conns[i][1:]...))
	}
	return out
}

// A serverConn is what a server connection of the pooler carries between
// transactions: prepared statements, cursors and session settings.
type serverConn struct {
	PID      int
	Prepared int
	Cursors  int
	Settings string
}

// serverConnProbe reads a server connection's state; it runs in a
// transaction of its own, which holds the server connection.
const serverConnProbe = `SELECT pg_backend_pid(),
	(SELECT count(*) FROM pg_prepared_statements), (SELECT count(*) FROM pg_cursors),
	concat_ws(' ', 'statement_timeout', current_setting('statement_timeout'),
		'lock_timeout', current_setting('lock_timeout'),
		'idle_in_transaction_session_timeout', current_setting('idle_in_transaction_session_timeout'),
		'default_transaction_read_only', current_setting('default_transaction_read_only'),
		'jit', current_setting('jit'), 'plan_cache_mode', current_setting('plan_cache_mode'),
		'role', current_setting('role'), 'current_user', current_user, 'session_user', session_user)`

// connectSimple connects with the simple protocol, which prepares nothing,
// so that the connection works through a transaction pooler and leaves no
// statement of its own. The caller closes it.
func connectSimple(t *testing.T, url string) *pgx.Conn {
	t.Helper()
	cfg, err := pgx.ParseConfig(url)
	if err != nil {
		t.Fatal(err)
	}
	cfg.DefaultQueryExecMode = pgx.QueryExecModeSimpleProtocol
	conn, err := pgx.ConnectConfig(t.Context(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	return conn
}

// probeServerConns opens n clients through the pooler at once, each in a
// transaction, so that each holds one of the pool's n server connections, and
// returns their state. The clients send no named statement (simple
// protocol), so they leave nothing themselves.
func probeServerConns(t *testing.T, url string, n int) []serverConn {
	t.Helper()
	var out []serverConn
	var conns []*pgx.Conn
	for range n {
		conn := connectSimple(t, url)
		defer conn.Close(context.Background())
		conns = append(conns, conn)
		if _, err := conn.Exec(t.Context(), "BEGIN"); err != nil {
			t.Fatal(err)
		}
		var s serverConn
		if err := conn.QueryRow(t.Context(), serverConnProbe).Scan(&s.PID, &s.Prepared, &s.Cursors, &s.Settings); err != nil {
			t.Fatal(err)
		}
		out = append(out, s)
	}
	// Each server connection goes back to the pool, as it was.
	for _, c := range conns {
		if _, err := c.Exec(t.Context(), "ROLLBACK"); err != nil {
			t.Fatal(err)
		}
	}
	return out
}

// assertNoLeftovers checks every server connection the pooler holds to db:
// no prepared statement, no cursor, and the settings of a fresh direct
// session. In transaction pooling PgBouncer hands a server connection on
// as it is (server_reset_query runs only in session pooling), so anything a
// run left there would be seen here.
func assertNoLeftovers(t *testing.T, pooler *pgtest.PgBouncer, db *pgtest.DB, poolSize int) {
	t.Helper()
	// Closed before the function returns: readState waits for every
	// other session to end.
	direct := connectSimple(t, db.URL)
	defer direct.Close(context.Background())
	var want serverConn
	if err := direct.QueryRow(t.Context(), serverConnProbe).Scan(&want.PID, &want.Prepared, &want.Cursors, &want.Settings); err != nil {
		t.Fatal(err)
	}
	got := probeServerConns(t, pooler.URL(db.Name, "", ""), poolSize)
	// The probe saw every server connection of the pooler to db.
	rows, _ := direct.Query(t.Context(), `SELECT pid FROM pg_stat_activity
		WHERE datname = current_database() AND pid <> pg_backend_pid() AND backend_type = 'client backend' ORDER BY pid`)
	server, err := pgx.CollectRows(rows, pgx.RowTo[int])
	if err != nil {
		t.Fatal(err)
	}
	var seen []int
	for _, s := range got {
		seen = append(seen, s.PID)
		want.PID = s.PID
		if diff := cmp.Diff(want, s); diff != "" {
			t.Errorf("%s: server connection %d of the pooler was left changed (-fresh session +pooled):\n%s", db.Name, s.PID, diff)
		}
	}
	slices.Sort(seen)
	if len(slices.Compact(slices.Clone(seen))) != poolSize || !slices.Equal(seen, server) {
		t.Errorf("%s: the probe reached server connections %v, the server has %v; want the pool's %d", db.Name, seen, server, poolSize)
	}
}

// TestSafetyPoolerProbe is the positive control of assertNoLeftovers: a
// client that leaves a session setting and a prepared statement on a
// server connection of a transaction pooler is seen.
func TestSafetyPoolerProbe(t *testing.T) {
	t.Parallel()
	db := pgtest.NewDB(t)
	pooler := pgtest.StartPgBouncer(t, pgtest.PgBouncerOptions{PoolMode: "transaction", PoolSize: 1})
	conn := connectSimple(t, pooler.URL(db.Name, "", ""))
	if _, err := conn.Exec(t.Context(), "SET statement_timeout = 4321; PREPARE leaked AS SELECT 1"); err != nil {
		t.Fatal(err)
	}
	conn.Close(t.Context())
	got := probeServerConns(t, pooler.URL(db.Name, "", ""), 1)
	if len(got) != 1 || got[0].Prepared != 1 || !strings.Contains(got[0].Settings, "statement_timeout 4321ms") {
		t.Errorf("the probe did not see what a client left on the server connection: %+v", got)
	}
}

// TestSafetyPoolerConcurrent runs 8 checks at once through a transaction
// pooler with 2 server connections, so that their transactions interleave on
// the same server connections: every report is the direct connection's,
// none meets another run's prepared statement (42P05), and nothing is left
// on the server connections.
func TestSafetyPoolerConcurrent(t *testing.T) {
	t.Parallel()
	for _, setup := range poolerSetups("transaction") {
		t.Run(setup.name, func(t *testing.T) {
			t.Parallel()
			c := poolerCases(t)[0] // the clean database
			want, _ := checkJSON(t, c.db.URLAs("postgres", safetyPassword), c.model, c.wantCode, c.args...)
			pooler := pgtest.StartPgBouncer(t, setup.opts)
			url := pooler.URL(c.db.Name, "postgres", safetyPassword)

			type result struct {
				code           int
				stdout, stderr string
			}
			const runs = 8
			results := make([]result, runs)
			var wg sync.WaitGroup
			for i := range runs {
				wg.Go(func() {
					args := append([]string{"check", "--db", url, "--spec", c.model, "--format", "json"}, c.args...)
					r := &results[i]
					r.code, r.stdout, r.stderr = rbacdrift(t.Context(), args...)
				})
			}
			wg.Wait()
			for i, r := range results {
				what := fmt.Sprintf("run %d", i)
				if r.code != c.wantCode || strings.Contains(r.stdout+r.stderr, "42P05") {
					t.Errorf("%s: exit %d, want %d\nstdout:\n%s\nstderr:\n%s", what, r.code, c.wantCode, r.stdout, r.stderr)
					continue
				}
				var got report.Report
				if err := json.Unmarshal([]byte(r.stdout), &got); err != nil {
					t.Errorf("%s: %v\n%s", what, err, r.stdout)
					continue
				}
				if got.Target.StartupSettings != setup.wantStartup {
					t.Errorf("%s: startup_settings %q, want %q", what, got.Target.StartupSettings, setup.wantStartup)
				}
				sameReport(t, what, want, &got)
			}
			assertNoLeftovers(t, pooler, c.db, setup.opts.PoolSize)
		})
	}
}
