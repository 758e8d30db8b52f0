package check

import (
	"fmt"
	"slices"
	"strings"

	"github.com/rbacdrift/rbacdrift/drift"
	"github.com/rbacdrift/rbacdrift/internal/sqllex"
	"github.com/rbacdrift/rbacdrift/spec"
)

// The impact of a finding: which of the model's queries (declared or
// harvested) depend on the object it is about. The SQL is read, not planned,
// so that a query the finding makes fail (a missing column, 42703) is still
// linked to it.

// A queryUse is what one query's SQL says it depends on.
type queryUse struct {
	subject string // query:name
	name    string
	tables  map[string]bool   // schema.table, named after FROM, JOIN, INTO or UPDATE
	aliases map[string]string // alias, or the table's own name -> schema.table
	names   map[string]bool   // every name the SQL holds
	// serial lists the columns whose sequence the query resolves with
	// pg_get_serial_sequence('table', 'column').
	serial []colRef
	// conflict is the target of INSERT INTO t ... ON CONFLICT (a, b): the
	// table and its columns; nil when the query has none.
	conflict *colSet
	// reads lists the table columns the query's returns read: table "" when
	// the SQL does not say which of its tables.
	reads []colRef
}

type colRef struct{ table, column string }

type colSet struct {
	table   string
	columns []string
	written string // ON CONFLICT (a, b) as the SQL writes it
}

func readQueries(m *spec.Model) []*queryUse {
	uses := make([]*queryUse, 0, len(m.Queries))
	for _, q := range m.Queries {
		uses = append(uses, readQuery(m, q))
	}
	return uses
}

func readQuery(m *spec.Model, q *spec.Query) *queryUse {
	u := &queryUse{subject: drift.QuerySubject(q.Name), name: q.Name,
		tables: map[string]bool{}, aliases: map[string]string{}, names: map[string]bool{}}
	toks, _ := sqllex.Tokenize(q.SQL)
	qualify := func(c []string) string {
		if len(c) == 1 {
			return m.Schema + "." + c[0]
		}
		return c[len(c)-2] + "." + c[len(c)-1]
	}
	for i, t := range toks {
		if !isName(t) {
			continue
		}
		u.names[t.Text] = true
		if t.Kind != sqllex.TokIdent || i+1 >= len(toks) {
			continue
		}
		switch t.Text {
		case "from", "join", "into", "update":
		default:
			continue
		}
		c, last := chainAt(toks, i+1)
		if c == nil {
			continue
		}
		table := qualify(c)
		u.tables[table] = true
		u.aliases[c[len(c)-1]] = table
		j := last + 1
		if j < len(toks) && toks[j].Kind == sqllex.TokIdent && toks[j].Text == "as" {
			j++
		}
		if j < len(toks) && isName(toks[j]) && !(toks[j].Kind == sqllex.TokIdent && notAlias[toks[j].Text]) {
			u.aliases[toks[j].Text] = table
		}
	}
	for i := 0; i+5 < len(toks); i++ {
		if toks[i].Kind != sqllex.TokIdent || toks[i].Text != "pg_get_serial_sequence" || toks[i+1].Text != "(" {
			continue
		}
		tbl, ok1 := literal(toks[i+2])
		col, ok2 := literal(toks[i+4])
		if !ok1 || !ok2 || toks[i+3].Text != "," {
			continue
		}
		if c := splitName(tbl); c != nil {
			u.serial = append(u.serial, colRef{qualify(c), col})
		}
	}
	u.conflict = onConflict(toks, qualify)
	for _, rc := range q.Returns {
		u.reads = append(u.reads, u.source(toks, rc.Name))
	}
	return u
}

// source returns the table column that the result column name reads: the
// column of x.c AS name (or c AS name), else of x.name (or name itself).
func (u *queryUse) source(toks []sqllex.Token, name string) colRef {
	ref := func(c []string) colRef {
		r := colRef{column: c[len(c)-1]}
		if len(c) > 1 {
			r.table = u.aliases[c[len(c)-2]]
		}
		return r
	}
	for i := 2; i < len(toks); i++ {
		if isName(toks[i]) && toks[i].Text == name && toks[i-1].Kind == sqllex.TokIdent && toks[i-1].Text == "as" {
			if c := chainEnding(toks, i-2); c != nil {
				return ref(c)
			}
		}
	}
	for i := range toks {
		if isName(toks[i]) && toks[i].Text == name && (i+1 >= len(toks) || toks[i+1].Text != ".") {
			if c := chainEnding(toks, i); len(c) == 2 {
				return ref(c)
			}
		}
	}
	return colRef{column: name}
}

// readsColumn reports whether the query's returns read column of table.
func (u *queryUse) readsColumn(table, column string) bool {
	for _, r := range u.reads {
		if r.column == column && (r.table == table || r.table == "" && u.tables[table]) {
			return true
		}
	}
	return false
}

func isName(t sqllex.Token) bool { return t.Kind == sqllex.TokIdent || t.Kind == sqllex.TokQuoted }

// chainAt reads the dotted name that starts at token i: its parts, and the
// index of its last token.
func chainAt(toks []sqllex.Token, i int) ([]string, int) {
	if i >= len(toks) || !isName(toks[i]) {
		return nil, i
	}
	c := []string{toks[i].Text}
	for i+2 < len(toks) && toks[i+1].Text == "." && isName(toks[i+2]) {
		i += 2
		c = append(c, toks[i].Text)
	}
	return c, i
}

// chainEnding reads the dotted name whose last token is i.
func chainEnding(toks []sqllex.Token, i int) []string {
	if i < 0 || !isName(toks[i]) {
		return nil
	}
	j := i
	for j >= 2 && toks[j-1].Text == "." && isName(toks[j-2]) {
		j -= 2
	}
	c, _ := chainAt(toks, j)
	return c
}

// notAlias lists the words that may follow a table name without being its alias.
var notAlias = map[string]bool{
	"on": true, "where": true, "join": true, "inner": true, "left": true, "right": true, "full": true,
	"cross": true, "natural": true, "using": true, "group": true, "order": true, "limit": true,
	"offset": true, "union": true, "except": true, "intersect": true, "set": true, "values": true,
	"returning": true, "having": true, "window": true, "for": true, "lateral": true, "select": true,
	"default": true, "overriding": true, "fetch": true,
}

// literal returns the value of a plain string literal token ('a”b').
func literal(t sqllex.Token) (string, bool) {
	s := t.Text
	if t.Kind != sqllex.TokOther || len(s) < 2 || s[0] != '\'' || s[len(s)-1] != '\'' {
		return "", false
	}
	return strings.ReplaceAll(s[1:len(s)-1], "''", "'"), true
}

// splitName splits a table name given as text, as regclass reads it:
// dotted parts, unquoted ones lower-cased, quoted ones as they are.
func splitName(s string) []string {
	toks, bad := sqllex.Tokenize(s)
	c, last := chainAt(toks, 0)
	if bad || c == nil || last != len(toks)-1 || len(c) > 2 {
		return nil
	}
	return c
}

// onConflict reads INSERT INTO t ... ON CONFLICT (a, b).
func onConflict(toks []sqllex.Token, qualify func([]string) string) *colSet {
	var table string
	for i := 0; i+2 < len(toks); i++ {
		if toks[i].Text == "insert" && toks[i+1].Text == "into" {
			if c, _ := chainAt(toks, i+2); c != nil {
				table = qualify(c)
			}
		}
		if table == "" || toks[i].Text != "on" || toks[i+1].Text != "conflict" || toks[i+2].Text != "(" {
			continue
		}
		cs := &colSet{table: table}
		depth, end := 0, i+2
		for j := i + 2; j < len(toks); j++ {
			switch toks[j].Text {
			case "(":
				depth++
			case ")":
				depth--
			}
			if depth == 0 {
				end = j
				break
			}
			// Only a plain column at the top level; an expression
			// (lower(email)) is not a column set the model declares.
			if depth == 1 && isName(toks[j]) && (toks[j-1].Text == "(" || toks[j-1].Text == ",") &&
				j+1 < len(toks) && (toks[j+1].Text == "," || toks[j+1].Text == ")") {
				cs.columns = append(cs.columns, toks[j].Text)
			}
		}
		if len(cs.columns) == 0 {
			return nil
		}
		raw := make([]string, 0, end-i+1)
		for _, t := range toks[i : end+1] {
			raw = append(raw, t.Raw)
		}
		cs.written = strings.NewReplacer("( ", "(", " )", ")", " ,", ",").Replace(strings.Join(raw, " "))
		return cs
	}
	return nil
}

// linkQueries sets, on each finding about a table of m or one of its
// columns, the queries of m that depend on it (Finding.Affects): a query
// depends on a table its SQL reads or writes (named after FROM, JOIN, INTO
// or UPDATE), and on a column of such a table that its SQL names.
func linkQueries(uses []*queryUse, findings []*drift.Finding) {
	for _, f := range findings {
		table, column, ok := findingTarget(f)
		if !ok {
			continue
		}
		for _, u := range uses {
			if u.tables[table] && (column == "" || u.names[column]) {
				f.Affects = append(f.Affects, u.subject)
			}
		}
	}
}

// findingTarget returns the table (schema.table) a finding is about, and
// its column when it is about one.
func findingTarget(f *drift.Finding) (table, column string, ok bool) {
	if f.Subject == "" || f.Subject == drift.MigrationSubject || strings.HasPrefix(f.Subject, drift.QuerySubject("")) {
		return "", "", false
	}
	if f.Object == f.Subject {
		return f.Subject, "", true
	}
	rest, ok := strings.CutPrefix(f.Object, f.Subject+".")
	return f.Subject, rest, ok
}

// escalate makes an error of a finding on an object a query depends on in a
// way that makes the query fail or do nothing, and names the query in its
// message:
//
//   - a sequence the column no longer owns, which a query resolves with
//     pg_get_serial_sequence (it returns NULL, and nextval or setval on it
//     then do nothing);
//   - a missing unique key or index (or primary key) that a query's ON
//     CONFLICT needs to arbitrate (42P10);
//   - a column type mismatch on a column a query's returns read.
//
// It runs after [linkQueries]; a query it names is added to Affects.
func escalate(m *spec.Model, uses []*queryUse, findings []*drift.Finding) {
	for _, f := range findings {
		var names []string
		var why string
		switch f.Code {
		case drift.SequenceNotOwned:
			ref, ok := ownerOf(m, f)
			if !ok {
				continue
			}
			for _, u := range uses {
				if slices.Contains(u.serial, ref) {
					names = append(names, u.name)
				}
			}
			why = fmt.Sprintf("%s through pg_get_serial_sequence('%s', '%s'), which returns NULL: nextval, currval or setval on it then does nothing",
				resolveWord(len(names)), strings.ReplaceAll(ref.table, "'", "''"), strings.ReplaceAll(ref.column, "'", "''"))
		case drift.MissingIndex, drift.MissingUnique, drift.MissingUniqueIndex, drift.PrimaryKeyMismatch:
			cols, ok := keyColumns(m, f)
			if !ok {
				continue
			}
			written := ""
			for _, u := range uses {
				if c := u.conflict; c != nil && c.table == f.Subject && sameSet(c.columns, cols) {
					names = append(names, u.name)
					written = c.written
				}
			}
			why = fmt.Sprintf("%s for %s, which fails with 42P10 without it", needWord(len(names)), written)
		case drift.TypeMismatch:
			table, column, ok := findingTarget(f)
			if !ok || column == "" {
				continue
			}
			for _, u := range uses {
				if u.readsColumn(table, column) {
					names = append(names, u.name)
				}
			}
			why = readWord(len(names)) + " it in its returns: the driver's conversion of " + column + " may fail or change values"
		default:
			continue
		}
		if len(names) == 0 {
			continue
		}
		f.Severity = drift.Error
		f.Message += "; " + queryWords(names) + " " + why
		for _, n := range names {
			if s := drift.QuerySubject(n); !slices.Contains(f.Affects, s) {
				f.Affects = append(f.Affects, s)
			}
		}
	}
}

func resolveWord(n int) string {
	return map[bool]string{true: "resolves it", false: "resolve it"}[n == 1]
}
func needWord(n int) string { return map[bool]string{true: "needs it", false: "need it"}[n == 1] }
func readWord(n int) string { return map[bool]string{true: "reads", false: "read"}[n == 1] }

// queryWords names queries: query a; queries a and b; queries a, b and c.
func queryWords(names []string) string {
	if len(names) == 1 {
		return "query " + names[0]
	}
	return "queries " + strings.Join(names[:len(names)-1], ", ") + " and " + names[len(names)-1]
}

// ownerOf returns the column a sequence-not-owned finding says should own
// the sequence: the serial or identity column it is about, or the owned_by
// of a declared sequence.
func ownerOf(m *spec.Model, f *drift.Finding) (colRef, bool) {
	if table, column, ok := findingTarget(f); ok && column != "" {
		return colRef{table, column}, true
	}
	for _, s := range m.Sequences {
		if drift.SequenceSubject(s.Name) == f.Subject && s.OwnedBy != nil {
			return colRef{s.OwnedBy.Table.String(), s.OwnedBy.Column}, true
		}
	}
	return colRef{}, false
}

// keyColumns returns the columns of the declared primary key, unique key or
// index that a finding on a table is about, found by its model position.
func keyColumns(m *spec.Model, f *drift.Finding) ([]string, bool) {
	for _, t := range m.Tables {
		if t.Name.String() != f.Subject {
			continue
		}
		if f.Code == drift.PrimaryKeyMismatch && t.PrimaryKey != nil && t.PrimaryKey.Pos == f.Pos() {
			return t.PrimaryKey.Columns, true
		}
		for _, u := range t.Unique {
			if f.Code == drift.MissingUnique && u.Pos == f.Pos() {
				return u.Columns, true
			}
		}
		for _, ix := range t.Indexes {
			if (f.Code == drift.MissingIndex || f.Code == drift.MissingUniqueIndex) && ix.Pos == f.Pos() && ix.Where == nil && ix.Exclude == nil {
				return ix.Columns, true
			}
		}
	}
	return nil, false
}

func sameSet(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for _, x := range a {
		if !slices.Contains(b, x) {
			return false
		}
	}
	return true
}
