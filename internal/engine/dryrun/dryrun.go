package dryrun

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/rbacdrift/rbacdrift/drift"
	"github.com/rbacdrift/rbacdrift/introspect"
	"github.com/rbacdrift/rbacdrift/spec"
)

// StatementName is the name of the prepared statement that holds the query
// being dry-run. It is created and closed inside one read-only transaction.
const StatementName = "rbacdrift_dryrun"

// Input is what [Run] dry-runs.
type Input struct {
	Model *spec.Model
	// Catalog is what [drift.Check] read; it explains errors (a legacy
	// layout, a table in another schema). Nil gives the server's words only.
	Catalog *introspect.Catalog
	// Types is the server's reading of the model's declared type names, as
	// [drift.ResolveTypes] returns it.
	Types map[string]introspect.Type
	// RunAs, when set, replaces the model's default run_as (role names often
	// differ between staging and production). A query's own run_as stays.
	RunAs string
}

// Run dry-runs every query of in.Model on conn and returns the findings,
// sorted. An error means the dry run could not go on (the connection broke,
// the context ended), not that a query failed: that is a finding.
func Run(ctx context.Context, conn *introspect.Session, in Input) ([]*drift.Finding, error) {
	if in.Model == nil || len(in.Model.Queries) == 0 {
		return nil, nil
	}
	var names []string
	seen := map[string]bool{}
	for _, q := range in.Model.Queries {
		if r := in.roleOf(q); r != "" && !seen[r] {
			seen[r] = true
			names = append(names, r)
		}
	}
	roles, err := introspect.ReadRoles(ctx, conn, names)
	if err != nil {
		return nil, fmt.Errorf("dry run: %w", err)
	}
	r := &runner{in: in, conn: conn, pg: conn.PgConn(), roles: roles}
	var out []*drift.Finding
	for _, q := range in.Model.Queries {
		fs, err := r.query(ctx, q)
		if err != nil {
			return nil, fmt.Errorf("dry-running query %s: %w", q.Name, err)
		}
		out = append(out, fs...)
	}
	drift.Sort(out)
	return out, nil
}

// roleOf returns the role q runs as: its own run_as, else the override,
// else the model's run_as; "" for the connecting user.
func (in Input) roleOf(q *spec.Query) string {
	if in.RunAs != "" && (q.RunAs == "" || q.RunAs == in.Model.RunAs) {
		return in.RunAs
	}
	return q.RunAs
}

type runner struct {
	in    Input
	conn  *introspect.Session
	pg    *pgconn.PgConn
	roles *introspect.Roles
}

// A try is what the server said about one query.
type try struct {
	q        *spec.Query
	role     *introspect.Role
	roleName string // as SET ROLE was given it, or the connecting user
	setRole  bool   // the query has a run_as: SET ROLE before it
	sql      *sqlText
	kind     string // first keyword: SELECT, INSERT ...
	declared []uint32

	desc      *pgconn.StatementDescription
	prepErr   *pgconn.PgError
	inferred  []uint32 // parameter types the server infers, when prepErr came with declared types
	planErr   *pgconn.PgError
	plan      *plan
	sampleErr *pgconn.PgError
	sampled   bool
	rows      int
	facts     *introspect.QueryFacts
}

func (r *runner) query(ctx context.Context, q *spec.Query) ([]*drift.Finding, error) {
	t := &try{q: q, sql: parseSQL(q.SQL), kind: spec.FirstKeyword(q.SQL)}
	t.roleName = r.in.roleOf(q)
	t.setRole = t.roleName != ""
	if !t.setRole {
		t.role, t.roleName = r.roles.CurrentUser, r.roles.CurrentUser.Name
	} else {
		t.role = r.roles.ByName[t.roleName]
		if f := r.unavailable(t, nil); f != nil {
			return []*drift.Finding{f}, nil
		}
	}
	t.declared = r.paramOIDs(q)

	var roleErr *pgconn.PgError
	err := r.inTx(ctx, t, &roleErr, func() error { return r.prepareAndPlan(ctx, t) })
	if err != nil {
		return nil, err
	}
	if roleErr != nil {
		return []*drift.Finding{r.unavailable(t, roleErr)}, nil
	}
	if t.prepErr != nil && len(q.Params) > 0 && paramTypeError(t.prepErr.Code) {
		// Would the query prepare if the server chose the parameter types?
		// Then the types the driver sends are the problem.
		err := r.inTx(ctx, t, &roleErr, func() error {
			sd, err := r.pg.Prepare(ctx, "", q.SQL, nil)
			if err == nil {
				t.inferred = sd.ParamOIDs
				return nil
			}
			_, err = asPgError(err)
			return err
		})
		if err != nil {
			return nil, err
		}
	}
	if err := r.readFacts(ctx, t); err != nil {
		return nil, err
	}
	return r.findings(t), nil
}

// inTx runs fn in a read-only transaction as t's role, with the session's
// limits (statement_timeout shrinks with what is left of the run, so that a
// slow query ends as a finding, 57014, and the queries after it still run),
// and always closes the statement and rolls back, in that order and in one
// round trip, so that nothing outlives the transaction. A failure to assume
// the role is put in *roleErr; fn is then not run.
func (r *runner) inTx(ctx context.Context, t *try, roleErr **pgconn.PgError, fn func() error) (err error) {
	begin := strings.Join(r.conn.BeginStatements(r.conn.StatementTimeout(ctx), "SET LOCAL plan_cache_mode = force_generic_plan"), "; ")
	if _, err := r.pg.Exec(ctx, begin).ReadAll(); err != nil {
		r.rollback(ctx)
		return fmt.Errorf("opening a read-only transaction: %w", err)
	}
	defer func() {
		if rerr := r.rollback(ctx); err == nil && rerr != nil {
			err = rerr
		}
	}()
	if t.setRole {
		res := r.pg.ExecParams(ctx, "SELECT pg_catalog.set_config('role', $1, true)", [][]byte{[]byte(t.roleName)}, nil, nil, nil).Read()
		if res.Err != nil {
			pgErr, err := asPgError(res.Err)
			if err != nil {
				return fmt.Errorf("setting the role %s: %w", t.roleName, err)
			}
			*roleErr = pgErr
			return nil
		}
	}
	return fn()
}

// rollback closes the prepared statement and ends the transaction, inside
// it and in one round trip; neither fails on a connection that is idle or in
// a failed transaction.
func (r *runner) rollback(ctx context.Context) error {
	return r.conn.Rollback(ctx, StatementName)
}

// asPgError splits a server error (a finding) from any other (the end of the run).
func asPgError(err error) (*pgconn.PgError, error) {
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		return pgErr, nil
	}
	return nil, err
}

func paramTypeError(code string) bool {
	switch code {
	case "42883", "42804", "42725", "22P02":
		return true
	}
	return false
}

// plannable reports whether EXPLAIN takes a statement starting with keyword.
func plannable(keyword string) bool {
	switch keyword {
	case "SELECT", "WITH", "VALUES", "TABLE", "INSERT", "UPDATE", "DELETE", "MERGE":
		return true
	}
	return false
}

func (r *runner) paramOIDs(q *spec.Query) []uint32 {
	if len(q.Params) == 0 {
		return nil
	}
	oids := make([]uint32, len(q.Params))
	for i, p := range q.Params {
		oids[i] = r.in.Types[p].OID // 0, the server infers it, when the type is unknown
	}
	return oids
}

func (r *runner) prepareAndPlan(ctx context.Context, t *try) error {
	sd, err := r.pg.Prepare(ctx, StatementName, t.q.SQL, t.declared)
	if err != nil {
		t.prepErr, err = asPgError(err)
		return err
	}
	t.desc = sd
	if !plannable(t.kind) {
		return nil
	}
	args := ""
	if n := len(sd.ParamOIDs); n > 0 {
		args = "(" + strings.TrimSuffix(strings.Repeat("NULL, ", n), ", ") + ")"
	}
	res, err := r.pg.Exec(ctx, "EXPLAIN (VERBOSE, FORMAT JSON) EXECUTE "+StatementName+args).ReadAll()
	if err != nil {
		t.planErr, err = asPgError(err)
		return err
	}
	if len(res) != 1 || len(res[0].Rows) == 0 || len(res[0].Rows[0]) == 0 {
		return fmt.Errorf("EXPLAIN returned no plan")
	}
	var text strings.Builder
	for _, row := range res[0].Rows {
		text.Write(row[0])
		text.WriteByte('\n')
	}
	if t.plan, err = parsePlan(text.String()); err != nil {
		return err
	}
	if s := t.q.Sample; s != nil && len(s.Args) == len(sd.ParamOIDs) {
		vals := make([][]byte, len(s.Args))
		for i, a := range s.Args {
			vals[i] = argText(a)
		}
		rr := r.pg.ExecPrepared(ctx, StatementName, vals, nil, nil)
		for rr.NextRow() {
			t.rows++
		}
		if _, err := rr.Close(); err != nil {
			t.sampleErr, err = asPgError(err)
			return err
		}
		t.sampled = true
	}
	return nil
}

// argText renders a sample argument in the text format; nil is NULL.
func argText(a any) []byte {
	switch v := a.(type) {
	case nil:
		return nil
	case string:
		return []byte(v)
	case int:
		return []byte(strconv.Itoa(v))
	case float64:
		return []byte(strconv.FormatFloat(v, 'g', -1, 64))
	case bool:
		return []byte(strconv.FormatBool(v))
	}
	return []byte(fmt.Sprint(a))
}

// readFacts reads what the catalog says of the relations the query names,
// for its role, and the names of the types the server described.
func (r *runner) readFacts(ctx context.Context, t *try) error {
	// Only the relations the SQL names: a relation the plan reaches through
	// a view is read with the view owner's rights, and a partition under
	// its parent's policies, so neither is judged as the query's role.
	rels := t.sql.names
	var bare []string
	if e := t.err(); e != nil && e.Code == "42P01" {
		if n, ok := missingRelation(e.Message); ok {
			parts := strings.Split(n, ".")
			bare = append(bare, parts[len(parts)-1])
		}
	}
	var types []introspect.TypeRef
	if t.desc != nil {
		for _, o := range t.desc.ParamOIDs {
			types = append(types, introspect.TypeRef{OID: o, TypMod: -1})
		}
		for _, f := range t.desc.Fields {
			types = append(types, introspect.TypeRef{OID: f.DataTypeOID, TypMod: f.TypeModifier})
		}
	}
	for _, o := range t.inferred {
		types = append(types, introspect.TypeRef{OID: o, TypMod: -1})
	}
	facts, err := introspect.ReadQueryFacts(ctx, r.conn, t.roleName, rels, bare, types)
	if err != nil {
		return err
	}
	t.facts = facts
	return nil
}

// err returns the first error the server gave.
func (t *try) err() *pgconn.PgError {
	switch {
	case t.prepErr != nil:
		return t.prepErr
	case t.planErr != nil:
		return t.planErr
	}
	return t.sampleErr
}

// paramType, fieldType and inferredType name the described types.
func (t *try) paramType(i int) string { return t.facts.TypeNames[i] }

func (t *try) fieldType(i int) string { return t.facts.TypeNames[len(t.desc.ParamOIDs)+i] }

func (t *try) inferredType(i int) string {
	n := 0
	if t.desc != nil {
		n = len(t.desc.ParamOIDs) + len(t.desc.Fields)
	}
	return t.facts.TypeNames[n+i]
}
