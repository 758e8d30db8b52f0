package dryrun

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/rbacdrift/rbacdrift/drift"
	"github.com/rbacdrift/rbacdrift/internal/pgsession"
	"github.com/rbacdrift/rbacdrift/internal/sqllex"
	"github.com/rbacdrift/rbacdrift/introspect"
	"github.com/rbacdrift/rbacdrift/introspect/catalog"
	"github.com/rbacdrift/rbacdrift/spec"
)

// StatementName is the name of the prepared statement that holds the query
// being dry-run. It is created and closed inside one read-only transaction.
const StatementName = "rbacdrift_dryrun"

const (
	// planCacheMode makes EXPLAIN EXECUTE plan generically: with custom
	// plans the NULL arguments fold every filter to false.
	planCacheMode = "SET LOCAL plan_cache_mode = force_generic_plan"
	// setRoleSQL is SET LOCAL ROLE with the role name as a parameter.
	setRoleSQL = "SELECT pg_catalog.set_config('role', $1, true)"
	// setPathSQL puts a schema ($1, quoted as search_path wants it) first on
	// the search_path of the transaction.
	setPathSQL = introspect.SetSearchPathSQL
)

// Input is what [Run] dry-runs.
type Input struct {
	Model *spec.Model
	// Catalog is what [drift.Check] read; it explains errors (a legacy
	// layout, a table in another schema). Nil gives the server's words only.
	Catalog *catalog.Catalog
	// Types is the server's reading of the model's declared type names, as
	// [drift.ResolveTypes] returns it.
	Types map[string]catalog.Type
	// RunAs, when set, replaces the model's default run_as (role names often
	// differ between staging and production). A query's own run_as stays.
	RunAs string
	// SearchPath, when set, is a schema put first on the search_path of
	// every query's transaction (a tenant schema of check --schemas).
	SearchPath string
}

// Run dry-runs every query of in.Model on conn and returns the findings,
// sorted. An error means the dry run could not go on (the connection broke,
// the context ended), not that a query failed: that is a finding.
func Run(ctx context.Context, conn *pgsession.Session, in Input) ([]*drift.Finding, error) {
	return run(ctx, conn, in, false)
}

// run is [Run]; sequential sends each statement of a query's transaction
// in a round trip of its own, waiting for its answer, as the dry run did
// before it was pipelined (the tests compare the two).
func run(ctx context.Context, conn *pgsession.Session, in Input, sequential bool) ([]*drift.Finding, error) {
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
	r := &runner{in: in, conn: conn, pg: conn.PgConn(), roles: roles, sequential: sequential}
	var out []*drift.Finding
	var tries []*try
	for _, q := range in.Model.Queries {
		t, fs, err := r.query(ctx, q)
		if err != nil {
			return nil, fmt.Errorf("dry-running query %s: %w", q.Name, err)
		}
		out = append(out, fs...)
		if t != nil {
			tries = append(tries, t)
		}
	}
	// What the catalog says of the relations the queries name, for all of
	// them in one round trip, after their transactions.
	if err := r.readFacts(ctx, tries); err != nil {
		return nil, fmt.Errorf("dry run: %w", err)
	}
	for _, t := range tries {
		out = append(out, r.findings(t)...)
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
	in         Input
	conn       *pgsession.Session
	pg         *pgconn.PgConn
	roles      *catalog.Roles
	sequential bool
}

// A try is what the server said about one query.
type try struct {
	q        *spec.Query
	role     *catalog.Role
	roleName string // as SET ROLE was given it, or the connecting user
	setRole  bool   // the query has a run_as: SET ROLE before it
	sql      *sqlText
	kind     string // first keyword: SELECT, INSERT ...
	declared []uint32
	sent     string // the text sent when it is not q.SQL (see genericText)

	desc      *pgconn.StatementDescription
	prepErr   *pgconn.PgError
	inferred  []uint32 // parameter types the server infers, when prepErr came with declared types
	planErr   *pgconn.PgError
	plan      *plan
	sampleErr *pgconn.PgError
	sampled   bool
	rows      int
	facts     *catalog.QueryFacts
}

// query dry-runs q and returns what the server said, for [runner.findings]
// once the facts are read; or the finding that ends it early (its role
// cannot be had).
func (r *runner) query(ctx context.Context, q *spec.Query) (*try, []*drift.Finding, error) {
	t := &try{q: q, sql: parseSQL(q.SQL), kind: sqllex.FirstKeyword(q.SQL)}
	t.roleName = r.in.roleOf(q)
	t.setRole = t.roleName != ""
	if !t.setRole {
		t.role, t.roleName = r.roles.CurrentUser, r.roles.CurrentUser.Name
	} else {
		t.role = r.roles.ByName[t.roleName]
		if f := r.unavailable(t, nil); f != nil {
			return nil, []*drift.Finding{f}, nil
		}
	}
	t.declared = r.paramOIDs(q)
	if sent, oids := genericText(q.SQL, t.declared); sent != q.SQL {
		t.sent, t.declared = sent, oids
	}

	var roleErr *pgconn.PgError
	if err := r.prepareAndPlan(ctx, t, &roleErr); err != nil {
		return nil, nil, err
	}
	if roleErr != nil {
		return nil, []*drift.Finding{r.unavailable(t, roleErr)}, nil
	}
	if t.prepErr != nil && len(q.Params) > 0 && paramTypeError(t.prepErr.Code) {
		// Would the query prepare if the server chose the parameter types?
		// Then the types the driver sends are the problem.
		if err := r.prepareInferred(ctx, t, &roleErr); err != nil {
			return nil, nil, err
		}
	}
	return t, nil, nil
}

// inTx runs fn in a read-only transaction as t's role, with the session's
// limits (statement_timeout shrinks with what is left of the run, so that a
// slow query ends as a finding, 57014, and the queries after it still run),
// and always closes the statement and rolls back, in that order and in one
// round trip, so that nothing outlives the transaction. A failure to assume
// the role is put in *roleErr; fn is then not run.
func (r *runner) inTx(ctx context.Context, t *try, roleErr **pgconn.PgError, fn func() error) (err error) {
	begin := strings.Join(r.conn.BeginStatements(r.conn.StatementTimeout(ctx), planCacheMode), "; ")
	if _, err := r.pg.Exec(ctx, begin).ReadAll(); err != nil {
		r.rollback(ctx)
		return fmt.Errorf("opening a read-only transaction: %w", err)
	}
	defer func() {
		if rerr := r.rollback(ctx); err == nil && rerr != nil {
			err = rerr
		}
	}()
	if r.in.SearchPath != "" {
		if _, err := r.pg.ExecParams(ctx, setPathSQL, [][]byte{[]byte(introspect.SearchPathValue(r.in.SearchPath))}, nil, nil, nil).Close(); err != nil {
			return fmt.Errorf("setting the search_path: %w", err)
		}
	}
	if t.setRole {
		res := r.pg.ExecParams(ctx, setRoleSQL, [][]byte{[]byte(t.roleName)}, nil, nil, nil).Read()
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

// prepareAndPlan prepares, plans and samples t in its transaction.
func (r *runner) prepareAndPlan(ctx context.Context, t *try, roleErr **pgconn.PgError) error {
	if r.sequential {
		return r.inTx(ctx, t, roleErr, func() error { return r.stepByStep(ctx, t) })
	}
	n := t.paramCount()
	if err := r.pipelined(ctx, t, n, roleErr); err != nil {
		return err
	}
	if t.desc != nil && len(t.desc.ParamOIDs) != n {
		// The server counts the parameters otherwise than the SQL's $N
		// (never seen; the lexer would have to misread the SQL): the
		// EXPLAIN had the wrong number of NULLs and the sample may be
		// missing. Ask again, one statement at a time, as the server counts.
		*t = try{q: t.q, role: t.role, roleName: t.roleName, setRole: t.setRole, sql: t.sql, kind: t.kind, declared: t.declared, sent: t.sent}
		*roleErr = nil
		return r.inTx(ctx, t, roleErr, func() error { return r.stepByStep(ctx, t) })
	}
	return nil
}

// prepareInferred prepares t again, in a transaction of its own, with no
// declared parameter types, and keeps the types the server infers.
func (r *runner) prepareInferred(ctx context.Context, t *try, roleErr **pgconn.PgError) error {
	if r.sequential {
		return r.inTx(ctx, t, roleErr, func() error {
			sd, err := r.pg.Prepare(ctx, "", t.q.SQL, nil)
			if err == nil {
				t.inferred = sd.ParamOIDs
				return nil
			}
			_, err = asPgError(err)
			return err
		})
	}
	return r.inPipeline(ctx, t, roleErr, func(p *pgconn.Pipeline) {
		p.SendPrepare("", t.q.SQL, nil)
	}, func(p *pgconn.Pipeline) error {
		res, err := p.GetResults()
		if err != nil {
			_, err = asPgError(err)
			return err
		}
		sd, ok := res.(*pgconn.StatementDescription)
		if !ok {
			return fmt.Errorf("unexpected pipeline result %T", res)
		}
		t.inferred = sd.ParamOIDs
		return nil
	})
}

// explainSQL plans the prepared statement with n NULL arguments.
func explainSQL(n int) string {
	args := ""
	if n > 0 {
		args = "(" + strings.TrimSuffix(strings.Repeat("NULL, ", n), ", ") + ")"
	}
	return "EXPLAIN (VERBOSE, FORMAT JSON) EXECUTE " + StatementName + args
}

// sampleArgs returns the sample's arguments in the text format.
func sampleArgs(s *spec.Sample) [][]byte {
	vals := make([][]byte, len(s.Args))
	for i, a := range s.Args {
		vals[i] = argText(a)
	}
	return vals
}

// pipelined sends t's transaction in one round trip (see [runner.inPipeline]):
// the prepare, then, when the statement kind is one EXPLAIN takes, the
// EXPLAIN with n NULL arguments, then the sample when its argument count is
// n. What depended on an earlier answer needs no wait: a failed statement
// makes the server skip the rest up to the Sync, so the EXPLAIN runs only
// when the prepare succeeded and the sample only when both did, as one
// statement at a time would have it.
func (r *runner) pipelined(ctx context.Context, t *try, n int, roleErr **pgconn.PgError) error {
	planned := plannable(t.kind)
	sample := planned && t.q.Sample != nil && len(t.q.Sample.Args) == n
	return r.inPipeline(ctx, t, roleErr, func(p *pgconn.Pipeline) {
		p.SendPrepare(StatementName, t.text(), t.declared)
		if planned {
			p.SendQueryParams(explainSQL(n), nil, nil, nil, nil)
		}
		if sample {
			p.SendQueryPrepared(StatementName, sampleArgs(t.q.Sample), nil, nil)
		}
	}, func(p *pgconn.Pipeline) error {
		res, err := p.GetResults()
		if err != nil {
			t.prepErr, err = asPgError(err)
			return err
		}
		sd, ok := res.(*pgconn.StatementDescription)
		if !ok {
			return fmt.Errorf("unexpected pipeline result %T", res)
		}
		t.desc = sd
		if !planned {
			return nil
		}
		rr, err := resultReader(p)
		if err != nil {
			t.planErr, err = asPgError(err)
			return err
		}
		var text strings.Builder
		rows := 0
		for rr.NextRow() {
			if v := rr.Values(); len(v) > 0 && len(v[0]) > 0 {
				text.Write(v[0])
				text.WriteByte('\n')
				rows++
			}
		}
		if _, err := rr.Close(); err != nil {
			t.planErr, err = asPgError(err)
			return err
		}
		if rows == 0 {
			return fmt.Errorf("EXPLAIN returned no plan")
		}
		if t.plan, err = parsePlan(text.String()); err != nil {
			return err
		}
		if !sample {
			return nil
		}
		if rr, err = resultReader(p); err == nil {
			for rr.NextRow() {
				t.rows++
			}
			_, err = rr.Close()
		}
		if err != nil {
			t.sampleErr, err = asPgError(err)
			return err
		}
		t.sampled = true
		return nil
	})
}

// resultReader returns the next result of p, which must be a query's.
func resultReader(p *pgconn.Pipeline) (*pgconn.ResultReader, error) {
	res, err := p.GetResults()
	if err != nil {
		return nil, err
	}
	rr, ok := res.(*pgconn.ResultReader)
	if !ok {
		return nil, fmt.Errorf("unexpected pipeline result %T", res)
	}
	return rr, nil
}

// inPipeline runs one read-only transaction as t's role in one round trip,
// like [runner.inTx]: the statements of [pgsession.Session.BeginStatements],
// the role, what send queues, then a Sync; then the Close of the statement
// and ROLLBACK, and a second Sync, all sent at once. recv reads the answers
// to what send queued, in order, and stops at the first server error (the
// server skipped the rest). The Close and the ROLLBACK come after the first
// Sync so that the server runs them also after an error: it takes both in a
// failed transaction, so the statement never outlives the transaction. A
// failure to assume the role is put in *roleErr; recv is then not called.
func (r *runner) inPipeline(ctx context.Context, t *try, roleErr **pgconn.PgError, send func(p *pgconn.Pipeline), recv func(p *pgconn.Pipeline) error) (err error) {
	p := r.pg.StartPipeline(ctx)
	begin := r.conn.BeginStatements(r.conn.StatementTimeout(ctx), planCacheMode)
	for _, b := range begin {
		p.SendQueryParams(b, nil, nil, nil, nil)
	}
	if r.in.SearchPath != "" {
		p.SendQueryParams(setPathSQL, [][]byte{[]byte(introspect.SearchPathValue(r.in.SearchPath))}, nil, nil, nil)
	}
	if t.setRole {
		p.SendQueryParams(setRoleSQL, [][]byte{[]byte(t.roleName)}, nil, nil, nil)
	}
	send(p)
	p.SendPipelineSync()
	p.SendDeallocate(StatementName)
	p.SendQueryParams("ROLLBACK", nil, nil, nil, nil)
	if err := p.Sync(); err != nil {
		p.Close()
		return fmt.Errorf("sending to the server: %w", err)
	}
	err = func() error {
		for range begin {
			if err := execResult(p); err != nil {
				return fmt.Errorf("opening a read-only transaction: %w", err)
			}
		}
		if r.in.SearchPath != "" {
			if err := execResult(p); err != nil {
				return fmt.Errorf("setting the search_path: %w", err)
			}
		}
		if t.setRole {
			if err := execResult(p); err != nil {
				pgErr, err := asPgError(err)
				if err != nil {
					return fmt.Errorf("setting the role %s: %w", t.roleName, err)
				}
				*roleErr = pgErr
				return nil
			}
		}
		return recv(p)
	}()
	// Close reads what is left: the Sync, the Close, the ROLLBACK and the
	// second Sync. A server error it meets is one recv has seen.
	var pgErr *pgconn.PgError
	if cerr := p.Close(); cerr != nil && !errors.As(cerr, &pgErr) && err == nil {
		err = fmt.Errorf("rolling back: %w", cerr)
	}
	if !r.pg.IsClosed() && r.pg.TxStatus() != 'I' {
		// Only when the answers were not all read: close and roll back
		// again, as inTx does.
		if rerr := r.rollback(context.WithoutCancel(ctx)); err == nil && rerr != nil {
			err = rerr
		}
	}
	return err
}

// execResult reads the next result of p to its end.
func execResult(p *pgconn.Pipeline) error {
	rr, err := resultReader(p)
	if err != nil {
		return err
	}
	_, err = rr.Close()
	return err
}

// stepByStep prepares, plans and samples t one statement at a time.
func (r *runner) stepByStep(ctx context.Context, t *try) error {
	sd, err := r.pg.Prepare(ctx, StatementName, t.text(), t.declared)
	if err != nil {
		t.prepErr, err = asPgError(err)
		return err
	}
	t.desc = sd
	if !plannable(t.kind) {
		return nil
	}
	res, err := r.pg.Exec(ctx, explainSQL(len(sd.ParamOIDs))).ReadAll()
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
		rr := r.pg.ExecPrepared(ctx, StatementName, sampleArgs(s), nil, nil)
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

// readFacts reads, for every try in one round trip, what the catalog says
// of the relations its query names, for its role, and the names of the
// types the server described.
func (r *runner) readFacts(ctx context.Context, tries []*try) error {
	if len(tries) == 0 {
		return nil
	}
	reqs := make([]introspect.FactsRequest, len(tries))
	for i, t := range tries {
		reqs[i] = factsRequest(t)
	}
	facts, err := introspect.ReadQueryFactsBatch(ctx, r.conn, r.in.SearchPath, reqs)
	if err != nil {
		return err
	}
	for i, t := range tries {
		t.facts = facts[i]
	}
	return nil
}

// factsRequest is what t's findings need from the catalog. Only the
// relations the SQL names: a relation the plan reaches through a view is
// read with the view owner's rights, and a partition under its parent's
// policies, so neither is judged as the query's role.
func factsRequest(t *try) introspect.FactsRequest {
	req := introspect.FactsRequest{Role: t.roleName, Relations: t.sql.names}
	if e := t.err(); e != nil && e.Code == "42P01" {
		if n, ok := missingRelation(e.Message); ok {
			parts := strings.Split(n, ".")
			req.BareNames = append(req.BareNames, parts[len(parts)-1])
		}
	}
	if t.desc != nil {
		for _, o := range t.desc.ParamOIDs {
			req.Types = append(req.Types, catalog.TypeRef{OID: o, TypMod: -1})
		}
		for _, f := range t.desc.Fields {
			req.Types = append(req.Types, catalog.TypeRef{OID: f.DataTypeOID, TypMod: f.TypeModifier})
		}
	}
	for _, o := range t.inferred {
		req.Types = append(req.Types, catalog.TypeRef{OID: o, TypMod: -1})
	}
	return req
}

// paramCount is the number of parameters the server describes for t: the
// declared types, or more when the SQL refers to a higher $N.
func (t *try) paramCount() int {
	return max(len(t.declared), maxParam(t.q.SQL))
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
