package spec

import (
	"errors"
	"os"
	"testing"
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
		formatRoundTrip(t, m)
	})
}
