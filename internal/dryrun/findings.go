package dryrun

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/rbacdrift/rbacdrift/drift"
	"github.com/rbacdrift/rbacdrift/introspect/catalog"
	"github.com/rbacdrift/rbacdrift/spec"
)

func (r *runner) finding(t *try, code drift.Code, p spec.Pos) *drift.Finding {
	obj := "query:" + t.q.Name
	f := &drift.Finding{Code: code, Severity: drift.Info(code).Severity, Object: obj, Subject: obj}
	return f.At(p)
}

// findings turns what the server said about t into findings.
func (r *runner) findings(t *try) []*drift.Finding {
	var out []*drift.Finding
	if t.settingErr != nil {
		return []*drift.Finding{r.settingFinding(t)}
	}
	if f := r.notGeneric(t); f != nil {
		return []*drift.Finding{f}
	}
	if t.prepErr != nil {
		if t.inferred != nil && len(r.paramDiffs(t)) > 0 {
			out = append(out, r.paramTypeFinding(t))
		} else {
			out = append(out, r.errorFinding(t, t.prepErr, "prepare"))
		}
		return out
	}
	out = append(out, r.paramFindings(t)...)
	out = append(out, r.resultFindings(t)...)
	if t.planErr != nil {
		return append(out, r.errorFinding(t, t.planErr, "plan"))
	}
	out = append(out, r.rlsFindings(t)...)
	for i, s := range t.q.Samples {
		f := r.sampleFindings(t, i, s)
		out = append(out, f...)
		if len(f) > 0 && f[0].Code != drift.QueryReturnedNoRows && f[0].Code != drift.QueryReturnedRows {
			break // the samples after it did not run
		}
	}
	return out
}

// settingFinding reports a setting the server refused: the query could not
// be tried in the session the application gets.
func (r *runner) settingFinding(t *try) *drift.Finding {
	e, st := t.settingErr, t.setting
	p := st.pos
	if p.Line == 0 {
		p = t.q.Pos
	}
	f := r.finding(t, drift.QueryError, p)
	f.SQLState = e.Code
	f.Expected = fmt.Sprintf("set_config(%s, %s) succeeds", st.name, st.value)
	f.Actual = serverError(e)
	f.Message = fmt.Sprintf("%s cannot be dry-run: setting %s = %s (%s) fails with %s (%s)", t.q.Name, st.name, st.value, st.from, e.Code, e.Message)
	f.Hint = joinHints([]string{fmt.Sprintf("a session of the application that sets it fails the same way; fix the value, or %s", settingUndo(st))}, e)
	return f
}

func settingUndo(st setting) string {
	if st.pos.Line == 0 {
		return "RESET it on the role (" + st.from + ")"
	}
	return "remove it from the model"
}

// unavailable reports a role the query cannot run as; nil when it can.
// pgErr is the server's refusal of SET ROLE, when it came to that.
func (r *runner) unavailable(t *try, pgErr *pgconn.PgError) *drift.Finding {
	role, session := t.roleName, r.roles.SessionUser
	f := r.finding(t, "run-as-unavailable", t.q.Pos)
	f.Expected = "SET ROLE " + drift.QuoteIdent(role)
	missing := t.role == nil || !t.role.Exists
	switch {
	case pgErr != nil:
		f.SQLState, f.Actual = pgErr.Code, pgErr.Message
		missing = pgErr.Code != "42501"
	case missing:
		f.Actual = "no role " + role
	case !t.role.CanAssume:
		f.Actual = fmt.Sprintf("%s is not a member of %s", session, role)
	default:
		return nil
	}
	if missing {
		f.Message = fmt.Sprintf("%s cannot be dry-run as %s: the role does not exist on this server", t.q.Name, role)
		f.Hint = fmt.Sprintf("name the role the application connects as (run_as in the model, or the run-as override when staging and production differ), or create it: CREATE ROLE %s LOGIN", drift.QuoteIdent(role))
		return f
	}
	f.Message = fmt.Sprintf("%s cannot be dry-run as %s: the connecting user %s cannot assume that role", t.q.Name, role, session)
	f.Hint = fmt.Sprintf("GRANT %s TO %s, so that the checker can SET ROLE %s; or connect as the application's own user", drift.QuoteIdent(role), drift.QuoteIdent(session), drift.QuoteIdent(role))
	return f
}

// consequence says what a failing query means for the application's users.
func consequence(kind string) string {
	switch kind {
	case "SELECT", "WITH", "VALUES", "TABLE":
		return "the application would load an empty policy for every user"
	case "INSERT", "UPDATE", "DELETE", "MERGE":
		return "every call fails, so the application cannot change the policy"
	}
	return "every call fails"
}

func (r *runner) errorFinding(t *try, e *pgconn.PgError, phase string) *drift.Finding {
	if e.Code == "42501" {
		return r.permissionFinding(t, e, phase)
	}
	q := t.q
	p := q.Pos
	expected := "the query prepares and plans"
	switch {
	case phase == "prepare" && e.Position > 0:
		p = q.PosAt(int(e.Position))
	case phase == "sample":
		p, expected = q.Sample.Pos, "the sample runs"
	}
	f := r.finding(t, "query-error", p)
	f.SQLState = e.Code
	f.Expected = expected
	f.Actual = serverError(e)
	f.Message = fmt.Sprintf("%s fails with %s (%s): %s", q.Name, e.Code, e.Message, consequence(t.kind))
	if phase == "sample" {
		f.Message = fmt.Sprintf("%s fails with %s (%s) when run with the sample arguments", q.Name, e.Code, e.Message)
	}
	f.Hint = joinHints(r.explain(t, e), e)
	return f
}

// serverError renders an error as the server gave it: code, message,
// detail and hint.
func serverError(e *pgconn.PgError) string {
	s := e.Code + " " + e.Message
	if e.Detail != "" {
		s += " (detail: " + e.Detail + ")"
	}
	if e.Hint != "" {
		s += " (hint: " + e.Hint + ")"
	}
	return s
}

// joinHints joins the catalog's explanations; the server's own hint, which
// serverError keeps in Actual, stands in when there is none.
func joinHints(ours []string, e *pgconn.PgError) string {
	if len(ours) == 0 && e.Hint != "" {
		ours = append(ours, e.Hint)
	}
	return strings.Join(ours, "; ")
}

var deniedRE = regexp.MustCompile(`^permission denied for (table|view|materialized view|foreign table|relation|sequence|schema|function|procedure|type|large object) (.+)$`)

func (r *runner) permissionFinding(t *try, e *pgconn.PgError, phase string) *drift.Finding {
	q, role := t.q, t.roleName
	p := q.Pos
	if phase == "prepare" && e.Position > 0 {
		p = q.PosAt(int(e.Position))
	}
	f := r.finding(t, "query-permission-denied", p)
	f.SQLState = e.Code
	f.Actual = e.Message
	f.Message = fmt.Sprintf("%s fails as %s with 42501 (%s): %s", q.Name, role, e.Message, consequence(t.kind))
	m := deniedRE.FindStringSubmatch(e.Message)
	if m == nil {
		f.Hint = joinHints([]string{fmt.Sprintf("grant %s the privilege the message names", drift.QuoteIdent(role))}, e)
		return f
	}
	kind, name := m[1], m[2]
	switch kind {
	case "schema":
		f.Expected = fmt.Sprintf("USAGE on schema %s for %s", name, role)
		f.Hint = fmt.Sprintf("GRANT USAGE ON SCHEMA %s TO %s", drift.QuoteIdent(name), drift.QuoteIdent(role))
	case "sequence":
		f.Expected = fmt.Sprintf("USAGE on sequence %s for %s", name, role)
		f.Hint = fmt.Sprintf("GRANT USAGE ON SEQUENCE %s TO %s", drift.QuoteIdent(name), drift.QuoteIdent(role))
	case "function", "procedure":
		f.Expected = fmt.Sprintf("EXECUTE on %s %s for %s", kind, name, role)
		f.Hint = fmt.Sprintf("GRANT EXECUTE ON %s %s TO %s", strings.ToUpper(kind), name, drift.QuoteIdent(role))
	case "type", "large object":
		f.Hint = fmt.Sprintf("grant %s the privilege on %s %s", drift.QuoteIdent(role), kind, name)
	default:
		rel := relationNamed(t.facts, name)
		if rel == nil {
			f.Expected = fmt.Sprintf("SELECT on %s for %s", name, role)
			f.Hint = fmt.Sprintf("GRANT SELECT ON %s TO %s", drift.QuoteIdent(name), drift.QuoteIdent(role))
			break
		}
		qn := drift.QuoteName(spec.Name(rel.QName()))
		privs := missingPrivileges(t, rel)
		if len(privs) == 0 {
			f.Expected = fmt.Sprintf("the privileges the query needs on every column of %s it reads, for %s", rel.QName(), role)
			f.Hint = fmt.Sprintf("%s lacks a column privilege on %s: GRANT SELECT (the columns the query reads) ON %s TO %s", role, rel.QName(), qn, drift.QuoteIdent(role))
			break
		}
		f.Expected = fmt.Sprintf("%s on %s for %s", strings.Join(privs, ", "), rel.QName(), role)
		f.Hint = fmt.Sprintf("GRANT %s ON %s TO %s", strings.Join(privs, ", "), qn, drift.QuoteIdent(role))
	}
	return f
}

// missingPrivileges returns the table privileges the query needs on rel
// that its role lacks: the statement's own command on its target, SELECT on
// what it reads.
func missingPrivileges(t *try, rel *catalog.RelationFacts) []string {
	var target chain
	ok := false
	switch t.kind {
	case "INSERT":
		target, ok = t.sql.insertTarget()
	case "UPDATE", "DELETE":
		if len(t.sql.tables) > 0 {
			target, ok = t.sql.tables[0], true
		}
	}
	if ok && target.parts[len(target.parts)-1] == rel.Name {
		has := map[string]bool{"INSERT": rel.Insert, "UPDATE": rel.Update, "DELETE": rel.Delete}
		if !has[t.kind] {
			return []string{t.kind}
		}
	}
	if !rel.Select {
		return []string{"SELECT"}
	}
	return nil
}

// relationNamed returns the relation of facts called name (schema.name or a
// bare name, as the server's messages give it), or nil.
func relationNamed(facts *catalog.QueryFacts, name string) *catalog.RelationFacts {
	for _, r := range facts.Relations {
		if r.Name == name || r.QName().String() == name {
			return r
		}
	}
	return nil
}

// rlsFindings reports the relations the query reads where row-level
// security applies to its role and no policy lets a row through.
func (r *runner) rlsFindings(t *try) []*drift.Finding {
	if t.plan == nil || t.role.Superuser || t.role.BypassRLS {
		return nil
	}
	scanned := map[catalog.Name]bool{}
	target := map[catalog.Name]string{} // relation -> ModifyTable operation
	for _, pr := range t.plan.Relations {
		n := catalog.Name{Schema: pr.Schema, Name: pr.Name}
		if pr.Operation != "" {
			target[n] = strings.ToUpper(pr.Operation)
		} else {
			scanned[n] = true
		}
	}
	var out []*drift.Finding
	for _, rel := range t.facts.Relations {
		n := rel.QName()
		if !rel.RowSecurity || rel.Owned && !rel.ForceRowSecurity {
			continue
		}
		// A relation the plan does not scan counts only when the plan is
		// constant false: row-level security that lets no row through makes
		// the planner drop the scan altogether.
		if !scanned[n] && !t.plan.ConstantFalse {
			continue
		}
		cmd := "SELECT"
		switch op := target[n]; op {
		case "UPDATE", "DELETE":
			cmd = op
		case "INSERT", "MERGE":
			if !scanned[n] {
				continue // written, not read
			}
		}
		var others []string
		lets := false
		for _, p := range rel.Policies {
			if p.Command != "ALL" && p.Command != cmd {
				continue
			}
			if p.Applies && p.Permissive {
				lets = true
				break
			}
			desc := fmt.Sprintf("%s (%s, to %s)", p.Name, p.Command, strings.Join(p.Roles, ", "))
			if p.Applies {
				desc = fmt.Sprintf("%s (restrictive, %s, to %s)", p.Name, p.Command, strings.Join(p.Roles, ", "))
			}
			others = append(others, desc)
		}
		if lets {
			continue
		}
		f := r.finding(t, "rls-hides-all-rows", t.q.Pos)
		f.Expected = fmt.Sprintf("a permissive %s policy on %s for %s", cmd, n, t.roleName)
		why := fmt.Sprintf("row-level security is enabled on %s", n)
		if rel.Owned {
			why = fmt.Sprintf("row-level security is forced on %s (FORCE ROW LEVEL SECURITY), so it binds %s although it owns the table,", n, t.roleName)
		}
		switch {
		case len(others) > 0:
			f.Actual = "policies only for other roles: " + strings.Join(others, "; ")
		case len(rel.Policies) > 0:
			f.Actual = fmt.Sprintf("no %s policy", cmd)
		default:
			f.Actual = "no policy"
		}
		f.Message = fmt.Sprintf("%s returns no rows as %s: %s and no policy lets %s %s a row; the query succeeds and the application would load an empty policy",
			t.q.Name, t.roleName, why, t.roleName, cmd)
		hint := fmt.Sprintf("CREATE POLICY ... ON %s FOR %s TO %s USING (...)", drift.QuoteName(spec.Name(n)), cmd, drift.QuoteIdent(t.roleName))
		if len(others) > 0 {
			hint += fmt.Sprintf("; the policies there are for other roles: %s; run the application as a role they cover, or add %s to one of them", strings.Join(others, "; "), drift.QuoteIdent(t.roleName))
		}
		if rel.Owned {
			hint += fmt.Sprintf("; or ALTER TABLE %s NO FORCE ROW LEVEL SECURITY if the owner should see every row", drift.QuoteName(spec.Name(n)))
		}
		f.Hint = hint
		out = append(out, f)
	}
	return out
}

// resultFindings compares the described result with returns: by position,
// since index-based readers (Spring's RowMapper, rows.Scan) take columns in
// order.
func (r *runner) resultFindings(t *try) []*drift.Finding {
	q := t.q
	if q.Returns == nil || t.desc == nil {
		return nil
	}
	fields := t.desc.Fields
	names := make([]string, len(fields))
	for i, f := range fields {
		names[i] = fmt.Sprintf("%s %s", f.Name, t.fieldType(i))
	}
	got := "(" + strings.Join(names, ", ") + ")"
	// The declared columns are paired with the described ones by name; the
	// position and the type of each pair are then compared.
	type field struct {
		pgconn.FieldDescription
		idx int
	}
	described := make([]field, len(fields))
	for i, f := range fields {
		described[i] = field{f, i}
	}
	position := map[*spec.ReturnColumn]int{}
	for i, rc := range q.Returns {
		position[rc] = i
	}
	pairs, missing, extra := drift.Match(q.Returns, described,
		func(rc *spec.ReturnColumn) string { return rc.Name }, func(f field) string { return f.Name })
	var out []*drift.Finding
	for _, rc := range missing {
		i := position[rc]
		f := r.finding(t, drift.QueryResultMismatch, rc.Pos)
		f.Expected, f.Actual = fmt.Sprintf("column %d %s", i+1, rc.Name), "result "+got
		f.Message = fmt.Sprintf("%s returns no column %s, which the application reads as column %d", q.Name, rc.Name, i+1)
		f.Hint = "the application fails reading it, or reads another column in its place; fix the query's select list or the model's returns"
		out = append(out, f)
	}
	for _, p := range pairs {
		rc, fd, i, idx := p.Declared, p.Live.FieldDescription, position[p.Declared], p.Live.idx
		if idx != i {
			f := r.finding(t, drift.QueryResultMismatch, rc.Pos)
			f.Expected, f.Actual = fmt.Sprintf("%s as column %d", rc.Name, i+1), fmt.Sprintf("%s as column %d", rc.Name, idx+1)
			f.Message = fmt.Sprintf("%s returns %s as column %d where the application reads it as column %d: readers by index (Spring's RowMapper) take the wrong value", q.Name, rc.Name, idx+1, i+1)
			f.Hint = "put the columns back in the order the application reads them: " + returnsList(q.Returns)
			out = append(out, f)
		}
		want, ok := r.in.Types[rc.Type]
		if rc.Type == "" || !ok {
			continue
		}
		if fd.DataTypeOID != want.OID || want.TypMod != -1 && fd.TypeModifier != -1 && want.TypMod != fd.TypeModifier {
			f := r.finding(t, drift.QueryResultMismatch, rc.Pos)
			f.Expected, f.Actual = rc.Name+" "+rc.Type, rc.Name+" "+t.fieldType(idx)
			f.Message = fmt.Sprintf("%s returns %s as %s where the application reads %s", q.Name, rc.Name, t.fieldType(idx), rc.Type)
			f.Hint = fmt.Sprintf("a column changed type: the driver's conversion to %s may fail or change values; cast in the query (%s::%s), migrate the column back, or update the model's returns and the code", rc.Type, rc.Name, rc.Type)
			out = append(out, f)
		}
	}
	for _, fd := range extra {
		i := fd.idx
		f := r.finding(t, drift.QueryResultMismatch, q.Pos)
		f.Expected, f.Actual = "returns "+returnsList(q.Returns), "result "+got
		f.Message = fmt.Sprintf("%s returns column %s (column %d), which the application does not read", q.Name, fd.Name, i+1)
		if i >= len(q.Returns) {
			f.Severity = drift.Warning
			f.Hint = "it comes after the columns the application reads, so readers by index are not affected; declare it in returns, or drop it from the query"
		} else {
			f.Hint = "it shifts the columns after it: readers by index (Spring's RowMapper) take the wrong values; drop it from the query or declare it in returns"
		}
		out = append(out, f)
	}
	return out
}

func returnsList(rs []*spec.ReturnColumn) string {
	names := make([]string, len(rs))
	for i, rc := range rs {
		names[i] = rc.Name
	}
	return "(" + strings.Join(names, ", ") + ")"
}

// paramFindings compares the described parameters with params.
func (r *runner) paramFindings(t *try) []*drift.Finding {
	q := t.q
	if !q.HasParams || t.desc == nil {
		return nil
	}
	var out []*drift.Finding
	for i, p := range q.Params {
		if _, ok := r.in.Types[p]; ok || i >= len(t.desc.ParamOIDs) {
			continue
		}
		f := r.finding(t, "query-param-mismatch", q.Pos)
		f.Expected, f.Actual = fmt.Sprintf("$%d %s", i+1, p), fmt.Sprintf("$%d %s", i+1, t.paramType(i))
		f.Message = fmt.Sprintf("%s: params declares $%d as %s, which is not a type on this server; the server reads $%d as %s", q.Name, i+1, p, i+1, t.paramType(i))
		f.Hint = "correct the type name in params, or create the type (a migration has not run)"
		out = append(out, f)
	}
	if n := len(t.desc.ParamOIDs); n > len(q.Params) {
		var extra []string
		for i := len(q.Params); i < n; i++ {
			extra = append(extra, fmt.Sprintf("$%d %s", i+1, t.paramType(i)))
		}
		f := r.finding(t, "query-param-mismatch", q.Pos)
		f.Expected, f.Actual = fmt.Sprintf("%d parameters", len(q.Params)), fmt.Sprintf("%d parameters", n)
		f.Message = fmt.Sprintf("%s takes %d parameters where params declares %d: %s not declared", q.Name, n, len(q.Params), strings.Join(extra, ", "))
		f.Hint = "declare every parameter the application binds, with the type the driver sends"
		out = append(out, f)
	}
	return out
}

// paramDiffs lists the declared parameters whose type differs from the one
// the server infers.
func (r *runner) paramDiffs(t *try) []int {
	var out []int
	for i, p := range t.q.Params {
		if i < len(t.inferred) && r.in.Types[p].OID != 0 && r.in.Types[p].OID != t.inferred[i] {
			out = append(out, i)
		}
	}
	return out
}

// paramTypeFinding reports a query that fails with the parameter types the
// driver sends and prepares with the ones the server infers: type drift.
func (r *runner) paramTypeFinding(t *try) *drift.Finding {
	q, e := t.q, t.prepErr
	p := q.Pos
	if e.Position > 0 {
		p = q.PosAt(int(e.Position))
	}
	var sent, wanted []string
	for _, i := range r.paramDiffs(t) {
		sent = append(sent, fmt.Sprintf("$%d %s", i+1, q.Params[i]))
		wanted = append(wanted, fmt.Sprintf("$%d %s", i+1, t.inferredType(i)))
	}
	f := r.finding(t, "query-param-mismatch", p)
	f.SQLState = e.Code
	f.Expected, f.Actual = strings.Join(sent, ", "), strings.Join(wanted, ", ")+" (as the server reads the query)"
	f.Message = fmt.Sprintf("%s fails with %s (%s): the driver sends %s where the database now wants %s; %s",
		q.Name, e.Code, e.Message, strings.Join(sent, ", "), strings.Join(wanted, ", "), consequence(t.kind))
	hints := r.explain(t, e)
	hints = append(hints, "migrate the column back, or make the application send the new type (and update params)")
	f.Hint = joinHints(hints, e)
	return f
}

func (r *runner) sampleFindings(t *try, i int, s *spec.Sample) []*drift.Finding {
	q := t.q
	if t.desc != nil && len(s.Args) != len(t.desc.ParamOIDs) {
		f := r.finding(t, "query-param-mismatch", s.Pos)
		f.Expected, f.Actual = fmt.Sprintf("%d arguments", len(t.desc.ParamOIDs)), fmt.Sprintf("%d arguments", len(s.Args))
		f.Message = fmt.Sprintf("%s takes %d parameters but its sample gives %d arguments; the sample did not run", q.Name, len(t.desc.ParamOIDs), len(s.Args))
		f.Hint = "give one sample argument per parameter, in order"
		return []*drift.Finding{f}
	}
	if i >= len(t.samples) {
		return nil
	}
	run := t.samples[i]
	as := sampleWords(t, s)
	if run.err != nil {
		f := r.errorFinding(t, run.err, "sample")
		f.At(s.Pos)
		f.Message = fmt.Sprintf("%s fails with %s (%s) when run %s", q.Name, run.err.Code, run.err.Message, as)
		return []*drift.Finding{f}
	}
	if !run.ran {
		return nil
	}
	switch {
	case s.Expect == "rows" && run.rows == 0:
		f := r.finding(t, "query-returned-no-rows", s.Pos)
		f.Expected, f.Actual = "rows", "0 rows"
		f.Message = fmt.Sprintf("%s returned no rows %s: an empty policy for this principal", q.Name, as)
		f.Hint = fmt.Sprintf("check that the principal of the sample exists and has roles, and what %s may read: grants, row-level security policies (and the settings they read), and the rows the joins need", t.roleName)
		return []*drift.Finding{f}
	case s.Expect == "no_rows" && run.rows > 0:
		f := r.finding(t, "query-returned-rows", s.Pos)
		f.Expected, f.Actual = "no rows", rowsWord(run.rows)
		f.Message = fmt.Sprintf("%s returned %s %s where none were expected", q.Name, rowsWord(run.rows), as)
		f.Hint = "check the sample arguments and the data: the principal may hold permissions it should not"
		if len(s.Settings) > 0 {
			f.Severity = drift.Error
			f.Message += ": rows another session should not see are visible to this one"
			f.Hint = "an isolation sample sees rows: a policy lets them through for these settings; check the policies (a permissive one for the role or PUBLIC is ORed with the others) and the data"
		}
		return []*drift.Finding{f}
	}
	return nil
}

// sampleWords says how a sample ran: "as app for (42) with app.tenant_id = 2".
func sampleWords(t *try, s *spec.Sample) string {
	out := fmt.Sprintf("as %s for %s", t.roleName, argList(s.Args))
	if len(s.Settings) > 0 {
		var parts []string
		for _, st := range s.Settings {
			parts = append(parts, st.Name+" = "+st.Value)
		}
		out += " with " + strings.Join(parts, ", ")
	}
	return out
}

func argList(args []any) string {
	parts := make([]string, len(args))
	for i, a := range args {
		switch v := a.(type) {
		case nil:
			parts[i] = "NULL"
		case string:
			parts[i] = "'" + strings.ReplaceAll(v, "'", "''") + "'"
		default:
			parts[i] = fmt.Sprint(v)
		}
	}
	return "(" + strings.Join(parts, ", ") + ")"
}

func rowsWord(n int) string {
	if n == 1 {
		return "1 row"
	}
	return fmt.Sprintf("%d rows", n)
}
