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
	// setConfigSQL sets a session setting for the transaction, its name and
	// value as parameters (SET LOCAL takes neither).
	setConfigSQL = "SELECT pg_catalog.set_config($1, $2, true)"
	// The savepoint around a sample with settings of its own, so that the
	// next sample does not see them.
	sampleSavepointSQL = "SAVEPOINT rbacdrift_sample"
	sampleRollbackSQL  = "ROLLBACK TO SAVEPOINT rbacdrift_sample"
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
	r := &runner{in: in, conn: conn, roles: roles}
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
	in    Input
	conn  *pgsession.Session
	roles *catalog.Roles
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

	desc     *pgconn.StatementDescription
	prepErr  *pgconn.PgError
	inferred []uint32 // parameter types the server infers, when prepErr came with declared types
	planErr  *pgconn.PgError
	plan     *plan
	// samples holds what each sample of the query gave, in order.
	samples []sampleRun
	// settingErr is the server's refusal of a setting (setting names it).
	settingErr *pgconn.PgError
	setting    setting
	facts      *catalog.QueryFacts
}

// A sampleRun is what one sample execution gave.
type sampleRun struct {
	err  *pgconn.PgError
	ran  bool
	rows int
}

// A setting is one set_config of a unit: a role's own (as a login gets
// it), the model's, the query's or a sample's.
type setting struct {
	name, value string
	from        string // where it comes from, for a finding
	pos         spec.Pos
}

// settings returns what a unit of t sets before the query, in order: the
// role's own settings as a login of it gets them (those it may set itself,
// and not those rbacdrift sets in every unit), then the model's, then the
// query's.
func (r *runner) settings(t *try) []setting {
	var out []setting
	if t.setRole && t.role != nil {
		for _, s := range t.role.Settings {
			if s.Settable && !spec.ReservedSetting(s.Name) {
				out = append(out, setting{name: s.Name, value: s.Value, from: fmt.Sprintf("the %s setting of %s", s.Scope, t.roleName)})
			}
		}
	}
	for _, s := range r.in.Model.Settings {
		out = append(out, setting{name: s.Name, value: s.Value, from: "the model's settings", pos: s.Pos})
	}
	for _, s := range t.q.Settings {
		out = append(out, setting{name: s.Name, value: s.Value, from: "the query's settings", pos: s.Pos})
	}
	return out
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

// queryUnit is the unit of work of every query: planned generically, and
// budgeted, so that a slow query ends as a finding (57014) and the queries
// after it still run.
var queryUnit = pgsession.UnitOptions{Settings: []string{planCacheMode}, Budgeted: true}

// inUnit runs one unit of work ([pgsession.Session.Unit], one round trip)
// as t's role: the search_path and the role, then what send queues. recv
// reads the answers to what send queued, in order, and stops at the first
// server error (the server skipped the rest). A failure to assume the role
// is put in *roleErr; recv is then not called.
func (r *runner) inUnit(ctx context.Context, t *try, roleErr **pgconn.PgError, send func(q *pgsession.Queue), recv func(res *pgsession.Results) error) error {
	sets := r.settings(t)
	return r.conn.Unit(ctx, queryUnit, func(q *pgsession.Queue) {
		if r.in.SearchPath != "" {
			q.Query(setPathSQL, introspect.SearchPathValue(r.in.SearchPath))
		}
		if t.setRole {
			q.Query(setRoleSQL, t.roleName)
		}
		for _, st := range sets {
			q.Query(setConfigSQL, st.name, st.value)
		}
		send(q)
	}, func(res *pgsession.Results) error {
		if r.in.SearchPath != "" {
			if _, err := res.Exec(); err != nil {
				return fmt.Errorf("setting the search_path: %w", err)
			}
		}
		if t.setRole {
			if _, err := res.Exec(); err != nil {
				pgErr, err := asPgError(err)
				if err != nil {
					return fmt.Errorf("setting the role %s: %w", t.roleName, err)
				}
				*roleErr = pgErr
				return nil
			}
		}
		for _, st := range sets {
			if _, err := res.Exec(); err != nil {
				pgErr, err := asPgError(err)
				if err != nil {
					return fmt.Errorf("setting %s: %w", st.name, err)
				}
				t.settingErr, t.setting = pgErr, st
				return nil
			}
		}
		return recv(res)
	})
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

// prepareAndPlan prepares, plans and samples t in its unit of work.
func (r *runner) prepareAndPlan(ctx context.Context, t *try, roleErr **pgconn.PgError) error {
	n := t.paramCount()
	if err := r.pipelined(ctx, t, n, roleErr); err != nil {
		return err
	}
	if t.desc != nil && len(t.desc.ParamOIDs) != n {
		// The server counts the parameters otherwise than the SQL's $N
		// (never seen; the lexer would have to misread the SQL): the
		// EXPLAIN had the wrong number of NULLs and the sample may be
		// missing. Ask again, with as many as the server counts.
		n = len(t.desc.ParamOIDs)
		*t = try{q: t.q, role: t.role, roleName: t.roleName, setRole: t.setRole, sql: t.sql, kind: t.kind, declared: t.declared, sent: t.sent}
		*roleErr = nil
		return r.pipelined(ctx, t, n, roleErr)
	}
	return nil
}

// prepareInferred prepares t again, in a unit of its own, with no declared
// parameter types, and keeps the types the server infers.
func (r *runner) prepareInferred(ctx context.Context, t *try, roleErr **pgconn.PgError) error {
	return r.inUnit(ctx, t, roleErr, func(q *pgsession.Queue) {
		q.Prepare("", t.q.SQL, nil)
	}, func(res *pgsession.Results) error {
		sd, err := res.Prepare()
		if err != nil {
			_, err = asPgError(err)
			return err
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

// pipelined sends t's unit of work in one round trip (see
// [runner.inUnit]): the prepare, then, when the statement kind is one
// EXPLAIN takes, the EXPLAIN with n NULL arguments, then the sample when
// its argument count is n. What depended on an earlier answer needs no
// wait: a failed statement makes the server skip the rest of the caller's
// statements, so the EXPLAIN runs only when the prepare succeeded and the
// sample only when both did, as one statement at a time would have it.
func (r *runner) pipelined(ctx context.Context, t *try, n int, roleErr **pgconn.PgError) error {
	planned := plannable(t.kind)
	var samples []*spec.Sample
	if planned {
		for _, s := range t.q.Samples {
			if len(s.Args) != n {
				break // the count is a finding; the samples after it wait
			}
			samples = append(samples, s)
		}
	}
	t.samples = make([]sampleRun, len(samples))
	return r.inUnit(ctx, t, roleErr, func(q *pgsession.Queue) {
		q.Prepare(StatementName, t.text(), t.declared)
		if planned {
			q.Query(explainSQL(n))
		}
		for _, s := range samples {
			if len(s.Settings) > 0 {
				q.Query(sampleSavepointSQL)
				for _, st := range s.Settings {
					q.Query(setConfigSQL, st.Name, st.Value)
				}
			}
			q.QueryPrepared(StatementName, sampleArgs(s))
			if len(s.Settings) > 0 {
				q.Query(sampleRollbackSQL)
			}
		}
	}, func(res *pgsession.Results) error {
		sd, err := res.Prepare()
		if err != nil {
			t.prepErr, err = asPgError(err)
			return err
		}
		t.desc = sd
		if !planned {
			return nil
		}
		text, err := planText(res)
		if err != nil {
			t.planErr, err = asPgError(err)
			return err
		}
		if text == "" {
			return fmt.Errorf("EXPLAIN returned no plan")
		}
		if t.plan, err = parsePlan(text); err != nil {
			return err
		}
		for i, s := range samples {
			run := &t.samples[i]
			if len(s.Settings) > 0 {
				for range len(s.Settings) + 1 {
					if _, err := res.Exec(); err != nil {
						run.err, err = asPgError(err)
						return err
					}
				}
			}
			rows, err := res.Query()
			if err == nil {
				for rows.Next() {
					run.rows++
				}
				rows.Close()
				err = rows.Err()
			}
			if err != nil {
				run.err, err = asPgError(err)
				return err
			}
			run.ran = true
			if len(s.Settings) > 0 {
				if _, err := res.Exec(); err != nil {
					_, err = asPgError(err)
					return err
				}
			}
		}
		return nil
	})
}

// planText reads the rows of the next answer, an EXPLAIN's, as one text.
func planText(res *pgsession.Results) (string, error) {
	rows, err := res.Query()
	if err != nil {
		return "", err
	}
	var text strings.Builder
	for rows.Next() {
		if v := rows.RawValues(); len(v) > 0 && len(v[0]) > 0 {
			text.Write(v[0])
			text.WriteByte('\n')
		}
	}
	rows.Close()
	return text.String(), rows.Err()
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
	for _, s := range t.samples {
		if s.err != nil {
			return s.err
		}
	}
	return nil
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
