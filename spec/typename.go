package spec

import (
	"strconv"
	"strings"

	"github.com/rbacdrift/rbacdrift/internal/sqllex"
)

// maxTypeName bounds the length of a type name in the model.
const maxTypeName = 200

// ValidTypeName reports whether s is a PostgreSQL type name and nothing
// else: a name, possibly schema-qualified and double-quoted, or one of
// SQL's multi-word names (double precision, character varying, timestamp
// with time zone, interval day to second ...); an optional modifier of one
// or two numbers in parentheses; optional array bounds ([], [n], ARRAY,
// ARRAY[n]). No comment, string, operator or other word passes, so a
// declared type can be handed to the server as $1::<type> to be
// canonicalised without any risk of running something else:
// "integer FROM pg_authid FOR UPDATE" is not a type name.
func ValidTypeName(s string) bool {
	if len(s) > maxTypeName || strings.IndexByte(s, 0) >= 0 {
		return false
	}
	toks, unterminated := sqllex.Tokenize(s)
	if unterminated || len(toks) == 0 {
		return false
	}
	// Only blanks between tokens: Tokenize skips comments, which a type
	// name may not hold.
	end := 0
	for _, t := range toks {
		if strings.TrimLeft(s[end:t.Off], " \t\r\n") != "" {
			return false
		}
		end = t.Off + len(t.Raw)
	}
	if strings.TrimSpace(s[end:]) != "" {
		return false
	}
	p := &typeParser{toks: toks}
	return p.typeName() && p.i == len(p.toks)
}

type typeParser struct {
	toks []sqllex.Token
	i    int
}

func (p *typeParser) peek() (sqllex.Token, bool) {
	if p.i >= len(p.toks) {
		return sqllex.Token{}, false
	}
	return p.toks[p.i], true
}

// word consumes the unquoted word w (lower case).
func (p *typeParser) word(w ...string) (string, bool) {
	t, ok := p.peek()
	if !ok || t.Kind != sqllex.TokIdent {
		return "", false
	}
	for _, x := range w {
		if t.Text == x {
			p.i++
			return x, true
		}
	}
	return "", false
}

func (p *typeParser) punct(c string) bool {
	t, ok := p.peek()
	if ok && t.Kind == sqllex.TokOther && t.Text == c {
		p.i++
		return true
	}
	return false
}

func (p *typeParser) number() bool {
	t, ok := p.peek()
	if !ok || t.Kind != sqllex.TokOther || t.Text == "" || strings.Trim(t.Text, "0123456789") != "" {
		return false
	}
	if _, err := strconv.ParseInt(t.Text, 10, 32); err != nil {
		return false
	}
	p.i++
	return true
}

// modifier consumes an optional "(n)" or, with two, "(n, m)"; it reports
// false on a malformed one.
func (p *typeParser) modifier(two bool) bool {
	if !p.punct("(") {
		return true
	}
	if !p.number() {
		return false
	}
	if two && p.punct(",") && !p.number() {
		return false
	}
	return p.punct(")")
}

func (p *typeParser) name() bool {
	t, ok := p.peek()
	if !ok || t.Kind != sqllex.TokIdent && t.Kind != sqllex.TokQuoted || t.Kind == sqllex.TokQuoted && t.Text == "" {
		return false
	}
	p.i++
	return true
}

var intervalFields = []string{"year", "month", "day", "hour", "minute", "second"}

func (p *typeParser) typeName() bool {
	if !p.base() {
		return false
	}
	// Array bounds: [] or [n], any number of times; or ARRAY, ARRAY[n].
	if _, ok := p.word("array"); ok {
		if p.punct("[") && (!p.number() || !p.punct("]")) {
			return false
		}
		return true
	}
	for p.punct("[") {
		p.number()
		if !p.punct("]") {
			return false
		}
	}
	return true
}

func (p *typeParser) base() bool {
	t, ok := p.peek()
	if !ok {
		return false
	}
	qualified := len(p.toks) > p.i+1 && p.toks[p.i+1].Kind == sqllex.TokOther && p.toks[p.i+1].Text == "."
	if t.Kind == sqllex.TokIdent && !qualified {
		switch t.Text {
		case "double":
			p.i++
			_, ok := p.word("precision")
			return ok
		case "national":
			p.i++
			if _, ok := p.word("character", "char"); !ok {
				return false
			}
			p.word("varying")
			return p.modifier(false)
		case "character", "char", "nchar", "bit":
			p.i++
			p.word("varying")
			return p.modifier(false)
		case "timestamp", "time":
			p.i++
			if !p.modifier(false) {
				return false
			}
			if _, ok := p.word("with", "without"); ok {
				if _, ok := p.word("time"); !ok {
					return false
				}
				_, ok := p.word("zone")
				return ok
			}
			return true
		case "interval":
			p.i++
			last := ""
			if f, ok := p.word(intervalFields...); ok {
				last = f
				if _, ok := p.word("to"); ok {
					if last, ok = p.word(intervalFields...); !ok {
						return false
					}
				}
			}
			if last != "" && last != "second" {
				return true
			}
			return p.modifier(false)
		}
	}
	// A generic name: [schema.]name, then up to two numbers.
	if !p.name() {
		return false
	}
	if qualified {
		p.i++ // the dot
		if !p.name() {
			return false
		}
	}
	return p.modifier(true)
}
