package spec

import (
	"fmt"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/rbacdrift/rbacdrift/internal/sqllex"
	"gopkg.in/yaml.v3"
)

// PosAt maps a 1-based character position in the query's SQL (as PostgreSQL
// reports it in an error) to its position in the file the query came from.
func (q *Query) PosAt(charPos int) Pos {
	if charPos <= 0 || len(q.lineStarts) == 0 {
		return q.SQLPos
	}
	idx := charPos - 1
	ls := q.lineStarts[0]
	for _, l := range q.lineStarts {
		if l.offset > idx {
			break
		}
		ls = l
	}
	p := ls.pos
	p.Column += idx - ls.offset
	return p
}

// mapLines records, for each line of sql, where it starts in the file: the
// first line at first, each next one at the line below, column col.
func mapLines(sql string, first Pos, col int) []lineStart {
	out := []lineStart{{offset: 0, pos: first}}
	runes := 0
	line := first.Line
	for _, r := range sql {
		runes++
		if r == '\n' {
			line++
			out = append(out, lineStart{offset: runes, pos: Pos{File: first.File, Line: line, Column: col}})
		}
	}
	return out
}

func (d *decoder) queries(m *Model, n *yaml.Node) {
	d.mapping(n, "queries", func(key string, k, v *yaml.Node) {
		field := join("queries", key)
		if !validQueryName(key) {
			d.errorf(k, field, "%q is not a query name; use letters, digits, _ and -", key)
			return
		}
		q := &Query{Name: key, Pos: d.pos(k)}
		var sqlNode *yaml.Node
		if v.Kind == yaml.ScalarNode {
			sqlNode = v
		} else {
			d.mapping(v, field, func(key string, k, v *yaml.Node) {
				f := join(field, key)
				switch key {
				case "sql":
					sqlNode = v
				case "params":
					q.HasParams = true
					items, ok := d.seq(v, f)
					if !ok {
						return
					}
					q.Params = []string{}
					for i, it := range items {
						if s, ok := d.typeName(it, fmt.Sprintf("%s[%d]", f, i)); ok {
							q.Params = append(q.Params, s)
						}
					}
				case "returns":
					q.Returns = d.returns(v, f)
				case "run_as":
					q.RunAs, _ = d.identifier(v, f)
				case "sample":
					q.Sample = d.sample(v, f)
				case "samples":
					q.Samples = d.samples(v, f)
				case "settings":
					q.Settings = d.settings(v, f)
				default:
					d.unknown(k, field, key, "sql", "params", "returns", "run_as", "sample", "samples", "settings")
				}
			})
		}
		switch {
		case q.Sample != nil && q.Samples != nil:
			d.errorf(v, join(field, "samples"), "give sample or samples, not both")
			return
		case q.Sample != nil:
			q.Samples = []*Sample{q.Sample}
		case len(q.Samples) > 0:
			q.Sample = q.Samples[0]
		}
		if sqlNode == nil {
			d.errorf(v, join(field, "sql"), "missing; give the SQL the application sends")
			return
		}
		sql, ok := d.nonEmpty(sqlNode, join(field, "sql"))
		if !ok {
			return
		}
		q.SQL = sql
		q.SQLPos, q.lineStarts = d.sqlPositions(sqlNode)
		if !d.checkSQL(q, join(field, "sql"), sqlNode) {
			return
		}
		if q.RunAs == "" {
			q.RunAs = m.RunAs
		}
		m.Queries = append(m.Queries, q)
	})
}

var queryNameRE = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_\-]*$`)

func validQueryName(s string) bool { return len(s) <= 200 && queryNameRE.MatchString(s) }

// sqlPositions works out where the SQL text of a YAML scalar stands in the file.
func (d *decoder) sqlPositions(n *yaml.Node) (Pos, []lineStart) {
	first := d.pos(n)
	switch n.Style {
	case yaml.LiteralStyle:
		// "sql: |": content starts on the next line, indented; fixLiteral
		// completes the positions once the raw text is at hand.
		return Pos{File: d.file, Line: n.Line + 1}, nil
	case yaml.SingleQuotedStyle, yaml.DoubleQuotedStyle:
		first.Column++
	}
	return first, mapLines(n.Value, first, 1)
}

func (d *decoder) checkSQL(q *Query, field string, n *yaml.Node) bool {
	stmts, unterminated := sqllex.SplitStatements(q.SQL)
	switch {
	case unterminated:
		d.errorf(n, field, "the SQL has an unterminated string, quoted name or comment")
		return false
	case len(stmts) == 0:
		d.errorf(n, field, "the SQL holds no statement")
		return false
	case len(stmts) > 1:
		d.errorf(n, field, "the SQL holds %d statements; give one statement per query (the application sends them one by one)", len(stmts))
		return false
	}
	// Drop the terminating semicolon and what follows it (comments, blanks).
	q.SQL = strings.TrimRightFunc(q.SQL[:stmts[0].End], isSpace)
	if q.Sample != nil && !sqllex.IsReadQuery(sqllex.FirstKeyword(q.SQL)) {
		d.errs = append(d.errs, &Error{Pos: q.Sample.Pos, Field: strings.TrimSuffix(field, ".sql") + ".sample",
			Msg: fmt.Sprintf("sample runs the query read-only, but this is %s, not a query that returns rows; remove sample", sqllex.FirstKeyword(q.SQL))})
		return false
	}
	return true
}

// MaxParams is the highest parameter number ($65535) a query may use: the
// protocol counts a statement's parameters in 16 bits.
const MaxParams = 65535

// checkParams refuses a parameter number above [MaxParams], at its
// position: the dry run binds one value per number up to the highest.
func (d *decoder) checkParams(q *Query, field string) bool {
	toks, _ := sqllex.Tokenize(q.SQL)
	for _, t := range toks {
		if t.Kind != sqllex.TokParam {
			continue
		}
		if n, err := strconv.ParseUint(t.Text[1:], 10, 32); err != nil || n > MaxParams || n == 0 {
			if len(d.errs) < maxErrors {
				d.errs = append(d.errs, &Error{Pos: q.PosAt(t.Pos + 1), Field: field,
					Msg: fmt.Sprintf("parameter %s: parameters are numbered from $1 to $%d", t.Text, MaxParams)})
			}
			return false
		}
	}
	return true
}

func isSpace(r rune) bool { return r == ' ' || r == '\t' || r == '\n' || r == '\r' }

func (d *decoder) returns(n *yaml.Node, field string) []*ReturnColumn {
	out := []*ReturnColumn{}
	if n.Kind == yaml.SequenceNode {
		items, _ := d.seq(n, field)
		seen := map[string]Pos{}
		for i, it := range items {
			fi := fmt.Sprintf("%s[%d]", field, i)
			if s, ok := d.identifier(it, fi); ok {
				d.unique(seen, s, it, fi, "column "+s)
				out = append(out, &ReturnColumn{Name: s, Pos: d.pos(it)})
			}
		}
		return out
	}
	d.mapping(n, field, func(key string, k, v *yaml.Node) {
		rc := &ReturnColumn{Name: key, Pos: d.pos(k)}
		if !(v.Kind == yaml.ScalarNode && v.Tag == "!!null") {
			rc.Type, _ = d.typeName(v, join(field, key))
		}
		out = append(out, rc)
	})
	return out
}

func (d *decoder) sample(n *yaml.Node, field string) *Sample {
	s := &Sample{Pos: d.pos(n), Expect: "any"}
	d.mapping(n, field, func(key string, k, v *yaml.Node) {
		f := join(field, key)
		switch key {
		case "args":
			items, ok := d.seq(v, f)
			if !ok {
				return
			}
			s.Args = []any{}
			for i, it := range items {
				var a any
				if it.Kind != yaml.ScalarNode {
					d.errorf(it, fmt.Sprintf("%s[%d]", f, i), "want a scalar argument, got %s", kindName(it))
					continue
				}
				if it.Tag != "!!null" {
					if err := it.Decode(&a); err != nil {
						d.errorf(it, fmt.Sprintf("%s[%d]", f, i), "%v", err)
						continue
					}
				}
				s.Args = append(s.Args, a)
			}
		case "expect":
			s.Expect, _ = d.oneOf(v, f, "rows", "no_rows", "any")
		case "settings":
			s.Settings = d.settings(v, f)
		default:
			d.unknown(k, field, key, "args", "expect", "settings")
		}
	})
	return s
}

// fixLiteral completes the positions of literal-block SQL ("sql: |") from the
// raw file text: the indentation is that of the first non-blank content line.
func fixLiteral(q *Query, lines []string) {
	if q.lineStarts != nil || q.SQLPos.Line < 1 {
		return
	}
	indent := 0
	for l := q.SQLPos.Line; l <= len(lines); l++ {
		t := lines[l-1]
		if strings.TrimSpace(t) == "" {
			continue
		}
		indent = len(t) - len(strings.TrimLeft(t, " "))
		break
	}
	q.SQLPos.Column = indent + 1
	q.lineStarts = mapLines(q.SQL, q.SQLPos, indent+1)
}

// sqlc-style query files: "-- name: GetUser :one" starts a query.
var nameLineRE = regexp.MustCompile(`^\s*--\s*name:\s*(\S+)\s*(:[a-z]+)?\s*$`)

var sqlcCommands = map[string]bool{":one": true, ":many": true, ":exec": true, ":execrows": true, ":execresult": true,
	":execlastid": true, ":batchexec": true, ":batchmany": true, ":batchone": true, ":copyfrom": true}

// ParseQueryFile reads the queries of a sqlc-style file: each starts at a
// "-- name: X" line (optionally followed by :one, :many, :exec ...) and runs to
// the next one. runAs is the model's default role.
func ParseQueryFile(file string, data []byte, runAs string) ([]*Query, error) {
	d := &decoder{file: file}
	if !utf8.Valid(data) || strings.IndexByte(string(data), 0) >= 0 {
		d.errorf(nil, "", "not a text file (binary content); a query file is SQL")
		return nil, d.errs
	}
	lines := strings.SplitAfter(string(data), "\n")
	var out []*Query
	var cur *Query
	var body strings.Builder
	flush := func() {
		if cur == nil {
			return
		}
		cur.SQL = body.String()
		cur.lineStarts = mapLines(cur.SQL, cur.SQLPos, 1)
		n := &yaml.Node{Line: cur.Pos.Line, Column: cur.Pos.Column}
		if strings.TrimSpace(cur.SQL) == "" {
			d.errorf(n, cur.Name, "the query has no SQL after its -- name: line")
		} else if d.checkSQL(cur, cur.Name, n) && d.checkParams(cur, cur.Name) {
			out = append(out, cur)
		}
		cur = nil
		body.Reset()
	}
	for i, line := range lines {
		if mm := nameLineRE.FindStringSubmatch(strings.TrimRight(line, "\r\n")); mm != nil {
			flush()
			cur = &Query{Name: mm[1], Annotation: mm[2], RunAs: runAs,
				Pos:    Pos{File: file, Line: i + 1, Column: strings.Index(line, "--") + 1},
				SQLPos: Pos{File: file, Line: i + 2, Column: 1}}
			if !validQueryName(cur.Name) {
				d.errorf(&yaml.Node{Line: i + 1, Column: 1}, "", "%q is not a query name; use letters, digits, _ and -", cur.Name)
			}
			if cur.Annotation != "" && !sqlcCommands[cur.Annotation] {
				d.errorf(&yaml.Node{Line: i + 1, Column: 1}, cur.Name, "unknown sqlc command %s (one of :one, :many, :exec, :execrows, :execresult ...)", cur.Annotation)
			}
			continue
		}
		if cur != nil {
			body.WriteString(line)
		}
	}
	flush()
	if len(out) == 0 && len(d.errs) == 0 {
		d.errorf(nil, "", "no queries found; each query starts with a line \"-- name: query_name\"")
	}
	if len(d.errs) > 0 {
		return nil, d.errs
	}
	return out, nil
}

// loadQueryFiles reads the query files of m from the operating system's
// file system, relative to dir.
func (m *Model) loadQueryFiles(dir string) error { return m.loadQueryFilesFrom(osFiles{}, dir) }

// loadQueryFilesFrom reads the query files of m from src, relative to dir.
func (m *Model) loadQueryFilesFrom(src files, dir string) error {
	var errs Errors
	seen := map[string]Pos{}
	for _, q := range m.Queries {
		seen[q.Name] = q.Pos
	}
	for _, g := range m.QueryFiles {
		files, err := src.glob(src.join(dir, g))
		if err != nil {
			errs = append(errs, &Error{Pos: m.QueryFilesPos, Field: "query_files", Msg: fmt.Sprintf("%q: %v", g, err)})
			continue
		}
		if len(files) == 0 {
			errs = append(errs, &Error{Pos: m.QueryFilesPos, Field: "query_files", Msg: fmt.Sprintf("%q matches no file (relative to %s)", g, dir)})
			continue
		}
		sort.Strings(files)
		for _, f := range files {
			data, err := src.read(f)
			if err != nil {
				errs = append(errs, err.(Errors)...)
				continue
			}
			qs, err := ParseQueryFile(f, data, m.RunAs)
			if err != nil {
				errs = append(errs, err.(Errors)...)
				continue
			}
			for _, q := range qs {
				if prev, dup := seen[q.Name]; dup {
					errs = append(errs, &Error{Pos: q.Pos, Field: q.Name, Msg: "query name used twice; first at " + prev.String()})
					continue
				}
				seen[q.Name] = q.Pos
				m.Queries = append(m.Queries, q)
			}
		}
	}
	if len(errs) > 0 {
		return errs
	}
	return nil
}
