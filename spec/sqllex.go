package spec

import (
	"strings"
	"unicode"
)

// A Statement is one SQL statement found by [SplitStatements].
type Statement struct {
	Start, End int // byte offsets of the statement text in the input, without the terminating semicolon
}

// SplitStatements finds the statements of sql, skipping string literals,
// quoted identifiers, dollar-quoted bodies and comments. Statements that hold
// only comments and white space are left out. unterminated is set when a
// literal, identifier or comment does not end.
func SplitStatements(sql string) (stmts []Statement, unterminated bool) {
	start, i := 0, 0
	hasCode := false
	for i < len(sql) {
		c := sql[i]
		switch {
		case c == '-' && i+1 < len(sql) && sql[i+1] == '-':
			for i < len(sql) && sql[i] != '\n' {
				i++
			}
			continue
		case c == '/' && i+1 < len(sql) && sql[i+1] == '*':
			depth := 0
			for i < len(sql) {
				if sql[i] == '/' && i+1 < len(sql) && sql[i+1] == '*' {
					depth++
					i += 2
					continue
				}
				if sql[i] == '*' && i+1 < len(sql) && sql[i+1] == '/' {
					depth--
					i += 2
					if depth == 0 {
						break
					}
					continue
				}
				i++
			}
			if depth > 0 {
				return stmts, true
			}
			continue
		case c == '\'' || c == '"':
			hasCode = true
			escapes := c == '\'' && i > 0 && (sql[i-1] == 'E' || sql[i-1] == 'e') && (i < 2 || !isIdentByte(sql[i-2]))
			i++
			closed := false
			for i < len(sql) {
				if escapes && sql[i] == '\\' {
					i += 2
					continue
				}
				if sql[i] == c {
					if i+1 < len(sql) && sql[i+1] == c {
						i += 2
						continue
					}
					i++
					closed = true
					break
				}
				i++
			}
			if !closed {
				return stmts, true
			}
			continue
		case c == '$':
			hasCode = true
			if tag, ok := dollarTag(sql[i:]); ok && (i == 0 || !isIdentByte(sql[i-1])) {
				end := strings.Index(sql[i+len(tag):], tag)
				if end < 0 {
					return stmts, true
				}
				i += len(tag) + end + len(tag)
				continue
			}
		case c == ';':
			if hasCode {
				stmts = append(stmts, Statement{Start: start, End: i})
			}
			start, hasCode = i+1, false
			i++
			continue
		case !unicode.IsSpace(rune(c)):
			hasCode = true
		}
		i++
	}
	if hasCode {
		stmts = append(stmts, Statement{Start: start, End: len(sql)})
	}
	return stmts, false
}

func isIdentByte(c byte) bool {
	return c == '_' || c == '$' || c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= 0x80
}

// dollarTag returns the opening tag ($$ or $name$) at the start of s.
func dollarTag(s string) (string, bool) {
	if len(s) < 2 || s[0] != '$' {
		return "", false
	}
	if s[1] >= '0' && s[1] <= '9' {
		return "", false // $1: a parameter
	}
	for j := 1; j < len(s); j++ {
		if s[j] == '$' {
			return s[:j+1], true
		}
		if !(s[j] == '_' || s[j] >= 'a' && s[j] <= 'z' || s[j] >= 'A' && s[j] <= 'Z' || s[j] >= '0' && s[j] <= '9' || s[j] >= 0x80) {
			return "", false
		}
	}
	return "", false
}

// FirstKeyword returns the first word of sql outside comments, upper-cased:
// SELECT, WITH, INSERT, UPDATE, DELETE and so on.
func FirstKeyword(sql string) string {
	i := 0
	for i < len(sql) {
		switch {
		case unicode.IsSpace(rune(sql[i])) || sql[i] == '(':
			i++
		case strings.HasPrefix(sql[i:], "--"):
			for i < len(sql) && sql[i] != '\n' {
				i++
			}
		case strings.HasPrefix(sql[i:], "/*"):
			end := strings.Index(sql[i+2:], "*/")
			if end < 0 {
				return ""
			}
			i += end + 4
		default:
			j := i
			for j < len(sql) && (sql[j] >= 'a' && sql[j] <= 'z' || sql[j] >= 'A' && sql[j] <= 'Z') {
				j++
			}
			return strings.ToUpper(sql[i:j])
		}
	}
	return ""
}

// IsReadQuery reports whether a statement starting with keyword returns rows
// without writing: SELECT, WITH, VALUES, TABLE, SHOW.
func IsReadQuery(keyword string) bool {
	switch keyword {
	case "SELECT", "WITH", "VALUES", "TABLE":
		return true
	}
	return false
}
