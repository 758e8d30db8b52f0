package spec

import (
	"errors"
	"os"
	"strconv"
	"testing"

	"github.com/rbacdrift/rbacdrift/internal/sqllex"
)

// FuzzParse feeds the model parser arbitrary bytes, seeded with every model
// in testdata: it must never panic or hang, fail only with [Errors] that
// carry a position, and whatever it accepts must survive Format and parse
// back to the same facts.
//
//	go test -fuzz=FuzzParse -fuzztime=2m ./spec
func FuzzParse(f *testing.F) {
	valid, invalid := modelFiles(f)
	for _, file := range append(valid, invalid...) {
		data, err := os.ReadFile(file)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	for _, s := range []string{
		"version: 1\ntables:\n  t:\n    columns: { a: { default: null, identity: false, generated: false } }\n",
		"version: 1\ntables: { '\"a.b\".\"c\"\"d\"': {} }\n",
		"version: 1\nqueries: { q: { sql: \"SELECT $1 -- x\\n\", sample: { args: [1, 2.5, ~, yes] } } }\n",
		"&a [*a]", "version: 1\n{a: *x}", "\t", "version: 0x1\n",
		// Hostile inputs of issue 19.
		"version: 1\ntables:\n  t:\n    columns:\n      id: {type: \"integer FROM pg_catalog.pg_authid FOR UPDATE\"}\n",
		"version: 1\ntables:\n  t:\n    columns:\n      id: {type: \"timestamp(3) with time zone[]\"}\n",
		"version: 1\nqueries:\n  q: select $2147483648\n",
		"version: 1\nqueries:\n  q: {sql: select $1, params: [\"int4 for update\"]}\n",
		"version: 1\ntables:\n  \"t\\0\": {}\n",
		"version: 1\nfunctions:\n  \"f(int, double precision)\": {returns: setof text}\n",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		m, err := Parse("fuzz.yaml", data)
		if err != nil {
			var errs Errors
			if !errors.As(err, &errs) || len(errs) == 0 {
				t.Fatalf("Parse failed with %T %v, want Errors", err, err)
			}
			for _, e := range errs {
				if e.Pos.File != "fuzz.yaml" || e.Msg == "" {
					t.Fatalf("error without a file or a message: %#v", e)
				}
			}
			return
		}
		for _, q := range m.Queries {
			toks, _ := sqllex.Tokenize(q.SQL)
			for _, tok := range toks {
				if n, err := strconv.ParseUint(tok.Text[1:], 10, 32); tok.Kind == sqllex.TokParam && (err != nil || n > MaxParams) {
					t.Fatalf("query %s accepted with parameter %s", q.Name, tok.Text)
				}
			}
		}
		formatRoundTrip(t, m)
	})
}
