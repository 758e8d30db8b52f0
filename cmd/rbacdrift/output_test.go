package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

const referenceModel = "../../testdata/reference/normalised.yaml"

// checkRun runs check in-process and returns its exit code and output.
func checkRun(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errb bytes.Buffer
	code = run(context.Background(), append([]string{"check"}, args...), strings.NewReader(""), &out, &errb)
	return code, out.String(), errb.String()
}

// TestReportFiles checks that --report FORMAT=FILE writes what --format
// FORMAT prints, for every format, in the same run as another format, and
// that the exit code does not depend on the formats.
func TestReportFiles(t *testing.T) {
	t.Setenv("GITHUB_STEP_SUMMARY", "") // the github format must not append to a real summary here
	legacy, _ := referenceDBs(t)
	dir := t.TempDir()
	args := []string{"--db", legacy.URL, "--spec", referenceModel, "--format", "text"}
	for _, f := range formatNames {
		args = append(args, "--report", f+"="+filepath.Join(dir, f))
	}
	code, _, stderr := checkRun(t, args...)
	if code != exitDrift || stderr != "" {
		t.Fatalf("check with every report: exit %d, stderr %q; want 1 and nothing", code, stderr)
	}
	for _, f := range formatNames {
		t.Run(f, func(t *testing.T) {
			code, stdout, stderr := checkRun(t, "--db", legacy.URL, "--spec", referenceModel, "--format", f)
			if code != exitDrift || stderr != "" {
				t.Fatalf("--format %s: exit %d, stderr %q; want 1 and nothing", f, code, stderr)
			}
			file, err := os.ReadFile(filepath.Join(dir, f))
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(stdout, string(file)); diff != "" {
				t.Errorf("--report %s=FILE differs from --format %s (-stdout +file):\n%s", f, f, diff)
			}
		})
	}
}

// TestGitHubStepSummary checks that the github format appends the Markdown
// report to $GITHUB_STEP_SUMMARY, after what earlier steps wrote, and that
// the other formats leave it alone.
func TestGitHubStepSummary(t *testing.T) {
	legacy, _ := referenceDBs(t)
	tests := []struct {
		name    string
		args    []string
		summary bool
	}{
		{"--format github", []string{"--format", "github"}, true},
		{"--report github=FILE", []string{"--format", "text", "--report", "github=" + filepath.Join(t.TempDir(), "gh.txt")}, true},
		{"--format sarif", []string{"--format", "sarif"}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "summary.md")
			const earlier = "## an earlier step\n"
			if err := os.WriteFile(path, []byte(earlier), 0o644); err != nil {
				t.Fatal(err)
			}
			t.Setenv("GITHUB_STEP_SUMMARY", path)
			code, _, stderr := checkRun(t, append([]string{"--db", legacy.URL, "--spec", referenceModel}, tt.args...)...)
			if code != exitDrift || stderr != "" {
				t.Fatalf("exit %d, stderr %q; want 1 and nothing", code, stderr)
			}
			b, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			got := string(b)
			if !strings.HasPrefix(got, earlier) {
				t.Errorf("the summary lost what an earlier step wrote:\n%s", got)
			}
			wrote := strings.Contains(got, "<!-- rbacdrift report -->\n## :x: rbacdrift: ")
			if wrote != tt.summary {
				t.Errorf("summary written = %v, want %v:\n%s", wrote, tt.summary, got)
			}
		})
	}
}

// TestReportsHidePassword connects with a password and checks that no
// report, file, summary or diagnostic holds it.
func TestReportsHidePassword(t *testing.T) {
	legacy, _ := referenceDBs(t)
	const password = "Hunter2-report-secret"
	user := legacy.LoginRole(t, "reporter", password)
	dir := t.TempDir()
	summary := filepath.Join(dir, "summary.md")
	t.Setenv("GITHUB_STEP_SUMMARY", summary)
	for _, f := range formatNames {
		t.Run(f, func(t *testing.T) {
			args := []string{"--db", legacy.URLAs(user, password), "--spec", referenceModel, "--format", f}
			for _, g := range formatNames {
				args = append(args, "--report", g+"="+filepath.Join(dir, g))
			}
			code, stdout, stderr := checkRun(t, args...)
			if code != exitDrift {
				t.Fatalf("exit %d, want 1; stderr:\n%s", code, stderr)
			}
			outputs := map[string]string{"stdout": stdout, "stderr": stderr}
			for _, name := range append(formatNames, "summary.md") {
				b, err := os.ReadFile(filepath.Join(dir, name))
				if err != nil {
					t.Fatal(err)
				}
				outputs[name] = string(b)
			}
			for name, out := range outputs {
				if strings.Contains(out, password) {
					t.Errorf("%s holds the password", name)
				}
			}
			if !strings.Contains(outputs["json"], `"user": "`+user+`"`) {
				t.Errorf("the JSON report does not name the user %s: did the check connect as the role?", user)
			}
		})
	}
}
