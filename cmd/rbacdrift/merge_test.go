package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/rbacdrift/rbacdrift/drift/report"
	"github.com/rbacdrift/rbacdrift/internal/check"
	"github.com/rbacdrift/rbacdrift/internal/pgsession"
)

// TestMerge checks a fleet in shards, as CI jobs or pods would, plus one
// database on its own, and joins the JSON reports: the joined report has
// every target once, the exit code is the worst one's, and every format
// renders it.
func TestMerge(t *testing.T) {
	t.Parallel()
	legacy, normalised := referenceDBs(t)
	dir := t.TempDir()
	targets := filepath.Join(dir, "targets.yaml")
	var b strings.Builder
	for i := range 5 {
		fmt.Fprintf(&b, "- { name: clean-%d, db: %q }\n", i, normalised.URL)
	}
	fmt.Fprintf(&b, "- { name: drifted, db: %q }\n", legacy.URL)
	os.WriteFile(targets, []byte(b.String()), 0o644)
	const spec = "../../testdata/reference/normalised.yaml"
	var files []string
	for i := range 3 {
		file := filepath.Join(dir, fmt.Sprintf("shard-%d.json", i))
		code, _, stderr := runIn(t, "", "check", "--targets", targets, "--spec", spec, "--no-queries",
			"--shard", fmt.Sprintf("index=%d,count=3", i), "--format", "text", "--report", "json="+file)
		if code != exitOK && code != exitDrift {
			t.Fatalf("shard %d: exit %d\n%s", i, code, stderr)
		}
		files = append(files, file)
	}
	single := filepath.Join(dir, "single.json")
	if code, _, stderr := runIn(t, "", "check", "--db", normalised.URL, "--spec", spec, "--no-queries", "--report", "json="+single); code != exitOK {
		t.Fatalf("single check: exit %d\n%s", code, stderr)
	}

	code, stdout, stderr := runIn(t, "", append([]string{"merge", "--format", "json"}, append(files, single)...)...)
	if code != exitDrift {
		t.Fatalf("merge: exit %d, want 1 (the drifted target's)\n%s", code, stderr)
	}
	var fleet report.Fleet
	if err := json.Unmarshal([]byte(stdout), &fleet); err != nil {
		t.Fatalf("merge --format json: %v\n%s", err, stdout)
	}
	var names []string
	for _, ft := range fleet.Targets {
		names = append(names, ft.Name)
	}
	slices.Sort(names)
	conn, err := pgsession.ParseTarget(normalised.URL)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{fmt.Sprintf("%s:%d/%s", conn.Config.Host, conn.Config.Port, normalised.Name), "clean-0", "clean-1", "clean-2", "clean-3", "clean-4", "drifted"}
	slices.Sort(want)
	if !slices.Equal(names, want) {
		t.Errorf("merged targets %q, want %q", names, want)
	}
	if s := fleet.Summary; s.Targets != 7 || s.Clean != 6 || s.Failed != 1 || s.Errors == 0 || fleet.Model != spec {
		t.Errorf("summary %+v, model %q", s, fleet.Model)
	}

	// A directory stands for its reports; --fail-on moves the exit code.
	sub := filepath.Join(dir, "reports")
	os.Mkdir(sub, 0o755)
	for _, f := range files {
		b, _ := os.ReadFile(f)
		os.WriteFile(filepath.Join(sub, filepath.Base(f)), b, 0o644)
	}
	for _, format := range formatNames {
		code, stdout, stderr = runIn(t, "", "merge", "--format", format, "--fail-on", "never", sub)
		if code != exitOK || stdout == "" {
			t.Errorf("merge --format %s --fail-on never DIR: exit %d, %d bytes\n%s", format, code, len(stdout), stderr)
		}
	}

	// The same target twice is an error.
	code, _, stderr = runIn(t, "", "merge", files[0], sub)
	if code != exitUsage || !strings.Contains(stderr, "is in both") {
		t.Errorf("merge of a shard twice: exit %d\n%s", code, stderr)
	}
}

// TestMergeUnreachable: a target that could not be checked makes the
// joined run exit 3, as check --targets does.
func TestMergeUnreachable(t *testing.T) {
	dir := t.TempDir()
	doc := `{"version": 1, "model": "m.yaml", "targets": [{"name": "gone", "target": {"host": "h", "port": 5432, "database": "d", "user": "u", "server_version": ""}, "findings": [], "summary": {"errors": 0, "warnings": 0, "suppressed": 0}, "error": "connection refused"}], "summary": {"targets": 1, "clean": 0, "failed": 0, "unreachable": 1, "errors": 0, "warnings": 0, "suppressed": 0}}`
	file := filepath.Join(dir, "gone.json")
	os.WriteFile(file, []byte(doc), 0o644)
	code, stdout, stderr := runIn(t, "", "merge", file)
	if code != exitConnect || !strings.Contains(stdout, "not checked: connection refused") {
		t.Errorf("exit %d, want 3\n%s%s", code, stdout, stderr)
	}
}

func TestMergeUsage(t *testing.T) {
	dir := t.TempDir()
	notReport := filepath.Join(dir, "x.json")
	os.WriteFile(notReport, []byte(`{"a": 1}`), 0o644)
	for _, tc := range []struct {
		args []string
		want string
	}{
		{nil, "no report given"},
		{[]string{"--format", "pdf", notReport}, `unknown --format "pdf"`},
		{[]string{filepath.Join(dir, "missing.json")}, "no such file"},
		{[]string{t.TempDir()}, "holds no *.json report"},
		{[]string{notReport}, "no version"},
		{[]string{"/dev/null"}, "not a regular file"},
	} {
		code, _, stderr := runIn(t, "", append([]string{"merge"}, tc.args...)...)
		if code != exitUsage || !strings.Contains(stderr, tc.want) {
			t.Errorf("merge %q: exit %d, stderr %q; want exit 2 and %q", tc.args, code, stderr, tc.want)
		}
	}
}

// TestParseShard: both forms name the same shards; bad values are refused
// with the syntax.
func TestParseShard(t *testing.T) {
	for in, want := range map[string]check.Shard{
		"1/4":                 {K: 1, N: 4},
		"4/4":                 {K: 4, N: 4},
		"index=0,count=4":     {K: 1, N: 4},
		"index=3,count=4":     {K: 4, N: 4},
		"count=2,index=1":     {K: 2, N: 2},
		" index=1 , count=3 ": {K: 2, N: 3},
	} {
		got, err := parseShard(in)
		if err != nil || got != want {
			t.Errorf("parseShard(%q) = %+v, %v; want %+v", in, got, err, want)
		}
	}
	for _, in := range []string{"0/4", "5/4", "index=4,count=4", "index=-1,count=4", "index=0", "count=4", "index=x,count=4", "shard=1,count=2", "index=0,count=0", ""} {
		if _, err := parseShard(in); err == nil {
			t.Errorf("parseShard(%q) succeeded, want an error", in)
		}
	}
	if _, err := parseShard("5/4"); err == nil || !strings.Contains(err.Error(), "index=I,count=N") {
		t.Errorf("the K/N error does not name the other form: %v", err)
	}
}

func TestVersion(t *testing.T) {
	code, stdout, _ := runIn(t, "", "version")
	lines := strings.Split(strings.TrimSuffix(stdout, "\n"), "\n")
	if code != exitOK || len(lines) != 3 || !strings.HasPrefix(lines[0], "rbacdrift ") ||
		!strings.HasPrefix(lines[1], "commit: ") || !strings.HasPrefix(lines[2], "go: go1.") {
		t.Errorf("rbacdrift version: exit %d\n%s", code, stdout)
	}
}
