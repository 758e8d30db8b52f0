package replay

import (
	"cmp"
	"fmt"
	"slices"
	"strings"

	"github.com/rbacdrift/rbacdrift/internal/migrations"
	"github.com/rbacdrift/rbacdrift/internal/sqllex"
)

// FromSQL returns the plan that applies sql, the DDL a tool printed for a
// whole schema (drizzle-kit export), as one migration named name whose
// file is file: each statement one query, all in one transaction, so that
// [Derive] replays it exactly as it replays a folder, with the same
// migrator role and bounds. tool and dir say where it came from.
func FromSQL(tool migrations.Tool, dir, name, file, sql string) (*Plan, error) {
	stmts, unterminated := sqllex.SplitStatements(sql)
	if unterminated {
		return nil, fmt.Errorf("reading %s: a string, quoted name or comment does not end", name)
	}
	if len(stmts) == 0 {
		return nil, fmt.Errorf("reading %s: no SQL statement", name)
	}
	m := &Migration{Name: name, File: file, Tx: true, text: sql}
	for _, st := range stmts {
		m.Chunks = append(m.Chunks, Chunk{SQL: sql[st.Start:st.End], Off: st.Start})
	}
	return &Plan{Tool: tool, Dir: dir, Migrations: []*Migration{m}}, nil
}

// Schemas returns the schemas the plan's SQL creates (CREATE SCHEMA), in
// order, after public: the schemas a snapshot of what it made reads.
func (p *Plan) Schemas() []string {
	out := []string{"public"}
	for _, m := range p.Migrations {
		for _, c := range m.Chunks {
			toks, _ := sqllex.Tokenize(c.SQL)
			if len(toks) < 3 || !isWord(toks[0], "create") || !isWord(toks[1], "schema") {
				continue
			}
			i := 2
			if len(toks) > 5 && isWord(toks[2], "if") && isWord(toks[3], "not") && isWord(toks[4], "exists") {
				i = 5
			}
			if isName(toks[i]) && !isWord(toks[i], "authorization") && !slices.Contains(out, toks[i].Text) {
				out = append(out, toks[i].Text)
			}
		}
	}
	slices.SortFunc(out[1:], func(a, b string) int { return cmp.Compare(strings.ToLower(a), strings.ToLower(b)) })
	return out
}
