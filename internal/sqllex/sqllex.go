// Package sqllex is the one place that knows SQL's lexical rules: string
// literals (E” with backslash escapes), quoted names, dollar quotes, nested
// block comments, parameters. The model parser (package spec) uses it to
// split and classify statements, the dry run to explain what the server
// says, and the migrations reader to tell what a migration changes.
//
// # What it never does
//
// It never parses SQL's grammar and never talks to a database.
package sqllex

import (
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// A TokenKind says what a [Token] is.
type TokenKind int

const (
	TokIdent  TokenKind = iota // a name or keyword; Text is lower-cased
	TokQuoted                  // a "quoted" name; Text is the name
	TokParam                   // $1
	TokOther                   // numbers, strings, operators, punctuation
)

// A Token is one lexical token of SQL.
type Token struct {
	Kind TokenKind
	Text string
	Raw  string // as written
	Pos  int    // character (rune) offset in the SQL, as PostgreSQL counts error positions
	Off  int    // byte offset in the SQL
}

// Tokenize splits sql into tokens, skipping blanks and comments; a string
// literal, a dollar-quoted body or a quoted name is one token. unterminated
// is set when one of them, or a block comment, does not end.
func Tokenize(sql string) (toks []Token, unterminated bool) {
	var out []Token
	i, runes := 0, 0
	adv := func(n int) { // advance n bytes, counting runes
		runes += utf8.RuneCountInString(sql[i : i+n])
		i += n
	}
	for i < len(sql) {
		c := sql[i]
		rest := sql[i:]
		start, off := runes, i
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f':
			adv(1)
		case strings.HasPrefix(rest, "--"):
			n := strings.IndexByte(rest, '\n')
			if n < 0 {
				n = len(rest)
			}
			adv(n)
		case strings.HasPrefix(rest, "/*"):
			depth, j := 0, 0
			for j < len(rest) {
				if strings.HasPrefix(rest[j:], "/*") {
					depth++
					j += 2
				} else if strings.HasPrefix(rest[j:], "*/") {
					depth--
					j += 2
					if depth == 0 {
						break
					}
				} else {
					j++
				}
			}
			unterminated = unterminated || depth > 0
			adv(j)
		case c == '\'' || (c == 'E' || c == 'e') && strings.HasPrefix(rest[1:], "'"):
			j := 1
			escapes := c != '\''
			if escapes {
				j = 2
			}
			closed := false
			for j < len(rest) && !closed {
				switch {
				case escapes && rest[j] == '\\':
					j += 2
				case rest[j] == '\'' && j+1 < len(rest) && rest[j+1] == '\'':
					j += 2
				case rest[j] == '\'':
					j++
					closed = true
				default:
					j++
				}
			}
			unterminated = unterminated || !closed
			j = min(j, len(rest))
			out = append(out, Token{Kind: TokOther, Text: rest[:j], Raw: rest[:j], Pos: start, Off: off})
			adv(j)
		case c == '"':
			j := 1
			closed := false
			var name strings.Builder
			for j < len(rest) && !closed {
				switch {
				case rest[j] == '"' && j+1 < len(rest) && rest[j+1] == '"':
					name.WriteByte('"')
					j += 2
				case rest[j] == '"':
					j++
					closed = true
				default:
					name.WriteByte(rest[j])
					j++
				}
			}
			unterminated = unterminated || !closed
			out = append(out, Token{Kind: TokQuoted, Text: name.String(), Raw: rest[:j], Pos: start, Off: off})
			adv(j)
		case c == '$' && len(rest) > 1 && rest[1] >= '0' && rest[1] <= '9':
			j := 1
			for j < len(rest) && rest[j] >= '0' && rest[j] <= '9' {
				j++
			}
			out = append(out, Token{Kind: TokParam, Text: rest[:j], Raw: rest[:j], Pos: start, Off: off})
			adv(j)
		case c == '$':
			if tag, ok := dollarTag(rest); ok {
				end := strings.Index(rest[len(tag):], tag)
				j := len(rest)
				if end >= 0 {
					j = len(tag) + end + len(tag)
				} else {
					unterminated = true
				}
				out = append(out, Token{Kind: TokOther, Text: rest[:j], Raw: rest[:j], Pos: start, Off: off})
				adv(j)
				continue
			}
			out = append(out, Token{Kind: TokOther, Text: "$", Raw: "$", Pos: start, Off: off})
			adv(1)
		case isIdentStart(rest):
			j := 0
			for j < len(rest) {
				r, n := utf8.DecodeRuneInString(rest[j:])
				if !(r == '_' || r == '$' || unicode.IsLetter(r) || unicode.IsDigit(r)) {
					break
				}
				j += n
			}
			out = append(out, Token{Kind: TokIdent, Text: strings.ToLower(rest[:j]), Raw: rest[:j], Pos: start, Off: off})
			adv(j)
		case c >= '0' && c <= '9':
			j := 0
			for j < len(rest) && (rest[j] >= '0' && rest[j] <= '9' || rest[j] == '.' || rest[j] == '_' || rest[j] == 'e' || rest[j] == 'E') {
				j++
			}
			out = append(out, Token{Kind: TokOther, Text: rest[:j], Raw: rest[:j], Pos: start, Off: off})
			adv(j)
		case strings.ContainsRune("+-*/<>=~!@#%^&|`?", rune(c)):
			j := 0
			for j < len(rest) && strings.ContainsRune("+-*/<>=~!@#%^&|`?", rune(rest[j])) {
				if strings.HasPrefix(rest[j:], "--") || strings.HasPrefix(rest[j:], "/*") {
					break
				}
				j++
			}
			out = append(out, Token{Kind: TokOther, Text: rest[:j], Raw: rest[:j], Pos: start, Off: off})
			adv(j)
		case c == ':' && strings.HasPrefix(rest, "::"):
			out = append(out, Token{Kind: TokOther, Text: "::", Raw: "::", Pos: start, Off: off})
			adv(2)
		default:
			_, n := utf8.DecodeRuneInString(rest)
			out = append(out, Token{Kind: TokOther, Text: rest[:n], Raw: rest[:n], Pos: start, Off: off})
			adv(n)
		}
	}
	return out, unterminated
}

func isIdentStart(s string) bool {
	r, _ := utf8.DecodeRuneInString(s)
	return r == '_' || unicode.IsLetter(r)
}

// dollarTag returns the opening $tag$ of a dollar-quoted string at the start of s.
func dollarTag(s string) (string, bool) {
	for j := 1; j < len(s); j++ {
		switch c := s[j]; {
		case c == '$':
			return s[:j+1], true
		case c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || j > 1 && c >= '0' && c <= '9':
		default:
			return "", false
		}
	}
	return "", false
}

// A Statement is one SQL statement found by [SplitStatements].
type Statement struct {
	Start, End int // byte offsets of the statement text in the input, without the terminating semicolon
}

// SplitStatements finds the statements of sql. Statements that hold only
// comments and white space are left out. unterminated is set when a literal,
// quoted name or comment does not end.
func SplitStatements(sql string) (stmts []Statement, unterminated bool) {
	toks, unterminated := Tokenize(sql)
	if unterminated {
		return nil, true
	}
	start, has := 0, false
	for _, t := range toks {
		if t.Kind == TokOther && t.Text == ";" {
			if has {
				stmts = append(stmts, Statement{Start: start, End: t.Off})
			}
			start, has = t.Off+1, false
			continue
		}
		has = true
	}
	if has {
		stmts = append(stmts, Statement{Start: start, End: len(sql)})
	}
	return stmts, unterminated
}

// FirstKeyword returns the first word of sql outside comments and opening
// parentheses, upper-cased: SELECT, WITH, INSERT, UPDATE, DELETE and so on.
func FirstKeyword(sql string) string {
	toks, _ := Tokenize(sql)
	return FirstKeywordOf(toks)
}

// FirstKeywordOf is [FirstKeyword] of tokens already read.
func FirstKeywordOf(toks []Token) string {
	for _, t := range toks {
		switch {
		case t.Kind == TokOther && t.Text == "(":
			continue
		case t.Kind == TokIdent:
			return strings.ToUpper(t.Text)
		}
		return ""
	}
	return ""
}

// IsPlannable reports whether EXPLAIN takes a statement starting with
// keyword.
func IsPlannable(keyword string) bool {
	switch keyword {
	case "SELECT", "WITH", "VALUES", "TABLE", "INSERT", "UPDATE", "DELETE", "MERGE":
		return true
	}
	return false
}

// MaxParam returns the highest $N of toks, 0 for none.
func MaxParam(toks []Token) int {
	n := 0
	for _, t := range toks {
		if t.Kind == TokParam {
			if i, err := strconv.Atoi(strings.TrimPrefix(t.Text, "$")); err == nil {
				n = max(n, i)
			}
		}
	}
	return n
}

// IsReadQuery reports whether a statement starting with keyword returns rows
// without writing: SELECT, WITH, VALUES, TABLE.
func IsReadQuery(keyword string) bool {
	switch keyword {
	case "SELECT", "WITH", "VALUES", "TABLE":
		return true
	}
	return false
}
