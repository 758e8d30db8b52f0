package drizzle

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

	"github.com/rbacdrift/rbacdrift/spec"
)

// An Error is an error at a position of a drizzle-kit JSON file.
type Error struct {
	Pos spec.Pos
	Msg string
}

func (e *Error) Error() string { return e.Pos.String() + ": " + e.Msg }

// A jsonIndex is what one pass over a JSON document's tokens learns that
// encoding/json's maps forget: the order of every object's keys, where each
// key stands, and the span of every value, so that errors name
// file:line:column.
type jsonIndex struct {
	file  string
	data  []byte
	keys  map[string][]string // object path -> its keys in order
	at    map[string]int      // value path -> offset of its first byte
	start map[int]int         // offset just past a value -> offset of its first byte
}

// path joins the keys and indexes that lead to a value.
func path(parts ...string) string { return strings.Join(parts, "\x00") }

// indexJSON checks that data is one JSON value and indexes it. A syntax
// error names the position of the offending character.
func indexJSON(file string, data []byte) (*jsonIndex, error) {
	ix := &jsonIndex{file: file, data: data, keys: map[string][]string{}, at: map[string]int{}, start: map[int]int{}}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	if err := ix.value(dec, nil); err != nil {
		// The decoder's token errors are terse; the scanner behind
		// Unmarshal says what it was looking for.
		var v any
		if uerr := json.Unmarshal(data, &v); uerr != nil {
			return nil, ix.wrap(uerr)
		}
		return nil, ix.wrap(err)
	}
	if _, err := dec.Token(); err != io.EOF {
		off := int(dec.InputOffset())
		if err != nil {
			return nil, ix.wrap(err)
		}
		return nil, ix.errorAt(ix.skipSpace(off-1), "unexpected data after the JSON value")
	}
	return ix, nil
}

// skipSpace returns the offset of the first byte at or after off that is
// not white space, a colon or a comma: where the next value begins.
func (ix *jsonIndex) skipSpace(off int) int {
	for off < len(ix.data) && strings.IndexByte(" \t\r\n:,", ix.data[off]) >= 0 {
		off++
	}
	return off
}

func (ix *jsonIndex) value(dec *json.Decoder, parts []string) error {
	begin := ix.skipSpace(int(dec.InputOffset()))
	ix.at[path(parts...)] = begin
	tok, err := dec.Token()
	if err != nil {
		if err == io.EOF {
			return &json.SyntaxError{Offset: int64(len(ix.data)) + 1}
		}
		return err
	}
	if tok == json.Delim('{') || tok == json.Delim('[') {
		// encoding/json's type error for an object or a list stands
		// just past its opening delimiter.
		ix.start[begin+1] = begin
	}
	switch tok {
	case json.Delim('{'):
		p := path(parts...)
		ix.keys[p] = []string{}
		for dec.More() {
			kt, err := dec.Token()
			if err != nil {
				return err
			}
			k := kt.(string)
			ix.keys[p] = append(ix.keys[p], k)
			if err := ix.value(dec, append(parts[:len(parts):len(parts)], k)); err != nil {
				return err
			}
		}
		if _, err := dec.Token(); err != nil {
			return err
		}
	case json.Delim('['):
		for i := 0; dec.More(); i++ {
			if err := ix.value(dec, append(parts[:len(parts):len(parts)], fmt.Sprint(i))); err != nil {
				return err
			}
		}
		if _, err := dec.Token(); err != nil {
			return err
		}
	}
	ix.start[int(dec.InputOffset())] = begin
	return nil
}

// decode unmarshals the whole document into v; a type error names the
// position of the value that does not fit.
func (ix *jsonIndex) decode(v any) error {
	if err := json.Unmarshal(ix.data, v); err != nil {
		return ix.wrap(err)
	}
	return nil
}

// wrap turns encoding/json's errors, which carry byte offsets, into errors
// with a line and column.
func (ix *jsonIndex) wrap(err error) error {
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syn):
		// Offset counts the bytes read, the offending one included; at the
		// end of the input it is where the input ends.
		if syn.Error() == "unexpected end of JSON input" {
			return ix.errorAt(len(ix.data), "%s", syn.Error())
		}
		return ix.errorAt(max(int(syn.Offset)-1, 0), "%s", syn.Error())
	case errors.As(err, &typ):
		off := int(typ.Offset)
		if b, ok := ix.start[off]; ok {
			off = b
		}
		where := ""
		if typ.Field != "" {
			where = " for " + typ.Field
		}
		return ix.errorAt(off, "expected a JSON value of Go type %s%s, found %s", typ.Type, where, typ.Value)
	}
	return fmt.Errorf("%s: %w", ix.file, err)
}

// pos returns the file position of a byte offset: lines from 1, columns in
// characters from 1.
func (ix *jsonIndex) pos(off int) spec.Pos {
	off = min(off, len(ix.data))
	before := ix.data[:off]
	line := bytes.Count(before, []byte("\n")) + 1
	lineStart := bytes.LastIndexByte(before, '\n') + 1
	return spec.Pos{File: ix.file, Line: line, Column: utf8.RuneCount(before[lineStart:]) + 1}
}

func (ix *jsonIndex) errorAt(off int, format string, args ...any) *Error {
	return &Error{Pos: ix.pos(off), Msg: fmt.Sprintf(format, args...)}
}

// errorIn names the position of the value at the path.
func (ix *jsonIndex) errorIn(parts []string, format string, args ...any) *Error {
	return ix.errorAt(ix.at[path(parts...)], format, args...)
}

// posOf returns the position of the value at the path.
func (ix *jsonIndex) posOf(parts ...string) spec.Pos { return ix.pos(ix.at[path(parts...)]) }

// order returns the keys of the object at the path in file order.
func (ix *jsonIndex) order(parts ...string) []string { return ix.keys[path(parts...)] }
