package main

import (
	"bytes"
	"context"
	"maps"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/jackc/pgx/v5"
	"github.com/rbacdrift/rbacdrift/internal/testutil/pgtest"
	"github.com/rbacdrift/rbacdrift/spec"
)

// These tests prove the promises of the README's "Safety" section on a real
// server: rbacdrift writes nothing, sends only what the README lists, ends
// within its time limits, answers bad input with clear messages and never
// shows a password.

// safetyPassword is in every URL these tests give the command; the test
// servers trust local connections, so it is sent (or not) and ignored, and
// it must never come back in any output.
const safetyPassword = "Qx7-Distinctive-Safety-Pw-0xC0FFEE"

// safetySQL goes on top of the reference scenario: a function that writes,
// a sequence, a view, row-level security and the application's role
// ({{app}}, made unique per test).
const safetySQL = `
CREATE TABLE audit_log (id serial PRIMARY KEY, note text NOT NULL);
CREATE FUNCTION touch_audit(note text) RETURNS integer LANGUAGE sql AS
$$ INSERT INTO audit_log (note) VALUES (note) RETURNING id $$;
CREATE SEQUENCE ticket_seq;
SELECT nextval('ticket_seq');
CREATE VIEW admin_users AS
  SELECT u.id, u.email FROM users u JOIN user_roles ur ON ur.user_id = u.id WHERE ur.role_id = 1;
ALTER TABLE role_permissions ENABLE ROW LEVEL SECURITY;
CREATE POLICY rp_read ON role_permissions FOR SELECT TO {{app}} USING (true);
GRANT SELECT ON ALL TABLES IN SCHEMA public TO {{app}};
GRANT USAGE ON SEQUENCE ticket_seq TO {{app}};
`

// safetyModel exercises every part of the check: tables, a view, columns,
// keys, indexes, grants, row-level security, an enum, a missing table, role
// settings, default privileges, and queries dry-run as {{app}} with the
// application's session settings: sampled reads (one with settings of its
// own), a sampled call of a function
// that writes, a sampled nextval, and writes that are only prepared.
const safetyModel = `version: 1
run_as: {{app}}
tables:
  users:
    columns:
      id: { type: integer, nullable: false, identity: by_default }
      email: { type: varchar(254), nullable: false }
    primary_key: [id]
    grants: { {{app}}: [SELECT] }
  role_permissions:
    columns: { role_id: integer, permission_id: integer, scope: permission_scope }
    indexes: [ { columns: [permission_id] } ]
    row_level_security:
      enabled: true
      policies: [ { name: rp_read, command: SELECT, roles: [{{app}}] } ]
  admin_users: { kind: view }
  no_such_table: {}
enums:
  permission_scope: [global, org, own]
settings:
  app.tenant_id: 1
role_settings:
  {{app}}: {}
default_privileges:
  - { role: {{app}}, schema: public, objects: tables, grants: { {{app}}: [SELECT] } }
queries:
  resolve_user_permissions:
    sql: |
      SELECT p.resource, p.action, rp.scope
      FROM user_roles ur
      JOIN role_permissions rp ON rp.role_id = ur.role_id
      JOIN permissions p ON p.id = rp.permission_id
      WHERE ur.user_id = $1
    params: [integer]
    samples:
      - { args: [1], expect: rows }
      - { args: [1], expect: any, settings: { app.tenant_id: 2 } }
  audited_read:
    sql: SELECT touch_audit($1)
    params: [text]
    sample: { args: ["written?"], expect: any }
  next_ticket:
    sql: SELECT nextval('ticket_seq')
    sample: { args: [], expect: rows }
  add_role:
    sql: INSERT INTO roles (name) VALUES ($1)
    params: [varchar]
  drop_grants:
    sql: DELETE FROM role_permissions WHERE role_id = $1
    params: [integer]
  rename_permissions:
    sql: UPDATE permissions SET action = $1 WHERE action = $2
    params: [text, text]
`

// safetyDB makes a database with the reference scenario, safetySQL and an
// application role, and writes safetyModel for it; it returns the database,
// the role and the model file.
func safetyDB(t *testing.T) (*pgtest.DB, string, string) {
	t.Helper()
	db := pgtest.NewDB(t)
	db.ExecFile(t, "../../testdata/reference/normalised.sql")
	app := db.Role(t, "app")
	db.Exec(t, strings.ReplaceAll(safetySQL, "{{app}}", app))
	model := filepath.Join(t.TempDir(), "rbacdrift.yaml")
	if err := os.WriteFile(model, []byte(strings.ReplaceAll(safetyModel, "{{app}}", app)), 0o644); err != nil {
		t.Fatal(err)
	}
	return db, app, model
}

// rbacdrift runs the command in-process and returns its exit code and output.
func rbacdrift(ctx context.Context, args ...string) (int, string, string) {
	var stdout, stderr bytes.Buffer
	code := run(ctx, args, strings.NewReader(""), &stdout, &stderr)
	return code, stdout.String(), stderr.String()
}

// A dbState is what must not change when rbacdrift runs.
type dbState struct {
	Catalog   string            // md5 of the catalog rows a write would change
	Rows      map[string]string // table -> md5 of its rows
	Writes    map[string]string // table -> n_tup_ins/upd/del/hot_upd, n_live/dead_tup
	Temp      int               // temporary schemas and relations
	Prepared  int               // prepared transactions
	Sequences string
}

// catalogFingerprint covers every catalog row an rbacdrift write could
// touch: relations and their ACLs, columns, constraints, indexes, types,
// enums, policies, schemas, functions, defaults, rules, triggers, default
// privileges, the database's ACL. Fields that the server changes on its own
// (relpages, reltuples, statistics) are left out.
const catalogFingerprint = `
SELECT md5(string_agg(x, E'\n' ORDER BY x)) FROM (
  SELECT concat_ws(' ', 'class', oid, relname, relnamespace, relkind, relowner, relacl, relrowsecurity,
    relforcerowsecurity, relpersistence, relfilenode, relhasindex, relreplident) FROM pg_class
  UNION ALL SELECT concat_ws(' ', 'attribute', attrelid, attnum, attname, atttypid, atttypmod, attnotnull,
    attisdropped, atthasdef, attidentity, attgenerated, attacl) FROM pg_attribute
  UNION ALL SELECT concat_ws(' ', 'constraint', oid, conname, contype, conrelid, conkey, confkey, confrelid,
    convalidated, pg_get_constraintdef(oid)) FROM pg_constraint
  UNION ALL SELECT concat_ws(' ', 'index', indexrelid, indrelid, indkey, indisunique, indisvalid,
    indisready, pg_get_indexdef(indexrelid)) FROM pg_index
  UNION ALL SELECT concat_ws(' ', 'type', oid, typname, typnamespace, typowner, typacl) FROM pg_type
  UNION ALL SELECT concat_ws(' ', 'enum', oid, enumtypid, enumsortorder, enumlabel) FROM pg_enum
  UNION ALL SELECT concat_ws(' ', 'policy', oid, polname, polrelid, polcmd, polpermissive, polroles,
    pg_get_expr(polqual, polrelid), pg_get_expr(polwithcheck, polrelid)) FROM pg_policy
  UNION ALL SELECT concat_ws(' ', 'namespace', oid, nspname, nspowner, nspacl) FROM pg_namespace
  UNION ALL SELECT concat_ws(' ', 'proc', oid, proname, pronamespace, proowner, proacl, md5(prosrc)) FROM pg_proc
  UNION ALL SELECT concat_ws(' ', 'default', oid, adrelid, adnum, pg_get_expr(adbin, adrelid)) FROM pg_attrdef
  UNION ALL SELECT concat_ws(' ', 'rule', oid, rulename, ev_class, ev_enabled) FROM pg_rewrite
  UNION ALL SELECT concat_ws(' ', 'trigger', oid, tgname, tgrelid, tgenabled) FROM pg_trigger
  UNION ALL SELECT concat_ws(' ', 'defacl', oid, defaclrole, defaclnamespace, defaclacl) FROM pg_default_acl
  UNION ALL SELECT concat_ws(' ', 'database', datname, datacl, datconnlimit) FROM pg_database
    WHERE datname = current_database()
) f(x)`

// writeCounters reads the write statistics of every user table. Before
// PostgreSQL 15 a separate collector process receives them from each
// backend, asynchronously, and serves a file it rewrites at most every half
// second: there the counters are read until two reads 0.6 s apart agree
// (for at most 10 s), so that a baseline is not taken before the fixture's
// own inserts have arrived. From 15 on, a backend flushes them to shared
// memory as it exits, which waitSessionsGone waits for.
func writeCounters(t *testing.T, conn *pgx.Conn) map[string]string {
	t.Helper()
	ctx := t.Context()
	read := func() map[string]string {
		if _, err := conn.Exec(ctx, "SELECT pg_stat_clear_snapshot()"); err != nil {
			t.Fatal(err)
		}
		rows, _ := conn.Query(ctx, `SELECT format('%I.%I', schemaname, relname),
			concat_ws(' ', 'ins', n_tup_ins, 'upd', n_tup_upd, 'del', n_tup_del, 'hot', n_tup_hot_upd, 'live', n_live_tup, 'dead', n_dead_tup)
			FROM pg_stat_user_tables ORDER BY 1`)
		out := map[string]string{}
		var name, counters string
		if _, err := pgx.ForEachRow(rows, []any{&name, &counters}, func() error { out[name] = counters; return nil }); err != nil {
			t.Fatal(err)
		}
		return out
	}
	var version int
	if err := conn.QueryRow(ctx, "SELECT current_setting('server_version_num')::int").Scan(&version); err != nil {
		t.Fatal(err)
	}
	got := read()
	if version >= 150000 {
		return got
	}
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); {
		time.Sleep(600 * time.Millisecond)
		again := read()
		if maps.Equal(got, again) {
			return got
		}
		got = again
	}
	return got
}

// readState reads the state of db, after waiting for every other session
// on it to end, so that their statistics have been flushed.
func readState(t *testing.T, db *pgtest.DB) dbState {
	t.Helper()
	ctx := t.Context()
	conn, err := pgx.Connect(ctx, db.URL)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(context.Background())
	waitSessionsGone(t, conn, "")
	var s dbState
	if err := conn.QueryRow(ctx, catalogFingerprint).Scan(&s.Catalog); err != nil {
		t.Fatalf("catalog fingerprint: %v", err)
	}
	rows, _ := conn.Query(ctx, `SELECT format('%I.%I', schemaname, relname) FROM pg_stat_user_tables ORDER BY 1`)
	tables, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		t.Fatal(err)
	}
	s.Rows = map[string]string{}
	for _, tbl := range tables {
		var sum *string
		if err := conn.QueryRow(ctx, "SELECT md5(string_agg(t::text, E'\\n' ORDER BY t::text)) FROM "+tbl+" t").Scan(&sum); err != nil {
			t.Fatalf("rows of %s: %v", tbl, err)
		}
		s.Rows[tbl] = deref(sum)
	}
	s.Writes = writeCounters(t, conn)
	if err := conn.QueryRow(ctx, `SELECT
		(SELECT count(*) FROM pg_namespace WHERE nspname ~ '^pg_(toast_)?temp_')
		+ (SELECT count(*) FROM pg_class WHERE relpersistence = 't')`).Scan(&s.Temp); err != nil {
		t.Fatal(err)
	}
	if err := conn.QueryRow(ctx, "SELECT count(*) FROM pg_prepared_xacts WHERE database = current_database()").Scan(&s.Prepared); err != nil {
		t.Fatal(err)
	}
	if err := conn.QueryRow(ctx, "SELECT coalesce(string_agg(concat_ws(' ', sequencename, last_value), ', ' ORDER BY sequencename), '') FROM pg_sequences").Scan(&s.Sequences); err != nil {
		t.Fatal(err)
	}
	return s
}

func deref(s *string) string {
	if s == nil {
		return "(empty)"
	}
	return *s
}

// waitSessionsGone waits until no other session is connected to conn's
// database (only those named app when app is not empty): a backend flushes
// its statistics when it exits, after the client has gone.
func waitSessionsGone(t testing.TB, conn *pgx.Conn, app string) {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for {
		var n int
		var what string
		err := conn.QueryRow(t.Context(), `SELECT count(*), coalesce(string_agg(concat_ws(' ', application_name, state, query), '; '), '')
			FROM pg_stat_activity
			WHERE datname = current_database() AND pid <> pg_backend_pid() AND backend_type = 'client backend'
			AND ($1 = '' OR application_name = $1)`, app).Scan(&n, &what)
		if err != nil {
			t.Fatal(err)
		}
		if n == 0 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d sessions still connected to the database after 15s: %s", n, what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// TestZeroWrites runs every command, with every output format, the dry run
// and samples included, and proves the database did not change: catalog,
// rows, write statistics, sequences, temporary objects, prepared
// transactions. It also checks each message the command sent against the
// allow-list of the README's "Safety" section.
func TestZeroWrites(t *testing.T) {
	db, app, modelFile := safetyDB(t)
	// A migration tool's history, for check --migrations to read.
	db.ExecFile(t, "../../testdata/reference/legacy_drizzle_history.sql")
	rec := recordWire(t, db.Name)
	url := db.URLAs("postgres", safetyPassword)
	dir := filepath.Dir(modelFile)
	before := readState(t, db)

	type step struct {
		args     []string
		wantCode int
	}
	steps := []step{
		{[]string{"validate", modelFile}, exitOK},
		{[]string{"check", "--db", url, "--spec", modelFile}, exitDrift},
		{[]string{"check", "--db", url, "--spec", modelFile, "--format", "json",
			"--report", "junit=" + filepath.Join(dir, "r.xml"), "--report", "sarif=" + filepath.Join(dir, "r.sarif"),
			"--report", "markdown=" + filepath.Join(dir, "r.md"), "--report", "github=" + filepath.Join(dir, "r.github"),
			"--report", "text=" + filepath.Join(dir, "r.txt")}, exitDrift},
		{[]string{"check", "--db", url, "--spec", modelFile, "--format", "github", "--run-as", app}, exitDrift},
		{[]string{"check", "--db", url, "--spec", modelFile, "--migrations", "../../testdata/migrations/drizzle-reference"}, exitDrift},
		{[]string{"check", "--db", url, "--spec", modelFile, "--schemas", "pub*", "--run-as", app}, exitDrift},
		{[]string{"snapshot", "--db", url, "--grants-for", app}, exitOK},
		{[]string{"snapshot", "--db", url, "--out", filepath.Join(dir, "snap.yaml")}, exitOK},
		{[]string{"check", "--db", url, "--spec", filepath.Join(dir, "snap.yaml"), "--format", "sarif"}, exitOK},
	}
	for _, s := range steps {
		code, stdout, stderr := rbacdrift(t.Context(), s.args...)
		if code != s.wantCode {
			t.Errorf("rbacdrift %s: exit %d, want %d\nstdout:\n%s\nstderr:\n%s", strings.Join(s.args, " "), code, s.wantCode, stdout, stderr)
		}
		if strings.Contains(stdout+stderr, safetyPassword) {
			t.Errorf("rbacdrift %s: the password is in the output", s.args[0])
		}
	}

	// Report files and the snapshot (its header names the server) hold no password.
	assertNoSecret(t, safetyPassword, nil, dir)
	if b, err := os.ReadFile(filepath.Join(dir, "snap.yaml")); err != nil || !strings.Contains(string(b), "# rbacdrift snapshot of postgres://postgres@") {
		t.Errorf("snapshot header (err %v):\n%.300s", err, b)
	}

	after := readState(t, db)
	if diff := cmp.Diff(before, after); diff != "" {
		t.Errorf("the database changed (-before +after):\n%s", diff)
	}
	if before.Temp != 0 || before.Prepared != 0 {
		t.Errorf("fixture has %d temporary objects and %d prepared transactions, want none", before.Temp, before.Prepared)
	}

	// The allow-list: every message of every session.
	model, err := spec.Load(modelFile)
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
	got := checkWire(t, rec.messages(t), appSQL, sampled)
	t.Logf("sent: %+v", got)
	// What the steps must have sent: 10 sessions (one per check, two per
	// snapshot, which reads half of the relations on each); 5 dry runs of 6
	// queries, each prepared and planned (one as a tenant schema); 4 samples
	// per dry run (one query has two); the migration history read.
	if got.Connections != 10 || got.CatalogReads == 0 || got.Prepares < 30 || got.Explains < 30 ||
		got.Samples != 20 || got.ReadOnlyTx < 30 || got.Deallocates < 30 || got.HistoryReads < 1 {
		t.Errorf("the recorder saw %+v; want 10 connections, catalog reads, history reads, and for 5 dry runs of 6 queries at least 30 read-only transactions, prepares, EXPLAINs and deallocations, and 20 samples", got)
	}

	// The measures see writes: the same checks catch one row written by
	// another session.
	db.Exec(t, "INSERT INTO audit_log (note) VALUES ('a write the test makes')")
	written := readState(t, db)
	if written.Rows["public.audit_log"] == after.Rows["public.audit_log"] {
		t.Error("the row fingerprint did not see an INSERT")
	}
	deadline := time.Now().Add(10 * time.Second)
	for written.Writes["public.audit_log"] == after.Writes["public.audit_log"] && time.Now().Before(deadline) {
		time.Sleep(100 * time.Millisecond)
		written = readState(t, db)
	}
	if written.Writes["public.audit_log"] == after.Writes["public.audit_log"] {
		t.Errorf("pg_stat_user_tables did not count an INSERT: %s", written.Writes["public.audit_log"])
	}
}

// diffStates returns the difference of two database states, "" when equal.
func diffStates(before, after dbState) string { return cmp.Diff(before, after) }
