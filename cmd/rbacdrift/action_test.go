package main

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strconv"
	"strings"
	"testing"

	"github.com/rbacdrift/rbacdrift/drift/report"
	"gopkg.in/yaml.v3"
)

// actionFile is the part of action.yml the runner reads.
type actionFile struct {
	Inputs map[string]struct {
		Default string `yaml:"default"`
	} `yaml:"inputs"`
	Outputs map[string]struct {
		Value string `yaml:"value"`
	} `yaml:"outputs"`
	Runs struct {
		Using string       `yaml:"using"`
		Steps []actionStep `yaml:"steps"`
	} `yaml:"runs"`
}

type actionStep struct {
	ID    string            `yaml:"id"`
	Shell string            `yaml:"shell"`
	Run   string            `yaml:"run"`
	Uses  string            `yaml:"uses"`
	Env   map[string]string `yaml:"env"`
}

func loadAction(t *testing.T) *actionFile {
	t.Helper()
	b, err := os.ReadFile("../../action.yml")
	if err != nil {
		t.Fatal(err)
	}
	var a actionFile
	if err := yaml.Unmarshal(b, &a); err != nil {
		t.Fatalf("action.yml: %v", err)
	}
	return &a
}

// TestActionNoExpressionInRun: no ${{ }} inside a run: (an input would be
// pasted into the script's text: script injection); inputs reach the shell
// through env: only.
func TestActionNoExpressionInRun(t *testing.T) {
	a := loadAction(t)
	if a.Runs.Using != "composite" || len(a.Runs.Steps) == 0 {
		t.Fatalf("action.yml: runs.using %q with %d steps, want a composite action", a.Runs.Using, len(a.Runs.Steps))
	}
	for i, s := range a.Runs.Steps {
		if s.Uses != "" {
			t.Errorf("step %d (%s) uses %s: the action runs its own scripts only", i, s.ID, s.Uses)
		}
		if strings.Contains(s.Run, "${{") {
			t.Errorf("step %d (%s) has an expression inside run:\n%s", i, s.ID, s.Run)
		}
		if s.Shell != "bash" {
			t.Errorf("step %d (%s): shell %q, want bash", i, s.ID, s.Shell)
		}
	}
}

// actionRunner runs the action's steps as the GitHub runner does: each
// step's env: with its expressions evaluated, its run: as a bash script
// (bash --noprofile --norc -eo pipefail FILE), with the GITHUB_OUTPUT,
// GITHUB_STEP_SUMMARY and GITHUB_PATH files of a job.
type actionRunner struct {
	t          *testing.T
	action     *actionFile
	root       string // the action's checkout: the repository root
	workspace  string // the job's working directory
	temp       string // RUNNER_TEMP
	summary    string
	ref        string
	env        map[string]string // the job's env
	inputs     map[string]string
	outputs    map[string]map[string]string // step id -> outputs
	stdout     string
	stepFailed string
}

func newActionRunner(t *testing.T, ref string, inputs, env map[string]string) *actionRunner {
	t.Helper()
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	r := &actionRunner{t: t, action: loadAction(t), root: root, workspace: t.TempDir(), temp: t.TempDir(), ref: ref,
		env: env, inputs: inputs, outputs: map[string]map[string]string{}}
	r.summary = filepath.Join(r.temp, "step_summary.md")
	return r
}

var exprRE = regexp.MustCompile(`\$\{\{\s*(.*?)\s*\}\}`)

// eval evaluates the expressions of action.yml; any other fails the test,
// so that the test keeps up with the action.
func (r *actionRunner) eval(s string) string {
	return exprRE.ReplaceAllStringFunc(s, func(m string) string {
		e := exprRE.FindStringSubmatch(m)[1]
		switch {
		case strings.HasPrefix(e, "inputs."):
			name := strings.TrimPrefix(e, "inputs.")
			in, ok := r.action.Inputs[name]
			if !ok {
				r.t.Fatalf("action.yml refers to an undeclared input %s", name)
			}
			if v, ok := r.inputs[name]; ok {
				return v
			}
			return in.Default
		case e == "github.action_ref":
			return r.ref
		case e == "github.action_path":
			return r.root
		case strings.HasPrefix(e, "steps."):
			parts := strings.Split(e, ".")
			if len(parts) != 4 || parts[2] != "outputs" {
				r.t.Fatalf("unsupported expression %s", e)
			}
			return r.outputs[parts[1]][parts[3]]
		}
		r.t.Fatalf("action_test does not know the expression %s: teach eval", e)
		return ""
	})
}

func runnerOS() (string, string) {
	os := map[string]string{"linux": "Linux", "darwin": "macOS", "windows": "Windows"}[runtime.GOOS]
	arch := map[string]string{"amd64": "X64", "arm64": "ARM64"}[runtime.GOARCH]
	return os, arch
}

// run runs every step in order, stopping at the first that fails, and
// returns its exit code (0 when all passed) and the action's outputs.
func (r *actionRunner) run() (int, map[string]string) {
	r.t.Helper()
	ros, rarch := runnerOS()
	var stdout bytes.Buffer
	for _, s := range r.action.Runs.Steps {
		outFile := filepath.Join(r.temp, "output_"+s.ID)
		script := filepath.Join(r.temp, "step_"+s.ID+".sh")
		if err := os.WriteFile(script, []byte(s.Run), 0o644); err != nil {
			r.t.Fatal(err)
		}
		cmd := exec.Command("bash", "--noprofile", "--norc", "-eo", "pipefail", script)
		cmd.Dir = r.workspace
		cmd.Env = append(os.Environ(), "GITHUB_OUTPUT="+outFile, "GITHUB_STEP_SUMMARY="+r.summary,
			"GITHUB_PATH="+filepath.Join(r.temp, "path"), "RUNNER_TEMP="+r.temp, "RUNNER_OS="+ros, "RUNNER_ARCH="+rarch,
			"GITHUB_ACTIONS=true", "GITHUB_ACTION_PATH="+r.root, "DATABASE_URL=")
		for k, v := range r.env {
			cmd.Env = append(cmd.Env, k+"="+v)
		}
		for k, v := range s.Env {
			cmd.Env = append(cmd.Env, k+"="+r.eval(v))
		}
		var stderr bytes.Buffer
		cmd.Stdout, cmd.Stderr = &stdout, &stderr
		err := cmd.Run()
		r.outputs[s.ID] = readGitHubOutput(r.t, outFile)
		if err != nil {
			ee, ok := err.(*exec.ExitError)
			if !ok {
				r.t.Fatal(err)
			}
			r.stdout, r.stepFailed = stdout.String()+stderr.String(), s.ID
			return ee.ExitCode(), r.actionOutputs()
		}
		stdout.WriteString(stderr.String())
	}
	r.stdout = stdout.String()
	return 0, r.actionOutputs()
}

func (r *actionRunner) actionOutputs() map[string]string {
	out := map[string]string{}
	for name, o := range r.action.Outputs {
		out[name] = r.eval(o.Value)
	}
	return out
}

// readGitHubOutput reads a GITHUB_OUTPUT file: NAME=VALUE lines, or
// NAME<<DELIMITER blocks.
func readGitHubOutput(t *testing.T, file string) map[string]string {
	t.Helper()
	out := map[string]string{}
	b, err := os.ReadFile(file)
	if os.IsNotExist(err) {
		return out
	}
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSuffix(string(b), "\n"), "\n")
	for i := 0; i < len(lines); i++ {
		if name, delim, ok := strings.Cut(lines[i], "<<"); ok && !strings.Contains(name, "=") {
			var v []string
			for i++; i < len(lines) && lines[i] != delim; i++ {
				v = append(v, lines[i])
			}
			out[name] = strings.Join(v, "\n")
			continue
		}
		if name, v, ok := strings.Cut(lines[i], "="); ok {
			out[name] = v
		}
	}
	return out
}

// TestAction runs action.yml's steps as the runner would: the install step
// from a ref that is no release (which builds the action's source), from a
// release (checksum verified, and refused when it does not match), then the
// check against real databases, clean and drifted, a fleet, a database that
// does not answer, and an input that tries to inject shell code.
func TestAction(t *testing.T) {
	if _, err := exec.LookPath("bash"); err != nil {
		t.Fatal("the action's steps are bash scripts, as on GitHub's runners, and there is no bash here\nhint: install bash (Debian: apt-get install bash)")
	}
	legacy, normalised := referenceDBs(t)
	model, err := os.ReadFile("../../testdata/reference/normalised.yaml")
	if err != nil {
		t.Fatal(err)
	}
	setup := func(r *actionRunner) {
		if err := os.WriteFile(filepath.Join(r.workspace, "rbacdrift.yaml"), model, 0o644); err != nil {
			t.Fatal(err)
		}
	}

	// No release for a branch: the action builds its own source.
	r := newActionRunner(t, "main", map[string]string{"db": normalised.URL}, nil)
	setup(r)
	code, out := r.run()
	if code != 0 || out["drifted"] != "false" || out["errors"] != "0" || out["exit-code"] != "0" {
		t.Fatalf("from a branch: exit %d, outputs %v\n%s", code, out, r.stdout)
	}
	if !strings.Contains(r.stdout, "building the action's source") {
		t.Errorf("from a branch the binary was not built:\n%s", r.stdout)
	}
	built := r.outputs["install"]["path"]

	t.Run("release", func(t *testing.T) { testActionRelease(t, built, normalised.URL) })

	check := func(t *testing.T, inputs, env map[string]string, files ...string) (*actionRunner, int, map[string]string) {
		t.Helper()
		r := newActionRunner(t, "main", inputs, env)
		setup(r)
		for i := 0; i+1 < len(files); i += 2 {
			if err := os.WriteFile(filepath.Join(r.workspace, files[i]), []byte(files[i+1]), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		// The check step only: the install step was tested above.
		r.outputs["install"] = map[string]string{"path": built}
		r.action.Runs.Steps = r.action.Runs.Steps[1:]
		code, out := r.run()
		return r, code, out
	}

	t.Run("clean", func(t *testing.T) {
		r, code, out := check(t, map[string]string{"db": normalised.URL, "sarif": "rbacdrift.sarif"}, nil)
		if code != 0 || out["drifted"] != "false" || out["errors"] != "0" || out["warnings"] != "0" {
			t.Fatalf("exit %d, outputs %v\n%s", code, out, r.stdout)
		}
		if _, err := os.Stat(filepath.Join(r.workspace, "rbacdrift.sarif")); err != nil {
			t.Errorf("the sarif input wrote no report: %v", err)
		}
		summary, _ := os.ReadFile(r.summary)
		if !strings.Contains(string(summary), report.MarkdownMarker) {
			t.Errorf("no job summary:\n%s", summary)
		}
	})

	t.Run("drifted", func(t *testing.T) {
		// db defaults to the job's DATABASE_URL.
		r, code, out := check(t, nil, map[string]string{"DATABASE_URL": legacy.URL})
		if code != exitDrift || out["drifted"] != "true" || out["exit-code"] != "1" {
			t.Fatalf("exit %d, outputs %v\n%s", code, out, r.stdout)
		}
		b, err := os.ReadFile(out["report"])
		if err != nil {
			t.Fatalf("the report output: %v", err)
		}
		var rep report.Report
		if err := json.Unmarshal(b, &rep); err != nil {
			t.Fatal(err)
		}
		if out["errors"] != strconv.Itoa(rep.Summary.Errors) || out["warnings"] != strconv.Itoa(rep.Summary.Warnings) || rep.Summary.Errors == 0 {
			t.Errorf("outputs errors=%s warnings=%s, the report says %+v", out["errors"], out["warnings"], rep.Summary)
		}
		if !strings.Contains(r.stdout, "::error file=rbacdrift.yaml,") {
			t.Errorf("no annotation in the log:\n%s", r.stdout)
		}
		summary, _ := os.ReadFile(r.summary)
		if !strings.Contains(string(summary), ":x:") {
			t.Errorf("the job summary does not show the failure:\n%s", summary)
		}
	})

	t.Run("markdown fail-on never args", func(t *testing.T) {
		r, code, out := check(t, map[string]string{"db": legacy.URL, "format": "markdown", "fail-on": "never", "args": "--no-queries  --timeout 20s"}, nil)
		if code != 0 || out["drifted"] != "false" || out["errors"] == "0" {
			t.Fatalf("exit %d, outputs %v\n%s", code, out, r.stdout)
		}
		summary, _ := os.ReadFile(r.summary)
		if !strings.Contains(string(summary), report.MarkdownMarker) || strings.Contains(string(summary), "query:") {
			t.Errorf("the job summary is not the Markdown report without queries:\n%s", summary)
		}
	})

	t.Run("fleet shard", func(t *testing.T) {
		targets := fmt.Sprintf("- {name: a, db: %q}\n- {name: b, db: %q}\n- {name: c, db: %q}\n", normalised.URL, legacy.URL, normalised.URL)
		var drifted int
		for i := range 2 {
			rr, code, out := check(t, map[string]string{"targets": "targets.yaml", "shard": fmt.Sprintf("index=%d,count=2", i)}, nil,
				"targets.yaml", targets)
			if out["drifted"] == "true" {
				drifted++
				if code != exitDrift {
					t.Errorf("shard %d drifted with exit %d", i, code)
				}
			} else if code != 0 {
				t.Errorf("shard %d: exit %d, outputs %v\n%s", i, code, out, rr.stdout)
			}
		}
		if drifted != 1 {
			t.Errorf("%d shards drifted, want 1 (the one with target b)", drifted)
		}
	})

	t.Run("unreachable", func(t *testing.T) {
		r, code, out := check(t, map[string]string{"db": "postgres://nobody@127.0.0.1:1/none?sslmode=disable&connect_timeout=2"}, nil)
		if code != exitConnect || out["exit-code"] != "3" || out["report"] != "" || out["drifted"] != "false" {
			t.Fatalf("exit %d, outputs %v\n%s", code, out, r.stdout)
		}
		summary, _ := os.ReadFile(r.summary)
		if !strings.Contains(string(summary), "could not run the check (exit 3)") {
			t.Errorf("job summary:\n%s", summary)
		}
	})

	t.Run("injection", func(t *testing.T) {
		r, code, _ := check(t, map[string]string{"db": normalised.URL, "spec": `$(touch pwned).yaml`, "args": "; touch pwned2 `touch pwned3`"}, nil)
		if code != exitUsage {
			t.Errorf("exit %d, want 2 (no such model file, an unknown argument)", code)
		}
		for _, f := range []string{"pwned", "pwned2", "pwned3"} {
			if _, err := os.Stat(filepath.Join(r.workspace, f)); err == nil {
				t.Errorf("an input ran shell code: %s exists", f)
			}
		}
	})
}

// testActionRelease serves a release of bin as goreleaser lays it out and
// installs it through the action's install step: verified, it installs;
// with a checksum that does not match, the step fails and installs nothing.
func testActionRelease(t *testing.T, bin, dbURL string) {
	const tag = "v9.9.9"
	exe, err := os.ReadFile(bin)
	if err != nil {
		t.Fatal(err)
	}
	archive := fmt.Sprintf("rbacdrift_9.9.9_%s_%s.tar.gz", runtime.GOOS, runtime.GOARCH)
	var tgz bytes.Buffer
	gz := gzip.NewWriter(&tgz)
	tw := tar.NewWriter(gz)
	tw.WriteHeader(&tar.Header{Name: "rbacdrift", Mode: 0o755, Size: int64(len(exe))})
	tw.Write(exe)
	tw.Close()
	gz.Close()
	sum := sha256.Sum256(tgz.Bytes())
	for _, tc := range []struct {
		name string
		sums string
		ok   bool
	}{
		{"verified", fmt.Sprintf("%x  %s\n%x  other.tar.gz\n", sum, archive, sha256.Sum256(nil)), true},
		{"tampered", fmt.Sprintf("%x  %s\n", sha256.Sum256([]byte("another archive")), archive), false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
				switch req.URL.Path {
				case "/" + tag + "/" + archive:
					w.Write(tgz.Bytes())
				case "/" + tag + "/rbacdrift_9.9.9_checksums.txt":
					w.Write([]byte(tc.sums))
				default:
					http.NotFound(w, req)
				}
			}))
			defer srv.Close()
			r := newActionRunner(t, tag, map[string]string{"db": dbURL}, map[string]string{"RBACDRIFT_RELEASE_URL": srv.URL})
			r.action.Runs.Steps = r.action.Runs.Steps[:1]
			code, _ := r.run()
			path := r.outputs["install"]["path"]
			if !tc.ok {
				if code == 0 || path != "" || !strings.Contains(r.stdout, "checksum mismatch") {
					t.Errorf("a tampered release: exit %d, path %q\n%s", code, path, r.stdout)
				}
				return
			}
			if code != 0 || path == "" || !strings.Contains(r.stdout, "installed from the release, checksum verified") {
				t.Fatalf("exit %d, path %q\n%s", code, path, r.stdout)
			}
			if out, err := exec.Command(path, "version").Output(); err != nil || !strings.HasPrefix(string(out), "rbacdrift ") {
				t.Errorf("the installed binary: %v %s", err, out)
			}
			// An explicit version that is no release fails; it does not build.
			r = newActionRunner(t, tag, map[string]string{"version": "v0.0.1"}, map[string]string{"RBACDRIFT_RELEASE_URL": srv.URL})
			r.action.Runs.Steps = r.action.Runs.Steps[:1]
			if code, _ := r.run(); code == 0 || !strings.Contains(r.stdout, "cannot download rbacdrift v0.0.1") {
				t.Errorf("an explicit version that is no release: exit %d\n%s", code, r.stdout)
			}
		})
	}
}
