package drizzle

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/rbacdrift/rbacdrift/internal/safefile"
)

// Running the project's drizzle-kit.
//
// drizzle-kit export prints the DDL of the schema a drizzle.config names,
// offline. It loads the config and the schema files the way the project's
// own drizzle-kit commands do: it runs the project's TypeScript or
// JavaScript. That is the user's own code, run on the user's machine by the
// user's own installed tool, as 'npx drizzle-kit export' would run it:
// [Export] never installs or downloads anything, runs the binary directly
// (no shell), with a minimal environment, a time limit and a bound on what
// it may print.

// ConfigNames are the files drizzle-kit reads its config from, in the order
// it looks for them in a project folder.
var ConfigNames = []string{"drizzle.config.ts", "drizzle.config.js", "drizzle.config.mjs", "drizzle.config.json"}

// MinExportVersion is the first drizzle-kit with the export command.
const MinExportVersion = "0.30.1"

// KitTimeout bounds one drizzle-kit export.
const KitTimeout = 2 * time.Minute

// What a [KitError] says.
const (
	KitNoNode   = "no-node"   // node is not on PATH
	KitMissing  = "missing"   // the project has no drizzle-kit installed
	KitTooOld   = "too-old"   // its drizzle-kit has no export command
	KitFailed   = "failed"    // drizzle-kit export exited with an error
	KitTimedOut = "timed-out" // it ran longer than its limit
	KitTooLarge = "too-large" // it printed more than safefile.MaxSchema
	KitNoOutput = "no-output" // it printed no SQL
)

// A KitError says that the project's drizzle-kit could not export its
// schema.
type KitError struct {
	What    string // KitMissing, KitTooOld, ...
	Config  string // the drizzle config
	Version string // the installed drizzle-kit's, when known
	Output  string // the end of what it printed, when it failed
	Err     error
}

func (e *KitError) Error() string {
	switch e.What {
	case KitNoNode:
		return "node is not on PATH: rbacdrift runs the project's drizzle-kit export with it to read " + e.Config
	case KitMissing:
		return "no drizzle-kit installed for " + e.Config + " (no node_modules/.bin/drizzle-kit in its folder or above)"
	case KitTooOld:
		return fmt.Sprintf("the project's drizzle-kit is %s, which has no export command (drizzle-kit %s or later has)", e.Version, MinExportVersion)
	case KitTimedOut:
		return fmt.Sprintf("drizzle-kit export for %s ran longer than %s and was stopped", e.Config, KitTimeout)
	case KitTooLarge:
		return fmt.Sprintf("drizzle-kit export for %s printed more than %d MiB", e.Config, safefile.MaxSchema>>20)
	case KitNoOutput:
		return fmt.Sprintf("drizzle-kit export for %s printed no SQL: %s", e.Config, strings.TrimSpace(e.Output))
	}
	msg := fmt.Sprintf("drizzle-kit export for %s failed", e.Config)
	if e.Err != nil {
		msg += ": " + e.Err.Error()
	}
	if out := strings.TrimSpace(e.Output); out != "" {
		msg += "\n" + out
	}
	return msg
}

func (e *KitError) Unwrap() error { return e.Err }

// Hint says what to do.
func (e *KitError) Hint() string {
	alt := "or give --from-drizzle the folder drizzle-kit generate writes (with meta/_journal.json): rbacdrift reads its newest snapshot without running anything"
	switch e.What {
	case KitNoNode:
		return "install Node.js 18 or later, " + alt
	case KitMissing:
		return fmt.Sprintf("install the project's dependencies (npm install, with drizzle-kit %s or later), %s", MinExportVersion, alt)
	case KitTooOld:
		return fmt.Sprintf("upgrade it (npm install -D drizzle-kit@latest; %s or later), %s", MinExportVersion, alt)
	case KitTimedOut, KitTooLarge:
		return "run 'npx drizzle-kit export --sql' in the project to see what it does, " + alt
	}
	return "run 'npx drizzle-kit export --sql --config " + filepath.Base(e.Config) + "' in " + filepath.Dir(e.Config) + " to see the error, " + alt
}

// FindConfig returns the drizzle config that path names: path itself when
// it is a file named drizzle.config.*, the first of [ConfigNames] in path
// when it is a folder holding one; "" when it is neither (a drizzle-kit
// output folder or snapshot, which [FromFile] reads).
func FindConfig(path string) (string, error) {
	st, err := os.Stat(path)
	if err != nil {
		return "", fmt.Errorf("reading drizzle project: %w", err)
	}
	if !st.IsDir() {
		base := filepath.Base(path)
		ext := filepath.Ext(base)
		if strings.Contains(base, ".config.") || ext == ".ts" || ext == ".js" || ext == ".mjs" || ext == ".cjs" || ext == ".mts" || ext == ".cts" {
			if !st.Mode().IsRegular() {
				return "", fmt.Errorf("reading drizzle config: %s is not a regular file", path)
			}
			return path, nil
		}
		return "", nil
	}
	for _, n := range ConfigNames {
		c := filepath.Join(path, n)
		if st, err := os.Stat(c); err == nil && st.Mode().IsRegular() {
			return c, nil
		}
	}
	return "", nil
}

// findKit returns the project's drizzle-kit: node_modules/.bin/drizzle-kit
// in dir or the nearest folder above it that has one, as npx finds it, and
// its version.
func findKit(dir string) (bin, version string, err error) {
	for d := dir; ; {
		bin = filepath.Join(d, "node_modules", ".bin", "drizzle-kit")
		if _, err := os.Stat(bin); err == nil {
			data, err := safefile.ReadFile(filepath.Join(d, "node_modules", "drizzle-kit", "package.json"), 1<<20, "a package.json")
			if err != nil {
				return bin, "", nil
			}
			var pkg struct{ Version string }
			_ = json.Unmarshal(data, &pkg)
			return bin, pkg.Version, nil
		}
		up := filepath.Dir(d)
		if up == d {
			return "", "", errors.New("not found")
		}
		d = up
	}
}

// versionBefore reports whether the version v (major.minor.patch, with any
// pre-release suffix) is before min.
func versionBefore(v, min string) bool {
	parse := func(s string) [3]int {
		var out [3]int
		s, _, _ = strings.Cut(s, "-")
		for i, p := range strings.SplitN(s, ".", 3) {
			out[i], _ = strconv.Atoi(p)
		}
		return out
	}
	a, b := parse(v), parse(min)
	for i := range a {
		if a[i] != b[i] {
			return a[i] < b[i]
		}
	}
	return false
}

// Export runs the project's drizzle-kit export --sql for config, in the
// config's folder, and returns the DDL it prints and drizzle-kit's version.
func Export(ctx context.Context, config string) (sql, version string, err error) {
	abs, err := filepath.Abs(config)
	if err != nil {
		return "", "", fmt.Errorf("reading drizzle config: %w", err)
	}
	dir := filepath.Dir(abs)
	bin, version, err := findKit(dir)
	if err != nil {
		return "", "", &KitError{What: KitMissing, Config: config}
	}
	if version != "" && versionBefore(version, MinExportVersion) {
		return "", version, &KitError{What: KitTooOld, Config: config, Version: version}
	}
	node, err := exec.LookPath("node")
	if err != nil {
		return "", version, &KitError{What: KitNoNode, Config: config, Version: version}
	}
	ctx, cancel := context.WithTimeout(ctx, KitTimeout)
	defer cancel()
	// The binary is a script for node: run node with it, no shell, no
	// PATH lookup of anything else.
	target, err := filepath.EvalSymlinks(bin)
	if err != nil {
		return "", version, &KitError{What: KitMissing, Config: config, Err: err}
	}
	cmd := exec.CommandContext(ctx, node, target, "export", "--sql", "--config", filepath.Base(abs))
	cmd.Dir = dir
	cmd.Env = kitEnv()
	cmd.WaitDelay = 5 * time.Second
	stdout := &capped{max: safefile.MaxSchema, cancel: cancel}
	stderr := &capped{max: 64 << 10}
	cmd.Stdout, cmd.Stderr = stdout, stderr
	runErr := cmd.Run()
	switch {
	case stdout.over:
		return "", version, &KitError{What: KitTooLarge, Config: config, Version: version}
	case errors.Is(ctx.Err(), context.DeadlineExceeded):
		return "", version, &KitError{What: KitTimedOut, Config: config, Version: version}
	case ctx.Err() != nil:
		return "", version, ctx.Err()
	case runErr != nil:
		return "", version, &KitError{What: KitFailed, Config: config, Version: version, Err: runErr, Output: tail(stdout.String() + stderr.String())}
	}
	out := stdout.String()
	if !strings.Contains(out, ";") {
		return "", version, &KitError{What: KitNoOutput, Config: config, Version: version, Output: tail(out + stderr.String())}
	}
	return out, version, nil
}

// kitEnv is drizzle-kit's environment: what node needs to run and find the
// user's home (for its caches), no colours; nothing else of rbacdrift's
// environment (its DATABASE_URL, the --db password) is passed on.
func kitEnv() []string {
	env := []string{"NO_COLOR=1", "FORCE_COLOR=0", "CI=1"}
	for _, k := range []string{"PATH", "HOME", "TMPDIR", "LANG", "SYSTEMROOT", "USERPROFILE"} {
		if v, ok := os.LookupEnv(k); ok {
			env = append(env, k+"="+v)
		}
	}
	return env
}

// tail returns the last lines of what drizzle-kit printed, for an error.
func tail(s string) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	if len(lines) > 20 {
		lines = lines[len(lines)-20:]
	}
	return strings.Join(lines, "\n")
}

// capped keeps at most max bytes; past them it says so and stops the run.
type capped struct {
	bytes.Buffer
	max    int
	over   bool
	cancel func()
}

func (c *capped) Write(p []byte) (int, error) {
	if c.Len()+len(p) > c.max {
		if !c.over && c.cancel != nil {
			c.over = true
			c.cancel()
		}
		c.over = true
		return len(p), nil // drop it; the run is stopped
	}
	return c.Buffer.Write(p)
}
