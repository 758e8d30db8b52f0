package migrations

import (
	"slices"
	"strings"
)

// The tokenizer of code migrations: Ruby, Python and JavaScript, enough to
// read what a migration DSL says plainly (a call, its string and symbol
// arguments, keyword arguments, blocks), never to run it. Comments are
// skipped; strings are decoded for the common escapes; a string with
// interpolation (Ruby "#{...}", a Python f-string, a JavaScript template
// with ${...}) is marked, since its value is not known until it runs.

// A ctokKind says what a ctok is.
type ctokKind int

const (
	cIdent   ctokKind = iota // a name or keyword, as written
	cString                  // a string literal; text is its value
	cSymbol                  // a Ruby symbol (:roles); text is the name
	cNumber                  // a number
	cPunct                   // punctuation and operators, one or two characters
	cNewline                 // the end of a line outside brackets (Ruby and Python)
)

// A ctok is one token of a code migration.
type ctok struct {
	kind   ctokKind
	text   string
	interp bool // a string whose value depends on interpolation
	line   int  // from 1
	col    int  // from 0: Python's indentation
}

// A lang is the language a code migration is written in.
type lang int

const (
	langRuby lang = iota
	langPython
	langJS
)

// lexCode splits src into tokens.
func lexCode(src string, l lang) []ctok {
	var out []ctok
	line, lineStart := 1, 0
	depth := 0 // brackets open: newlines inside them do not end a statement
	var heredocs []string
	i := 0
	emit := func(k ctokKind, text string, start int) {
		out = append(out, ctok{kind: k, text: text, line: line, col: start - lineStart})
	}
	for i < len(src) {
		c := src[i]
		switch {
		case c == '\n':
			if depth == 0 && l != langJS {
				if n := len(out); n > 0 && out[n-1].kind != cNewline {
					emit(cNewline, "", i)
				}
			}
			i++
			line++
			lineStart = i
			// A Ruby heredoc's body starts on the next line.
			for len(heredocs) > 0 {
				tag := heredocs[0]
				heredocs = heredocs[1:]
				body, n := rubyHeredoc(src[i:], tag)
				for k := range out {
					if out[k].kind == cString && out[k].text == "\x00heredoc:"+tag {
						out[k].text = body
						out[k].interp = strings.Contains(body, "#{")
					}
				}
				line += strings.Count(src[i:i+n], "\n")
				i += n
				lineStart = i
			}
		case c == ' ' || c == '\t' || c == '\r':
			i++
		case c == '\\' && i+1 < len(src) && src[i+1] == '\n':
			i++ // a continued line
		case c == '#' && l != langJS:
			for i < len(src) && src[i] != '\n' {
				i++
			}
		case c == '/' && l == langJS && i+1 < len(src) && src[i+1] == '/':
			for i < len(src) && src[i] != '\n' {
				i++
			}
		case c == '/' && l == langJS && i+1 < len(src) && src[i+1] == '*':
			end := strings.Index(src[i+2:], "*/")
			if end < 0 {
				end = len(src) - i - 2
			}
			line += strings.Count(src[i:i+2+end], "\n")
			i += end + 4
		case l == langRuby && c == '<' && strings.HasPrefix(src[i:], "<<") && i+2 < len(src) && (src[i+2] == '~' || src[i+2] == '-' || isUpper(src[i+2])):
			j := i + 2
			if src[j] == '~' || src[j] == '-' {
				j++
			}
			quote := byte(0)
			if j < len(src) && (src[j] == '\'' || src[j] == '"') {
				quote = src[j]
				j++
			}
			k := j
			for k < len(src) && (isWordByte(src[k])) {
				k++
			}
			if k == j {
				emit(cPunct, "<<", i)
				i += 2
				continue
			}
			tag := src[j:k]
			if quote != 0 && k < len(src) && src[k] == quote {
				k++
			}
			emit(cString, "\x00heredoc:"+tag, i)
			heredocs = append(heredocs, tag)
			i = k
		case c == '"' || c == '\'' || c == '`':
			start := i
			prefix := ""
			if l == langPython {
				// string prefixes: r, b, f, rb, ...
				for p := len(out) - 1; p >= 0 && p == len(out)-1; p-- {
					t := out[p]
					if t.kind == cIdent && t.line == line && len(t.text) <= 2 && strings.Trim(strings.ToLower(t.text), "rbfu") == "" && t.col+len(t.text) == i-lineStart {
						prefix = strings.ToLower(t.text)
						out = out[:p]
					}
				}
			}
			val, interp, n := readString(src[i:], l, prefix)
			line += strings.Count(src[i:i+n], "\n")
			out = append(out, ctok{kind: cString, text: val, interp: interp, line: line, col: start - lineStart})
			i += n
		case l == langRuby && c == ':' && i+1 < len(src) && (isWordStart(src[i+1]) || src[i+1] == '"'):
			if src[i+1] == '"' {
				val, interp, n := readString(src[i+1:], l, "")
				out = append(out, ctok{kind: cSymbol, text: val, interp: interp, line: line, col: i - lineStart})
				i += 1 + n
				continue
			}
			j := i + 1
			for j < len(src) && (isWordByte(src[j]) || src[j] == '?' || src[j] == '!') {
				j++
			}
			emit(cSymbol, src[i+1:j], i)
			i = j
		case isWordStart(c) || c == '$' || c == '@':
			j := i + 1
			for j < len(src) && (isWordByte(src[j]) || src[j] == '$') {
				j++
			}
			if l == langRuby && j < len(src) && (src[j] == '?' || src[j] == '!') {
				j++
			}
			// Ruby's "key: value" keyword argument: the name then ':'.
			emit(cIdent, src[i:j], i)
			i = j
		case c >= '0' && c <= '9':
			j := i + 1
			for j < len(src) && (isWordByte(src[j]) || src[j] == '.') {
				j++
			}
			emit(cNumber, src[i:j], i)
			i = j
		default:
			n := 1
			if i+1 < len(src) && slices.Contains(twoCharOps, src[i:i+2]) {
				n = 2
			}
			p := src[i : i+n]
			switch p {
			case "(", "[", "{":
				depth++
			case ")", "]", "}":
				depth = max(0, depth-1)
			}
			emit(cPunct, p, i)
			i += n
		}
	}
	return out
}

// twoCharOps are the operators read as one token.
var twoCharOps = []string{"=>", "==", "!=", "<=", ">=", "&&", "||", "::", "**", "->", "?.", "??"}

func isUpper(c byte) bool     { return c >= 'A' && c <= 'Z' }
func isWordStart(c byte) bool { return c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' }
func isWordByte(c byte) bool  { return isWordStart(c) || c >= '0' && c <= '9' }

// readString reads the string literal at the start of s and returns its
// value, whether it interpolates, and its length in s.
func readString(s string, l lang, prefix string) (string, bool, int) {
	q := s[0]
	triple := l == langPython && len(s) >= 3 && s[1] == q && s[2] == q
	delim := string(q)
	start := 1
	if triple {
		delim, start = s[:3], 3
	}
	raw := strings.Contains(prefix, "r")
	interp := strings.Contains(prefix, "f")
	var b strings.Builder
	i := start
	for i < len(s) {
		if strings.HasPrefix(s[i:], delim) {
			return b.String(), interp, i + len(delim)
		}
		c := s[i]
		switch {
		case c == '\\' && i+1 < len(s) && !raw:
			i++
			switch s[i] {
			case 'n':
				b.WriteByte('\n')
			case 't':
				b.WriteByte('\t')
			case '\n':
			default:
				b.WriteByte(s[i])
			}
			i++
			continue
		case c == '\n' && !triple && q != '`' && l != langRuby:
			return b.String(), interp, i // unterminated
		case q == '`' && c == '$' && i+1 < len(s) && s[i+1] == '{':
			interp = true
		case l == langRuby && q == '"' && c == '#' && i+1 < len(s) && s[i+1] == '{':
			interp = true
		}
		b.WriteByte(c)
		i++
	}
	return b.String(), interp, len(s)
}

// rubyHeredoc reads a heredoc body from s up to the line that holds tag
// alone, and returns the body (its common indentation removed, as <<~
// does) and the length read, the closing line included.
func rubyHeredoc(s, tag string) (string, int) {
	var body []string
	i := 0
	for i < len(s) {
		j := strings.IndexByte(s[i:], '\n')
		next := len(s)
		if j >= 0 {
			next = i + j + 1
		}
		ln := strings.TrimRight(s[i:next], "\r\n")
		if strings.TrimSpace(ln) == tag {
			return strings.Join(body, "\n"), next
		}
		body = append(body, ln)
		i = next
	}
	return strings.Join(body, "\n"), len(s)
}

// A cursor walks a token list.
type cursor struct {
	ts []ctok
	i  int
}

func (c *cursor) done() bool { return c.i >= len(c.ts) }

func (c *cursor) at(k int) ctok {
	if c.i+k < len(c.ts) && c.i+k >= 0 {
		return c.ts[c.i+k]
	}
	return ctok{kind: cNewline}
}

func (c *cursor) is(k int, kind ctokKind, text string) bool {
	t := c.at(k)
	return t.kind == kind && t.text == text && c.i+k < len(c.ts)
}

// group returns the tokens of the bracketed group that starts at index i
// (an opening bracket) of ts, without the brackets, and the index after it.
func group(ts []ctok, i int) ([]ctok, int) {
	depth := 0
	for j := i; j < len(ts); j++ {
		if ts[j].kind != cPunct {
			continue
		}
		switch ts[j].text {
		case "(", "[", "{":
			depth++
		case ")", "]", "}":
			depth--
			if depth == 0 {
				return ts[i+1 : j], j + 1
			}
		}
	}
	return ts[min(i+1, len(ts)):], len(ts)
}

// splitArgs splits ts at top-level commas.
func splitArgs(ts []ctok) [][]ctok {
	var out [][]ctok
	depth, start := 0, 0
	for j, t := range ts {
		if t.kind != cPunct {
			continue
		}
		switch t.text {
		case "(", "[", "{":
			depth++
		case ")", "]", "}":
			depth--
		case ",":
			if depth == 0 {
				out = append(out, ts[start:j])
				start = j + 1
			}
		}
	}
	if start < len(ts) {
		out = append(out, ts[start:])
	}
	return out
}

// literal returns the value of an argument that is one string or symbol.
func argText(arg []ctok) (string, bool) {
	arg = trimNewlines(arg)
	if len(arg) == 1 && (arg[0].kind == cString || arg[0].kind == cSymbol) && !arg[0].interp {
		return arg[0].text, true
	}
	return "", false
}

func trimNewlines(ts []ctok) []ctok {
	for len(ts) > 0 && ts[0].kind == cNewline {
		ts = ts[1:]
	}
	for len(ts) > 0 && ts[len(ts)-1].kind == cNewline {
		ts = ts[:len(ts)-1]
	}
	return ts
}

// kwarg splits a keyword argument: name=value (Python), name: value
// (Ruby, JavaScript objects) or :name => value (Ruby).
func kwarg(arg []ctok) (string, []ctok, bool) {
	arg = trimNewlines(arg)
	if len(arg) >= 2 && arg[0].kind == cIdent && arg[1].kind == cPunct && (arg[1].text == "=" || arg[1].text == ":") {
		return arg[0].text, arg[2:], true
	}
	if len(arg) >= 2 && (arg[0].kind == cSymbol || arg[0].kind == cString) && arg[1].kind == cPunct && arg[1].text == "=>" {
		return arg[0].text, arg[2:], true
	}
	return "", nil, false
}

// positional returns the arguments that are not keyword arguments, and the
// keyword ones by name.
func positional(args [][]ctok) ([][]ctok, map[string][]ctok) {
	var pos [][]ctok
	kw := map[string][]ctok{}
	for _, a := range args {
		if k, v, ok := kwarg(a); ok {
			kw[k] = v
			continue
		}
		pos = append(pos, a)
	}
	return pos, kw
}
