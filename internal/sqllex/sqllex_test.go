package sqllex

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestSplitStatements(t *testing.T) {
	tests := []struct {
		sql          string
		n            int
		unterminated bool
	}{
		{"SELECT 1", 1, false},
		{"SELECT 1;", 1, false},
		{"SELECT 1; SELECT 2", 2, false},
		{"SELECT ';'", 1, false},
		{`SELECT ";" FROM t`, 1, false},
		{"SELECT $$;$$", 1, false},
		{"SELECT $tag$ ; $x$ ; $tag$", 1, false},
		{"SELECT $1; ", 1, false},
		{"SELECT 1 -- ; not a statement\n", 1, false},
		{"SELECT /* ; /* nested ; */ */ 1", 1, false},
		{"SELECT E'\\';' ", 1, false},
		{"SELECT 'it''s;'", 1, false},
		{"-- only a comment", 0, false},
		{"SELECT 'open", 0, true},
		{"SELECT $$ open", 0, true},
		{"/* open", 0, true},
		{";;", 0, false},
	}
	for _, tt := range tests {
		stmts, unterminated := SplitStatements(tt.sql)
		if len(stmts) != tt.n || unterminated != tt.unterminated {
			t.Errorf("SplitStatements(%q) = %d statements, unterminated %v; want %d, %v", tt.sql, len(stmts), unterminated, tt.n, tt.unterminated)
		}
	}
}

func TestTokenize(t *testing.T) {
	toks, unterminated := Tokenize(`SELECT "Rôle"."Id", E'it\'s', $1 FROM rp -- c
WHERE x::int4 >= $$a;b$$ /* n /* e */ */ ;`)
	if unterminated {
		t.Fatal("unterminated")
	}
	type tk struct {
		Kind     TokenKind
		Text     string
		Pos, Off int
	}
	var got []tk
	for _, x := range toks {
		got = append(got, tk{x.Kind, x.Text, x.Pos, x.Off})
	}
	want := []tk{
		{TokIdent, "select", 0, 0}, {TokQuoted, "Rôle", 7, 7}, {TokOther, ".", 13, 14}, {TokQuoted, "Id", 14, 15},
		{TokOther, ",", 18, 19}, {TokOther, `E'it\'s'`, 20, 21}, {TokOther, ",", 28, 29}, {TokParam, "$1", 30, 31},
		{TokIdent, "from", 33, 34}, {TokIdent, "rp", 38, 39}, {TokIdent, "where", 46, 47}, {TokIdent, "x", 52, 53},
		{TokOther, "::", 53, 54}, {TokIdent, "int4", 55, 56}, {TokOther, ">=", 60, 61}, {TokOther, "$$a;b$$", 63, 64},
		{TokOther, ";", 87, 88},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Tokenize (-want +got):\n%s", diff)
	}
	for _, sql := range []string{`SELECT 'open`, `SELECT "open`, `SELECT $t$ open`, `SELECT /* open`, `SELECT E'\'`} {
		if _, unterminated := Tokenize(sql); !unterminated {
			t.Errorf("Tokenize(%q): unterminated = false", sql)
		}
	}
	if got := FirstKeyword("-- c\n/* d */ ((select 1))"); got != "SELECT" {
		t.Errorf("FirstKeyword = %q, want SELECT", got)
	}
}
