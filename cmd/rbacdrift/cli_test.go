package main

import (
	"context"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/rbacdrift/rbacdrift/internal/testutil/golden"
	"github.com/rbacdrift/rbacdrift/internal/testutil/pgtest"
	"github.com/rogpeppe/go-internal/testscript"
)

func TestMain(m *testing.M) {
	if os.Getenv(rssProbeEnv) != "" {
		os.Exit(rssProbe(os.Args[1:]))
	}
	connHook = recordingHook
	pgtest.Main(m)
}

// referenceDBs loads the two databases of the reference scenario for a
// test; the scripts of that test share them (rbacdrift never writes).
func referenceDBs(t *testing.T) (legacy, normalised *pgtest.DB) {
	legacy = pgtest.NewDB(t)
	legacy.ExecFile(t, "../../testdata/reference/legacy.sql")
	normalised = pgtest.NewDB(t)
	normalised.ExecFile(t, "../../testdata/reference/normalised.sql")
	return legacy, normalised
}

// TestScripts runs the command as a user would, from testdata/script/*.txtar:
// `rbacdrift ARGS` runs it in-process, `exitcode N` checks how it ended.
// $LEGACY and $NORMALISED are URLs of the reference databases; the
// reference models are copied into each script's work directory.
func TestScripts(t *testing.T) {
	legacy, normalised := referenceDBs(t)
	// The legacy database with the history drizzle left on it: every
	// migration of testdata/migrations/drizzle-reference but the last ran.
	migrated := pgtest.NewDB(t)
	migrated.ExecFile(t, "../../testdata/reference/legacy.sql")
	migrated.ExecFile(t, "../../testdata/reference/legacy_drizzle_history.sql")
	testscript.Run(t, testscript.Params{
		Dir:           "testdata/script",
		UpdateScripts: *golden.Update,
		Setup: func(env *testscript.Env) error {
			env.Setenv("LEGACY", legacy.URL)
			env.Setenv("NORMALISED", normalised.URL)
			env.Setenv("MIGRATED", migrated.URL)
			migs, err := filepath.Abs("../../testdata/migrations")
			if err != nil {
				return err
			}
			env.Setenv("MIGRATIONS", migs)
			env.Setenv("MISSING_DB", legacy.Server.URL("no_such_db_"+legacy.Name, "", ""))
			var fromcode string
			fromcode, err = filepath.Abs("../../testdata/derive")
			if err != nil {
				return err
			}
			env.Setenv("FROMCODE", fromcode)
			for _, f := range []string{"normalised.yaml", "legacy.yaml"} {
				b, err := os.ReadFile(filepath.Join("../../testdata/reference", f))
				if err != nil {
					return err
				}
				if err := os.WriteFile(filepath.Join(env.WorkDir, f), b, 0o644); err != nil {
					return err
				}
			}
			return nil
		},
		Cmds: map[string]func(ts *testscript.TestScript, neg bool, args []string){
			"rbacdrift": cmdRbacdrift,
			"exitcode":  cmdExitcode,
		},
	})
}

// cmdRbacdrift runs the command in-process, in the script's directory, and
// replaces what differs from run to run (the server's address and version,
// the database name) with placeholders.
func cmdRbacdrift(ts *testscript.TestScript, neg bool, args []string) {
	var stdout, stderr strings.Builder
	// Paths in the scripts are relative to the script's directory, as a
	// user's are to theirs: the command runs in-process, so they are made
	// absolute here and the directory is taken out of the output again.
	work := ts.Getenv("WORK") + string(filepath.Separator)
	args = append([]string(nil), args...)
	for i, a := range args {
		for _, flag := range []string{"--spec", "--out", "--report", "--from-prisma", "--from-drizzle", "--migrations", "--from-migrations", "--targets"} {
			if i > 0 && args[i-1] == flag && !filepath.IsAbs(a) {
				if k, v, ok := strings.Cut(a, "="); ok && flag == "--report" {
					args[i] = k + "=" + work + v
				} else if flag != "--report" {
					args[i] = work + a
				}
			}
		}
	}
	code := run(context.Background(), args, strings.NewReader(""), &stdout, &stderr)
	ts.Setenv("EXITCODE", strconv.Itoa(code))
	_, _ = ts.Stdout().Write([]byte(normalise(strings.ReplaceAll(stdout.String(), work, ""))))
	_, _ = ts.Stderr().Write([]byte(normalise(strings.ReplaceAll(stderr.String(), work, ""))))
	if code != 0 && !neg {
		ts.Fatalf("rbacdrift exited %d", code)
	}
	if code == 0 && neg {
		ts.Fatalf("rbacdrift succeeded unexpectedly")
	}
}

func cmdExitcode(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) != 1 {
		ts.Fatalf("usage: exitcode N")
	}
	if got := ts.Getenv("EXITCODE"); (got == args[0]) == neg {
		ts.Fatalf("exit code %s, want %s%s", got, map[bool]string{true: "not ", false: ""}[neg], args[0])
	}
}

var (
	targetRE  = regexp.MustCompile(`[A-Za-z0-9_.-]*@[^ ,()]+?/(t_[a-z0-9_]+|[a-z0-9_]+_[0-9a-f]{6,})`)
	versionRE = regexp.MustCompile(`PostgreSQL [0-9]+\.[0-9]+`)
)

func normalise(s string) string {
	s = targetRE.ReplaceAllString(s, "USER@SERVER/DB")
	return versionRE.ReplaceAllString(s, "PostgreSQL N")
}
