// Package golden compares test output with golden files and rewrites them
// when the test binary runs with -update. It owns the -update flag of every
// test binary that imports it.
package golden

import (
	"flag"
	"os"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// Update is set by -update: golden files (and testscript scripts) are
// rewritten with the output the tests get instead of compared.
var Update = flag.Bool("update", false, "rewrite golden files with the output the tests get")

// Check compares got with the golden file at path, or rewrites the file
// when -update is set.
func Check(t testing.TB, path string, got []byte) {
	t.Helper()
	if *Update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test with -update to write it)", err)
	}
	if diff := cmp.Diff(string(want), string(got)); diff != "" {
		t.Errorf("%s differs (-want +got); run go test with -update if the change is right:\n%s", path, diff)
	}
}
