package main

import (
	"bytes"
	"context"
	"encoding/json"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rbacdrift/rbacdrift/drift/report"
	"github.com/rbacdrift/rbacdrift/internal/testutil/golden"
)

// runIn runs the command with dir as the working directory (tests that use
// it must not be parallel).
func runIn(t *testing.T, dir string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	wd, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	if dir != "" {
		if err := os.Chdir(dir); err != nil {
			t.Fatal(err)
		}
		defer os.Chdir(wd)
	}
	var out, errb bytes.Buffer
	code = run(context.Background(), args, strings.NewReader(""), &out, &errb)
	return code, out.String(), errb.String()
}

// TestJSONGolden pins the JSON report of the crossed reference scenario.
// Run with -update to rewrite the golden file.
func TestJSONGolden(t *testing.T) {
	legacy, _ := referenceDBs(t)
	code, stdout, stderr := runIn(t, "", "check", "--db", legacy.URL, "--spec", "../../testdata/reference/normalised.yaml", "--format", "json")
	if code != exitDrift {
		t.Fatalf("exit %d, want %d; stderr:\n%s", code, exitDrift, stderr)
	}
	dec := json.NewDecoder(strings.NewReader(stdout))
	dec.DisallowUnknownFields()
	var rep report.Report
	if err := dec.Decode(&rep); err != nil {
		t.Fatalf("output is not a JSON report: %v\n%s", err, stdout)
	}
	if rep.Target.Host == "" || rep.Target.Port == 0 || rep.Target.Database != legacy.Name || rep.Target.User == "" || rep.Target.ServerVersion == "" {
		t.Errorf("target incomplete: %+v", rep.Target)
	}
	rep.Target = report.Target{Host: "HOST", Port: 5432, Database: "DB", User: "USER", ServerVersion: "N"}
	var got bytes.Buffer
	if err := report.JSON(&got, &rep); err != nil {
		t.Fatal(err)
	}
	golden.Check(t, "testdata/golden/crossed.json", got.Bytes())
}

// TestConnectionFallbacks: --db, else DATABASE_URL, else the libpq
// environment; the model defaults to rbacdrift.yaml.
func TestConnectionFallbacks(t *testing.T) {
	legacy, _ := referenceDBs(t)
	dir := t.TempDir()
	model, err := os.ReadFile("../../testdata/reference/legacy.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "rbacdrift.yaml"), model, 0o644); err != nil {
		t.Fatal(err)
	}
	u, err := url.Parse(legacy.URL)
	if err != nil {
		t.Fatal(err)
	}

	t.Run("DATABASE_URL", func(t *testing.T) {
		t.Setenv("DATABASE_URL", legacy.URL)
		code, stdout, stderr := runIn(t, dir, "check")
		if code != exitOK || !strings.Contains(stdout, "model rbacdrift.yaml") || !strings.Contains(stdout, "/"+legacy.Name) {
			t.Errorf("exit %d\nstdout:\n%s\nstderr:\n%s", code, stdout, stderr)
		}
	})
	t.Run("libpq environment", func(t *testing.T) {
		t.Setenv("DATABASE_URL", "")
		host := u.Hostname()
		if h := u.Query().Get("host"); h != "" {
			host = h
		}
		port := u.Port()
		if p := u.Query().Get("port"); p != "" {
			port = p
		}
		if port == "" {
			port = "5432"
		}
		t.Setenv("PGHOST", host)
		t.Setenv("PGPORT", port)
		t.Setenv("PGUSER", u.User.Username())
		t.Setenv("PGDATABASE", strings.TrimPrefix(u.Path, "/"))
		t.Setenv("PGSSLMODE", "disable")
		code, stdout, stderr := runIn(t, dir, "check")
		if code != exitOK || !strings.Contains(stdout, "/"+legacy.Name) {
			t.Errorf("exit %d\nstdout:\n%s\nstderr:\n%s", code, stdout, stderr)
		}
	})
	t.Run("--db wins over DATABASE_URL", func(t *testing.T) {
		t.Setenv("DATABASE_URL", "postgres://nobody@127.0.0.1:1/nothing")
		code, _, stderr := runIn(t, dir, "check", "--db", legacy.URL)
		if code != exitOK {
			t.Errorf("exit %d, stderr:\n%s", code, stderr)
		}
	})
}
