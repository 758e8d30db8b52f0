package drizzle

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
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
// file:line:column. Values form a tree (each knows its parent, not its whole
// path), so memory grows with the document, not with its depth times its
// size; depth and the number of values are bounded too.
type jsonIndex struct {
	file  string
	data  []byte
	nodes []jnode
	kids  map[kidKey]int32 // an object's member or an array's element -> its node
	start map[int]int      // offset just past a value -> offset of its first byte
}

// A jnode is one value of the document: where it starts and, for an
// object, its keys in order.
type jnode struct {
	off  int
	keys []string
}

type kidKey struct {
	parent int32
	key    string
}

// MaxDepth is the deepest nesting of objects and lists a drizzle-kit file
// may have; a real snapshot nests a handful of levels.
const MaxDepth = 64

// MaxValues bounds the number of JSON values (objects, lists, strings,
// numbers ...) one file may hold, far beyond a real snapshot's; it keeps the
// index's memory bounded on a file made to exhaust it.
const MaxValues = 500_000

// indexJSON checks that data is one JSON value and indexes it. A syntax
// error names the position of the offending character.
func indexJSON(file string, data []byte) (*jsonIndex, error) {
	ix := &jsonIndex{file: file, data: data, kids: map[kidKey]int32{}, start: map[int]int{}}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	if err := ix.value(dec, -1, "", 0); err != nil {
		var lim *Error
		if errors.As(err, &lim) {
			return nil, err
		}
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

func (ix *jsonIndex) value(dec *json.Decoder, parent int32, key string, depth int) error {
	begin := ix.skipSpace(int(dec.InputOffset()))
	if depth > MaxDepth {
		return ix.errorAt(begin, "nested more than %d levels deep; a drizzle-kit file nests a handful", MaxDepth)
	}
	if len(ix.nodes) >= MaxValues {
		return ix.errorAt(begin, "holds more than %d JSON values; a drizzle-kit file holds far fewer", MaxValues)
	}
	id := int32(len(ix.nodes))
	ix.nodes = append(ix.nodes, jnode{off: begin})
	if parent >= 0 {
		ix.kids[kidKey{parent, key}] = id
	}
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
		ix.nodes[id].keys = []string{}
		for dec.More() {
			kt, err := dec.Token()
			if err != nil {
				return err
			}
			k := kt.(string)
			ix.nodes[id].keys = append(ix.nodes[id].keys, k)
			if err := ix.value(dec, id, k, depth+1); err != nil {
				return err
			}
		}
		if _, err := dec.Token(); err != nil {
			return err
		}
	case json.Delim('['):
		for i := 0; dec.More(); i++ {
			if err := ix.value(dec, id, strconv.Itoa(i), depth+1); err != nil {
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

// node returns the node of the value at the path, or -1.
func (ix *jsonIndex) node(parts ...string) int32 {
	if len(ix.nodes) == 0 {
		return -1
	}
	n := int32(0)
	for _, p := range parts {
		k, ok := ix.kids[kidKey{n, p}]
		if !ok {
			return -1
		}
		n = k
	}
	return n
}

// offset returns where the value at the path starts, or 0.
func (ix *jsonIndex) offset(parts ...string) int {
	if n := ix.node(parts...); n >= 0 {
		return ix.nodes[n].off
	}
	return 0
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
	return ix.errorAt(ix.offset(parts...), format, args...)
}

// posOf returns the position of the value at the path.
func (ix *jsonIndex) posOf(parts ...string) spec.Pos { return ix.pos(ix.offset(parts...)) }

// order returns the keys of the object at the path in file order.
func (ix *jsonIndex) order(parts ...string) []string {
	if n := ix.node(parts...); n >= 0 {
		return ix.nodes[n].keys
	}
	return nil
}
