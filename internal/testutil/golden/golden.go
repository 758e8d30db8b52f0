// Package golden compares test output with golden files and rewrites them
// on request. Every test that writes a golden file (or a testscript script)
// goes through it, so that one switch rewrites them all:
//
//	RBACDRIFT_UPDATE_GOLDEN=1 go test ./...    (or: make golden)
//
// The -update flag of a test binary that imports this package does the same
// for that package alone (go test ./drift/report -update); `go test ./...
// -update` fails in the packages that do not import it, hence the variable.
package golden

import (
	"flag"
	"os"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// EnvVar is the environment variable that rewrites every golden file when
// it is set to anything but the empty string or 0.
const EnvVar = "RBACDRIFT_UPDATE_GOLDEN"

// Update is set by -update, or by [EnvVar] (its default): golden files (and
// testscript scripts) are rewritten with the output the tests get instead of
// compared.
var Update = flag.Bool("update", fromEnv(), "rewrite golden files with the output the tests get (or set "+EnvVar+"=1)")

func fromEnv() bool {
	v := os.Getenv(EnvVar)
	return v != "" && v != "0"
}

// Check compares got with the golden file at path, or rewrites the file
// when [Update] is set.
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
		t.Fatalf("%v (run make golden, or go test with %s=1, to write it)", err, EnvVar)
	}
	if diff := cmp.Diff(string(want), string(got)); diff != "" {
		t.Errorf("%s differs (-want +got); run make golden (%s=1 go test ./...) if the change is right:\n%s", path, EnvVar, diff)
	}
}
