package main

import (
	"bytes"
	"errors"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"
)

// parseOnly runs the flag parsing of rbacdrift ARGS and nothing else: the
// command with --help after its flags parses them with its own flag set,
// then prints its usage and exits 0 instead of running. It returns what
// the command said when parsing failed. --shard values go through the
// command's own parser too.
func parseOnly(t *testing.T, args []string) error {
	t.Helper()
	if len(args) == 0 {
		return errors.New("no command")
	}
	cmd, rest := args[0], args[1:]
	flags := rest
	if cmd == "merge" || cmd == "validate" {
		// FILE... come after the flags, each of which takes a value.
		i := 0
		for i < len(rest) && strings.HasPrefix(rest[i], "-") {
			if strings.Contains(rest[i], "=") {
				i++
			} else {
				i += 2
			}
		}
		if i >= len(rest) {
			return errors.New("no FILE after the flags")
		}
		flags = rest[:i]
	}
	for i, a := range flags {
		if a == "--shard" && i+1 < len(flags) {
			if _, err := parseShard(flags[i+1]); err != nil {
				return err
			}
		}
	}
	var stdout, stderr bytes.Buffer
	code := run(t.Context(), append(append([]string{cmd}, flags...), "--help"), strings.NewReader(""), &stdout, &stderr)
	if code != exitOK || !strings.HasPrefix(stdout.String(), "Usage: rbacdrift "+cmd) {
		return errors.New(strings.TrimSpace(stderr.String()))
	}
	return nil
}

// expandK8s expands $(VAR) in a container's args from its env, as the
// kubelet does; JOB_COMPLETION_INDEX is what an Indexed Job's pod gets.
func expandK8s(s string, env map[string]string) string {
	return regexp.MustCompile(`\$\(([A-Za-z_][A-Za-z0-9_]*)\)`).ReplaceAllStringFunc(s, func(m string) string {
		if v, ok := env[m[2:len(m)-1]]; ok {
			return v
		}
		return m
	})
}

// containers returns every container and init container of a manifest,
// at any depth (a Deployment's, a Job's, a CronJob's pod template).
func containers(n any, out *[]map[string]any) {
	switch v := n.(type) {
	case map[string]any:
		for k, c := range v {
			if list, ok := c.([]any); ok && (k == "containers" || k == "initContainers") {
				for _, item := range list {
					if m, ok := item.(map[string]any); ok {
						*out = append(*out, m)
					}
				}
				continue
			}
			containers(c, out)
		}
	case []any:
		for _, c := range v {
			containers(c, out)
		}
	}
}

// TestKubernetesExamples parses every manifest of examples/kubernetes and
// runs each rbacdrift container's args, expanded as the kubelet would,
// through rbacdrift's own flag parsing.
func TestKubernetesExamples(t *testing.T) {
	files, err := filepath.Glob("../../examples/kubernetes/*.yaml")
	if err != nil || len(files) == 0 {
		t.Fatalf("no manifest in examples/kubernetes: %v", err)
	}
	seen := map[string]bool{}
	for _, file := range files {
		f, err := os.Open(file)
		if err != nil {
			t.Fatal(err)
		}
		dec := yaml.NewDecoder(f)
		for doc := 0; ; doc++ {
			var m map[string]any
			err := dec.Decode(&m)
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				t.Fatalf("%s: document %d: %v", file, doc, err)
			}
			if m["apiVersion"] == nil || m["kind"] == nil {
				t.Errorf("%s: document %d has no apiVersion or kind", file, doc)
			}
			var cs []map[string]any
			containers(m, &cs)
			indexed := strings.Contains(mustYAML(t, m), "completionMode: Indexed")
			for _, c := range cs {
				if img, _ := c["image"].(string); !strings.Contains(img, "rbacdrift") {
					continue
				}
				if c["command"] != nil {
					t.Errorf("%s: container %v sets command: the image's entrypoint is /rbacdrift; give args", file, c["name"])
				}
				env := map[string]string{}
				if indexed {
					env["JOB_COMPLETION_INDEX"] = "2"
				}
				list, _ := c["env"].([]any)
				for _, e := range list {
					em, _ := e.(map[string]any)
					name, _ := em["name"].(string)
					env[name] = "postgres://rbacdrift@db.example.com:5432/app"
				}
				raw, _ := c["args"].([]any)
				var args []string
				for _, a := range raw {
					s, ok := a.(string)
					if !ok {
						t.Fatalf("%s: an arg is not a string: %v", file, a)
					}
					args = append(args, expandK8s(s, env))
				}
				if strings.Contains(strings.Join(args, " "), "$(") {
					t.Errorf("%s: %v: a $(VAR) the container does not define: %q", file, c["name"], args)
				}
				if err := parseOnly(t, args); err != nil {
					t.Errorf("%s: container %v: rbacdrift %s: %v", file, c["name"], strings.Join(args, " "), err)
				}
				if len(args) > 0 {
					seen[args[0]] = true
				}
			}
		}
		f.Close()
	}
	for _, cmd := range []string{"check", "serve", "merge"} {
		if !seen[cmd] {
			t.Errorf("no Kubernetes example runs rbacdrift %s", cmd)
		}
	}
}

func mustYAML(t *testing.T, v any) string {
	b, err := yaml.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// githubUses are the workflow steps of examples/github and the README
// that use the Action: each with: key must be one of its inputs, each
// shard value a shard, and each rbacdrift command line must parse.
func TestGitHubExamples(t *testing.T) {
	inputs := loadAction(t).Inputs
	files, _ := filepath.Glob("../../examples/github/*.yml")
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	docs := map[string][]byte{}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		docs[f] = b
	}
	// The README's workflows: the ```yaml blocks that have jobs.
	for i, m := range regexp.MustCompile("(?s)```yaml\n(.*?)```").FindAllSubmatch(readme, -1) {
		if bytes.Contains(m[1], []byte("\njobs:")) {
			docs["README.md block "+string(rune('0'+i))] = m[1]
		}
	}
	expr := regexp.MustCompile(`\$\{\{\s*(.*?)\s*\}\}`)
	usesAction := 0
	for name, b := range docs {
		var wf struct {
			Jobs map[string]struct {
				Steps []struct {
					Uses string            `yaml:"uses"`
					With map[string]string `yaml:"with"`
					Run  string            `yaml:"run"`
				} `yaml:"steps"`
			} `yaml:"jobs"`
		}
		if err := yaml.Unmarshal(b, &wf); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		for job, j := range wf.Jobs {
			for _, s := range j.Steps {
				// A matrix value and other expressions, as GitHub fills them.
				fill := func(v string) string {
					return expr.ReplaceAllStringFunc(v, func(m string) string {
						if strings.Contains(m, "matrix.") {
							return "1"
						}
						return "x"
					})
				}
				if strings.HasPrefix(s.Uses, "rbacdrift/rbacdrift@") {
					usesAction++
					for k, v := range s.With {
						if _, ok := inputs[k]; !ok {
							t.Errorf("%s: job %s gives the Action an input it does not have: %s", name, job, k)
						}
						if k == "shard" {
							if _, err := parseShard(fill(v)); err != nil {
								t.Errorf("%s: job %s: shard %q: %v", name, job, v, err)
							}
						}
					}
				}
				for _, line := range strings.Split(s.Run, "\n") {
					line = strings.TrimSpace(line)
					if !strings.HasPrefix(line, "rbacdrift ") {
						continue
					}
					line, _, _ = strings.Cut(line, " >")
					args := strings.Fields(fill(line))[1:]
					for i := range args {
						args[i] = strings.Trim(args[i], `"'`)
					}
					if err := parseOnly(t, args); err != nil {
						t.Errorf("%s: job %s: %s: %v", name, job, line, err)
					}
				}
			}
		}
	}
	if usesAction < 2 {
		t.Errorf("%d workflow steps use the Action, want the README's and the fleet example's", usesAction)
	}
}

// TestPreCommitHook: the hook runs rbacdrift validate, which takes the
// files pre-commit passes, and picks model files only.
func TestPreCommitHook(t *testing.T) {
	b, err := os.ReadFile("../../.pre-commit-hooks.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var hooks []struct {
		ID, Entry, Files, Language string
		PassFilenames              bool `yaml:"pass_filenames"`
	}
	if err := yaml.Unmarshal(b, &hooks); err != nil || len(hooks) != 1 {
		t.Fatalf(".pre-commit-hooks.yaml: %v, %d hooks", err, len(hooks))
	}
	h := hooks[0]
	if h.Entry != "rbacdrift validate" || !h.PassFilenames || h.Language != "golang" {
		t.Errorf("hook %+v, want entry rbacdrift validate, language golang, pass_filenames", h)
	}
	re := regexp.MustCompile(h.Files)
	for file, want := range map[string]bool{"rbacdrift.yaml": true, "db/rbacdrift.yml": true, "svc/app.rbacdrift.yaml": true,
		"docker-compose.yaml": false, "rbacdrift.yaml.bak": false, "notrbacdrift.yaml": false} {
		if re.MatchString(file) != want {
			t.Errorf("files %q matches %s: %v, want %v", h.Files, file, !want, want)
		}
	}
	if err := parseOnly(t, append(strings.Fields(h.Entry)[1:], "../../testdata/reference/normalised.yaml")); err != nil {
		t.Errorf("rbacdrift validate FILE: %v", err)
	}
}
