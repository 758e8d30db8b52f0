package prisma

import (
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/rbacdrift/rbacdrift/spec"
)

// An Error is a syntax or mapping error at a position of the schema file.
type Error struct {
	Pos spec.Pos
	Msg string
}

func (e *Error) Error() string { return e.Pos.String() + ": " + e.Msg }

func errorf(p spec.Pos, format string, args ...any) *Error {
	return &Error{Pos: p, Msg: fmt.Sprintf(format, args...)}
}

// A tokKind is the kind of a token of the Prisma schema language.
type tokKind int

const (
	tEOF    tokKind = iota
	tIdent          // a name, possibly dotted (db.VarChar)
	tString         // a double-quoted string; text is the decoded value
	tNumber         // an integer or decimal, possibly negative
	tPunct          // one of { } ( ) [ ] , : = ? @ and @@
)

// A token is one lexical element with the position of its first character.
type token struct {
	kind tokKind
	text string
	pos  spec.Pos
	nl   bool // the first token of its line
}

// describe names a token in an error message.
func (t token) describe() string {
	if t.kind == tEOF {
		return "end of file"
	}
	if t.kind == tString {
		return "string " + strconv.Quote(t.text)
	}
	return strconv.Quote(t.text)
}

// lex splits src into tokens. Comments (// and ///) are skipped. Columns
// count characters, not bytes, from 1.
func lex(file, src string) ([]token, error) {
	var toks []token
	line, col := 1, 1
	nl := true
	i := 0
	advance := func(n int) {
		for range n {
			r, size := utf8.DecodeRuneInString(src[i:])
			i += size
			if r == '\n' {
				line, col = line+1, 1
			} else {
				col++
			}
		}
	}
	for i < len(src) {
		c := src[i]
		pos := spec.Pos{File: file, Line: line, Column: col}
		switch {
		case c == '\n':
			advance(1)
			nl = true
			continue
		case c == ' ' || c == '\t' || c == '\r' || c == '\f':
			advance(1)
			continue
		case c == '/' && strings.HasPrefix(src[i:], "//"):
			for i < len(src) && src[i] != '\n' {
				advance(1)
			}
			continue
		case isIdentStart(c):
			start := i
			for i < len(src) && (isIdentPart(src[i]) || src[i] == '.' && i+1 < len(src) && isIdentStart(src[i+1])) {
				advance(1)
			}
			toks = append(toks, token{kind: tIdent, text: src[start:i], pos: pos, nl: nl})
		case c >= '0' && c <= '9' || c == '-' && i+1 < len(src) && src[i+1] >= '0' && src[i+1] <= '9':
			start := i
			advance(1)
			for i < len(src) && (src[i] >= '0' && src[i] <= '9' || src[i] == '.' && i+1 < len(src) && src[i+1] >= '0' && src[i+1] <= '9') {
				advance(1)
			}
			toks = append(toks, token{kind: tNumber, text: src[start:i], pos: pos, nl: nl})
		case c == '"':
			s, err := lexString(src, &i, &line, &col, file)
			if err != nil {
				return nil, err
			}
			toks = append(toks, token{kind: tString, text: s, pos: pos, nl: nl})
		case c == '@' && strings.HasPrefix(src[i:], "@@"):
			advance(2)
			toks = append(toks, token{kind: tPunct, text: "@@", pos: pos, nl: nl})
		case strings.IndexByte("{}()[],:=?@", c) >= 0:
			advance(1)
			toks = append(toks, token{kind: tPunct, text: string(c), pos: pos, nl: nl})
		default:
			r, _ := utf8.DecodeRuneInString(src[i:])
			return nil, errorf(pos, "unexpected character %q", r)
		}
		nl = false
	}
	toks = append(toks, token{kind: tEOF, pos: spec.Pos{File: file, Line: line, Column: col}, nl: true})
	return toks, nil
}

func isIdentStart(c byte) bool { return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == '_' }
func isIdentPart(c byte) bool  { return isIdentStart(c) || c >= '0' && c <= '9' }

// lexString decodes the string literal at src[*i] (its opening quote) and
// moves past the closing quote. Escapes are JSON's: \" \\ \/ \b \f \n \r \t
// and \uXXXX.
func lexString(src string, i, line, col *int, file string) (string, error) {
	start := spec.Pos{File: file, Line: *line, Column: *col}
	var b strings.Builder
	j := *i + 1
	c := *col + 1
	for {
		if j >= len(src) || src[j] == '\n' {
			return "", errorf(start, "unterminated string")
		}
		r, size := utf8.DecodeRuneInString(src[j:])
		switch r {
		case '"':
			*i, *col = j+1, c+1
			return b.String(), nil
		case '\\':
			if j+1 >= len(src) {
				return "", errorf(start, "unterminated string")
			}
			esc := src[j+1]
			escPos := spec.Pos{File: file, Line: *line, Column: c}
			switch esc {
			case '"', '\\', '/':
				b.WriteByte(esc)
			case 'b':
				b.WriteByte('\b')
			case 'f':
				b.WriteByte('\f')
			case 'n':
				b.WriteByte('\n')
			case 'r':
				b.WriteByte('\r')
			case 't':
				b.WriteByte('\t')
			case 'u':
				if j+6 > len(src) {
					return "", errorf(escPos, `invalid escape: \u needs four hex digits`)
				}
				n, err := strconv.ParseUint(src[j+2:j+6], 16, 32)
				if err != nil {
					return "", errorf(escPos, `invalid escape: \u needs four hex digits`)
				}
				b.WriteRune(rune(n))
				j, c = j+4, c+4
			default:
				return "", errorf(escPos, "invalid escape \\%c", esc)
			}
			j, c = j+2, c+2
			continue
		}
		b.WriteRune(r)
		j += size
		c++
	}
}
