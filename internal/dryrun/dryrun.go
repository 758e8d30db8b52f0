package dryrun

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/rbacdrift/rbacdrift/drift"
	"github.com/rbacdrift/rbacdrift/internal/explain"
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
	out, err := RunEach(ctx, conn, []Input{in})
	if err != nil {
		return nil, err
	}
	return out[0], nil
}

// RunEach dry-runs the queries of every input, as [Run] does each, and
// returns each input's findings, sorted, at its index: together, in the
// same round trips as one input's (one read of the roles, QueriesPerUnit
// queries to a unit, one read of the facts), each query with its input's
// search path and settings. The tenant groups of check --schemas are
// dry-run so, whatever their number.
func RunEach(ctx context.Context, conn *pgsession.Session, ins []Input) ([][]*drift.Finding, error) {
	out := make([][]*drift.Finding, len(ins))
	var names []string
	seen := map[string]bool{}
	hasQueries := false
	for _, in := range ins {
		if in.Model == nil {
			continue
		}
		for _, q := range in.Model.Queries {
			hasQueries = true
			if r := in.roleOf(q); r != "" && !seen[r] {
				seen[r] = true
				names = append(names, r)
			}
		}
	}
	if !hasQueries {
		return out, nil
	}
	roles, err := introspect.ReadRoles(ctx, conn, names)
	if err != nil {
		return nil, fmt.Errorf("dry run: %w", err)
	}
	var tries []*try
	for i, in := range ins {
		if in.Model == nil {
			continue
		}
		r := &runner{in: in, conn: conn, roles: roles, index: i}
		for _, q := range in.Model.Queries {
			t, f := r.newTry(q)
			if f != nil {
				out[i] = append(out[i], f)
				continue
			}
			tries = append(tries, t)
		}
	}
	// The queries' units, QueriesPerUnit in each round trip.
	for batch := range slices.Chunk(tries, QueriesPerUnit) {
		if err := pipelined(ctx, conn, batch); err != nil {
			return nil, fmt.Errorf("dry run: %w", err)
		}
	}
	kept := tries[:0]
	for _, t := range tries {
		if err := t.r.followUp(ctx, t); err != nil {
			return nil, fmt.Errorf("dry-running query %s: %w", t.q.Name, err)
		}
		if t.roleErr != nil {
			out[t.r.index] = append(out[t.r.index], t.r.unavailable(t, t.roleErr))
			continue
		}
		kept = append(kept, t)
	}
	tries = kept
	// What the catalog says of the relations the queries name, for all of
	// them in one round trip, after their transactions.
	if err := readFacts(ctx, conn, tries); err != nil {
		return nil, fmt.Errorf("dry run: %w", err)
	}
	for _, t := range tries {
		out[t.r.index] = append(out[t.r.index], t.r.findings(t)...)
	}
	for _, fs := range out {
		drift.Sort(fs)
	}
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

// A runner dry-runs the queries of one input.
type runner struct {
	in    Input
	conn  *pgsession.Session
	roles *catalog.Roles
	index int // the input's index in RunEach
}

// A try is what the server said about one query.
type try struct {
	r        *runner // the runner of the query's input
	q        *spec.Query
	role     *catalog.Role
	roleName string // as SET ROLE was given it, or the connecting user
	setRole  bool   // the query has a run_as: SET ROLE before it
	sql      *sqlText
	kind     string // first keyword: SELECT, INSERT ...
	declared []uint32
	sent     string // the text sent when it is not q.SQL (see genericText)
	count    int    // the parameters the server counted, when not paramCount's
	planned  bool   // the statement kind is one EXPLAIN takes
	toSample []*spec.Sample

	desc     *pgconn.StatementDescription
	roleErr  *pgconn.PgError // the role could not be assumed
	prepErr  *pgconn.PgError
	inferred []uint32 // parameter types the server infers, when prepErr came with declared types
	planErr  *pgconn.PgError
	plan     *explain.Plan
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

// QueriesPerUnit is how many queries share one unit of work
// ([pgsession.Session.Parts]), each a part of its own: one round trip and
// one transaction for as many, instead of one each.
var QueriesPerUnit = 50

// newTry starts the dry run of q; or returns the finding that ends it
// before it starts (its role cannot be had).
func (r *runner) newTry(q *spec.Query) (*try, *drift.Finding) {
	t := &try{r: r, q: q, sql: parseSQL(q.SQL)}
	t.kind = sqllex.FirstKeywordOf(t.sql.toks)
	t.roleName = r.in.roleOf(q)
	t.setRole = t.roleName != ""
	if !t.setRole {
		t.role, t.roleName = r.roles.CurrentUser, r.roles.CurrentUser.Name
	} else {
		t.role = r.roles.ByName[t.roleName]
		if f := r.unavailable(t, nil); f != nil {
			return nil, f
		}
	}
	t.declared = r.paramOIDs(q)
	if sent, oids := genericText(q.SQL, t.sql.toks, t.declared); sent != q.SQL {
		t.sent, t.declared = sent, oids
	}
	return t, nil
}

// followUp asks again what the pipelined unit of t left open: the
// parameter count, when the server counts them otherwise than the SQL's
// $N (never seen; the lexer would have to misread the SQL: the EXPLAIN had
// the wrong number of NULLs and the sample may be missing); and, when the
// declared parameter types failed, the types the server would infer (then
// the types the driver sends are the problem).
func (r *runner) followUp(ctx context.Context, t *try) error {
	if t.desc != nil && len(t.desc.ParamOIDs) != t.paramCount() {
		n := len(t.desc.ParamOIDs)
		*t = try{r: t.r, q: t.q, role: t.role, roleName: t.roleName, setRole: t.setRole, sql: t.sql, kind: t.kind, declared: t.declared, sent: t.sent, count: n}
		if err := pipelined(ctx, r.conn, []*try{t}); err != nil {
			return err
		}
	}
	if t.roleErr == nil && t.prepErr != nil && len(t.q.Params) > 0 && paramTypeError(t.prepErr.Code) {
		return r.prepareInferred(ctx, t)
	}
	return nil
}

// queryUnit is the unit of work of the queries: planned generically, and
// budgeted, so that a slow query ends as a finding (57014) and the queries
// after it still run.
var queryUnit = pgsession.UnitOptions{Settings: []string{explain.PlanCacheMode}, Budgeted: true}

// inUnit runs one unit of work ([pgsession.Session.Parts], one round trip)
// with one part for each of ts, as its role, with its input's search_path
// and settings: the search_path and the role,
// then what send queues. recv reads the answers to what send queued, in
// order, and stops at the first server error (the server skipped the rest
// of the part). A failure to assume the role is put in the try's roleErr;
// recv is then not called for it.
func inUnit(ctx context.Context, conn *pgsession.Session, ts []*try, send func(t *try, q *pgsession.Queue), recv func(t *try, res *pgsession.Results) error) error {
	sets := make([][]setting, len(ts))
	for i, t := range ts {
		sets[i] = t.r.settings(t)
	}
	return conn.Parts(ctx, queryUnit, len(ts), func(i int, q *pgsession.Queue) {
		t := ts[i]
		if t.r.in.SearchPath != "" {
			q.Query(setPathSQL, introspect.SearchPathValue(t.r.in.SearchPath))
		}
		if t.setRole {
			q.Query(setRoleSQL, t.roleName)
		}
		for _, st := range sets[i] {
			q.Query(setConfigSQL, st.name, st.value)
		}
		send(t, q)
	}, func(i int, res *pgsession.Results) error {
		t := ts[i]
		if t.r.in.SearchPath != "" {
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
				t.roleErr = pgErr
				return nil
			}
		}
		for _, st := range sets[i] {
			if _, err := res.Exec(); err != nil {
				pgErr, err := asPgError(err)
				if err != nil {
					return fmt.Errorf("setting %s: %w", st.name, err)
				}
				t.settingErr, t.setting = pgErr, st
				return nil
			}
		}
		if err := recv(t, res); err != nil {
			return fmt.Errorf("query %s: %w", t.q.Name, err)
		}
		return nil
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

// prepareInferred prepares t again, in a unit of its own, with no declared
// parameter types, and keeps the types the server infers.
func (r *runner) prepareInferred(ctx context.Context, t *try) error {
	return inUnit(ctx, r.conn, []*try{t}, func(_ *try, q *pgsession.Queue) {
		q.Prepare("", t.q.SQL, nil)
	}, func(_ *try, res *pgsession.Results) error {
		sd, err := res.Prepare()
		if err != nil {
			_, err = asPgError(err)
			return err
		}
		t.inferred = sd.ParamOIDs
		return nil
	})
}

// sampleArgs returns the sample's arguments in the text format.
func sampleArgs(s *spec.Sample) [][]byte {
	vals := make([][]byte, len(s.Args))
	for i, a := range s.Args {
		vals[i] = argText(a)
	}
	return vals
}

// pipelined sends the units of work of ts in one round trip, a part of
// [runner.inUnit] each: the prepare, then, when the statement kind is one
// EXPLAIN takes, the EXPLAIN with as many NULL arguments as the query has
// parameters, then the samples with that many arguments. What depended on
// an earlier answer needs no wait: a failed statement makes the server skip
// the rest of its part, so the EXPLAIN runs only when the prepare succeeded
// and the sample only when both did, as one statement at a time would have
// it.
func pipelined(ctx context.Context, conn *pgsession.Session, ts []*try) error {
	for _, t := range ts {
		n := t.paramCount()
		t.planned = sqllex.IsPlannable(t.kind)
		t.toSample = nil
		if t.planned {
			for _, s := range t.q.Samples {
				if len(s.Args) != n {
					break // the count is a finding; the samples after it wait
				}
				t.toSample = append(t.toSample, s)
			}
		}
		t.samples = make([]sampleRun, len(t.toSample))
	}
	return inUnit(ctx, conn, ts, func(t *try, q *pgsession.Queue) {
		q.Prepare(StatementName, t.text(), t.declared)
		if t.planned {
			q.Query(explain.SQL(StatementName, t.paramCount()))
		}
		for _, s := range t.toSample {
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
	}, recvQuery)
}

// recvQuery reads what the server said to t's part of [runner.pipelined].
func recvQuery(t *try, res *pgsession.Results) error {
	sd, err := res.Prepare()
	if err != nil {
		t.prepErr, err = asPgError(err)
		return err
	}
	t.desc = sd
	if !t.planned {
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
	if t.plan, err = explain.Parse(text); err != nil {
		return err
	}
	for i, s := range t.toSample {
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
func readFacts(ctx context.Context, conn *pgsession.Session, tries []*try) error {
	if len(tries) == 0 {
		return nil
	}
	reqs := make([]introspect.FactsRequest, len(tries))
	for i, t := range tries {
		reqs[i] = factsRequest(t)
	}
	facts, err := introspect.ReadQueryFactsBatch(ctx, conn, reqs)
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
	req := introspect.FactsRequest{Role: t.roleName, Relations: t.sql.names, SearchPath: t.r.in.SearchPath}
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
// declared types, or more when the SQL refers to a higher $N; or what the
// server counted, when it was asked again with that.
func (t *try) paramCount() int {
	if t.count > 0 {
		return t.count
	}
	return max(len(t.declared), t.sql.params)
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
