package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/rbacdrift/rbacdrift/internal/testutil/pgtest"
)

// margin is how far past --timeout a command may end. It guards against a
// hang; it is not a performance bound.
const margin = 5 * time.Second

// silentServer listens on 127.0.0.1 and never says a word: with accept, it
// takes connections and reads what comes; without, the kernel completes the
// handshake and nothing more happens (a host that does not answer, within
// loopback).
func silentServer(t *testing.T, accept bool) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	if accept {
		go func() {
			for {
				c, err := l.Accept()
				if err != nil {
					return
				}
				t.Cleanup(func() { c.Close() })
				go func() { _, _ = bytes.NewBuffer(nil).ReadFrom(c) }()
			}
		}()
	}
	return l.Addr().String()
}

// holdLock opens a transaction on db that holds table in ACCESS EXCLUSIVE
// mode until the test ends.
func holdLock(t *testing.T, db *pgtest.DB, table string) {
	t.Helper()
	conn := db.Conn(t)
	tx, err := conn.Begin(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tx.Exec(t.Context(), "LOCK TABLE "+pgx.Identifier{table}.Sanitize()+" IN ACCESS EXCLUSIVE MODE"); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = tx.Rollback(context.Background()) })
}

// TestSafetyTimeLimits proves that no command hangs: a server that does not
// answer, a table locked by another session, a slow sample. Each ends
// within --timeout plus a margin, with a message that says what happened.
func TestSafetyTimeLimits(t *testing.T) {
	t.Parallel()
	db := pgtest.NewDB(t)
	db.ExecFile(t, "../../testdata/reference/normalised.sql")
	dir := t.TempDir()
	write := func(name, content string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	reference := "../../testdata/reference/normalised.yaml"
	slow := write("slow.yaml", `version: 1
queries:
  slow_sample:
    sql: SELECT pg_sleep(30), 1
    sample: { args: [], expect: any }
`)
	lockedQuery := write("locked.yaml", `version: 1
queries:
  count_grants:
    sql: SELECT count(*) FROM role_permissions
`)
	url := db.URLAs("postgres", safetyPassword)
	silent := "postgres://app:" + safetyPassword + "@" + silentServer(t, true) + "/rbac"
	deaf := "postgres://app:" + safetyPassword + "@" + silentServer(t, false) + "/rbac"

	tests := []struct {
		name     string
		lock     string // table to hold ACCESS EXCLUSIVE during the run
		timeout  time.Duration
		args     []string
		wantCode int
		stdout   []string
		stderr   []string
	}{
		{name: "server accepts and never speaks", timeout: 2 * time.Second, wantCode: exitConnect,
			args:   []string{"check", "--spec", reference, "--db", silent + "?sslmode=disable"},
			stderr: []string{`cannot connect to postgres://app@127\.0\.0\.1:[0-9]+/rbac`, `the server did not answer in time \(--timeout\)`}},
		{name: "server accepts and never answers the TLS request", timeout: 2 * time.Second, wantCode: exitConnect,
			args:   []string{"check", "--spec", reference, "--db", silent + "?sslmode=prefer"},
			stderr: []string{`the server did not answer in time`}},
		{name: "host that never accepts", timeout: 2 * time.Second, wantCode: exitConnect,
			args:   []string{"check", "--spec", reference, "--db", deaf + "?sslmode=disable"},
			stderr: []string{`the server did not answer in time`}},
		{name: "snapshot of a server that never speaks", timeout: 2 * time.Second, wantCode: exitConnect,
			args:   []string{"snapshot", "--db", silent + "?sslmode=disable"},
			stderr: []string{`rbacdrift snapshot: cannot connect .*did not answer in time`}},
		{name: "table of the model locked", lock: "role_permissions", timeout: 4 * time.Second, wantCode: exitConnect,
			args: []string{"check", "--spec", reference, "--db", url},
			stderr: []string{`canceling statement due to lock timeout \(SQLSTATE 55P03\)`,
				`role_permissions is locked ACCESS EXCLUSIVE by another session \(pid [0-9]+`}},
		{name: "snapshot of a locked table", lock: "role_permissions", timeout: 4 * time.Second, wantCode: exitConnect,
			args:   []string{"snapshot", "--db", url},
			stderr: []string{`lock timeout \(SQLSTATE 55P03\); role_permissions is locked ACCESS EXCLUSIVE`}},
		{name: "table of a query locked", lock: "role_permissions", timeout: 4 * time.Second, wantCode: exitDrift,
			args: []string{"check", "--spec", lockedQuery, "--db", url},
			stdout: []string{`count_grants fails with 55P03 \(canceling statement due to lock timeout\)`,
				`role_permissions is locked ACCESS EXCLUSIVE by another session`}},
		{name: "slow sample", timeout: 2 * time.Second, wantCode: exitDrift,
			args:   []string{"check", "--spec", slow, "--db", url},
			stdout: []string{`slow_sample fails with 57014 \(canceling statement due to statement timeout\)`, `raise the check's timeout`}},
		// Each transaction gets what is left of the budget: a lock and a slow
		// sample end as findings, the queries after them still run, and the
		// whole run ends within --timeout.
		{name: "slow sample and a lock past the whole budget", lock: "role_permissions", timeout: 2 * time.Second, wantCode: exitDrift,
			args:   []string{"check", "--spec", write("both.yaml", strings.Replace(string(must(os.ReadFile(slow))), "queries:\n", "queries:\n  a_count:\n    sql: SELECT count(*) FROM role_permissions\n  b_count:\n    sql: SELECT count(*) FROM role_permissions\n", 1)), "--db", url},
			stdout: []string{`a_count fails with (55P03|57014)`, `b_count fails with (55P03|57014)`, `slow_sample fails with 57014`, `3 errors, 0 warnings in 3 queries`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			args := append(append([]string(nil), tt.args...), "--timeout", tt.timeout.String())
			if tt.lock != "" {
				// A database of its own: the lock would hold up the others.
				own := pgtest.NewDB(t)
				own.ExecFile(t, "../../testdata/reference/normalised.sql")
				holdLock(t, own, tt.lock)
				for i, a := range args {
					if a == url {
						args[i] = own.URLAs("postgres", safetyPassword)
					}
				}
			}
			began := time.Now()
			code, stdout, stderr := rbacdrift(t.Context(), args...)
			took := time.Since(began)
			if code != tt.wantCode {
				t.Errorf("exit %d, want %d\nstdout:\n%s\nstderr:\n%s", code, tt.wantCode, stdout, stderr)
			}
			if took > tt.timeout+margin {
				t.Errorf("took %v with --timeout %v", took, tt.timeout)
			}
			for _, re := range tt.stdout {
				if !regexp.MustCompile(re).MatchString(stdout) {
					t.Errorf("stdout does not match %q:\n%s", re, stdout)
				}
			}
			for _, re := range tt.stderr {
				if !regexp.MustCompile(re).MatchString(stderr) {
					t.Errorf("stderr does not match %q:\n%s", re, stderr)
				}
			}
			assertNoSecret(t, safetyPassword, map[string]string{"stdout": stdout, "stderr": stderr})
		})
	}
}

func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}

// buildBinary builds the command into a temporary directory.
func buildBinary(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "rbacdrift")
	ctx, cancel := context.WithTimeout(t.Context(), 2*time.Minute)
	defer cancel()
	out, err := exec.CommandContext(ctx, "go", "build", "-o", bin, ".").CombinedOutput()
	if err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// TestSafetyProcess runs the built command as a user does: Ctrl-C, a huge
// model file, a host name that cannot resolve.
func TestSafetyProcess(t *testing.T) {
	t.Parallel()
	bin := buildBinary(t)

	t.Run("interrupt cancels the query on the server", func(t *testing.T) {
		t.Parallel()
		db := pgtest.NewDB(t)
		model := filepath.Join(t.TempDir(), "slow.yaml")
		if err := os.WriteFile(model, []byte("version: 1\nqueries:\n  slow_sample:\n    sql: SELECT pg_sleep(60), 1\n    sample: { args: [], expect: any }\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		var stdout, stderr bytes.Buffer
		cmd := exec.Command(bin, "check", "--db", db.URLAs("postgres", safetyPassword), "--spec", model, "--timeout", "90s")
		cmd.Stdout, cmd.Stderr = &stdout, &stderr
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		defer cmd.Process.Kill()
		conn := db.Conn(t)
		running := func() int {
			var n int
			if err := conn.QueryRow(t.Context(), `SELECT count(*) FROM pg_stat_activity
				WHERE datname = current_database() AND application_name = 'rbacdrift'
				AND state = 'active' AND query LIKE '%pg_sleep(60)%'`).Scan(&n); err != nil {
				t.Fatal(err)
			}
			return n
		}
		deadline := time.Now().Add(30 * time.Second)
		for running() == 0 {
			if time.Now().After(deadline) {
				t.Fatalf("the sample never showed in pg_stat_activity\nstderr:\n%s", stderr.String())
			}
			time.Sleep(20 * time.Millisecond)
		}
		if err := cmd.Process.Signal(syscall.SIGINT); err != nil {
			t.Fatal(err)
		}
		began := time.Now()
		err := cmd.Wait()
		if code := cmd.ProcessState.ExitCode(); code != exitInterrupted {
			t.Errorf("exit %d (%v), want %d\nstdout:\n%s\nstderr:\n%s", code, err, exitInterrupted, stdout.String(), stderr.String())
		}
		if took := time.Since(began); took > margin {
			t.Errorf("took %v to end after SIGINT", took)
		}
		if !strings.Contains(stderr.String(), "rbacdrift check: interrupted") {
			t.Errorf("stderr does not say it was interrupted:\n%s", stderr.String())
		}
		assertNoSecret(t, safetyPassword, map[string]string{"stdout": stdout.String(), "stderr": stderr.String()})
		// The statement ended on the server, not only in the client.
		deadline = time.Now().Add(2 * time.Second)
		for running() != 0 {
			if time.Now().After(deadline) {
				t.Fatal("pg_sleep(60) still runs on the server 2s after the command ended")
			}
			time.Sleep(20 * time.Millisecond)
		}
	})

	t.Run("a 50 MB model is refused without reading it", func(t *testing.T) {
		t.Parallel()
		big := filepath.Join(t.TempDir(), "big.yaml")
		f, err := os.Create(big)
		if err != nil {
			t.Fatal(err)
		}
		line := []byte("# " + strings.Repeat("padding ", 12) + "\n")
		head := []byte("version: 1\ntables:\n")
		if _, err := f.Write(head); err != nil {
			t.Fatal(err)
		}
		for n := 0; n < 50<<20; n += len(line) {
			if _, err := f.Write(line); err != nil {
				t.Fatal(err)
			}
		}
		if err := f.Close(); err != nil {
			t.Fatal(err)
		}
		for _, args := range [][]string{
			{"check", "--spec", big, "--db", "postgres://nobody@127.0.0.1:1/x"},
			{"validate", big},
		} {
			code, maxrss, stderr := runMeasured(t, bin, args...)
			if code != exitUsage {
				t.Errorf("%s: exit %d, want %d\n%s", args[0], code, exitUsage, stderr)
			}
			if !strings.Contains(stderr, "file is larger than 4 MiB") {
				t.Errorf("%s: stderr:\n%s", args[0], stderr)
			}
			// Max RSS in KiB on Linux: far below the file's 50 MB.
			if maxrss > 40<<10 {
				t.Errorf("%s: peak memory %d KiB reading a 50 MB file; want it bounded (< 40 MiB)", args[0], maxrss)
			}
		}
	})

	t.Run("unknown host", func(t *testing.T) {
		t.Parallel()
		// A .onion name is never sent to DNS by Go's resolver (RFC 7686):
		// the lookup fails here, with no traffic beyond this machine.
		var stderr bytes.Buffer
		cmd := exec.Command(bin, "check", "--spec", "../../testdata/reference/normalised.yaml",
			"--db", "postgres://app:"+safetyPassword+"@no-such-db.rbacdrift-test.onion:5432/rbac", "--timeout", "3s")
		cmd.Env = append(os.Environ(), "GODEBUG=netdns=go")
		cmd.Stderr = &stderr
		_ = cmd.Run()
		if code := cmd.ProcessState.ExitCode(); code != exitConnect {
			t.Errorf("exit %d, want %d\n%s", code, exitConnect, stderr.String())
		}
		if !regexp.MustCompile(`cannot connect to postgres://app@no-such-db\.rbacdrift-test\.onion:5432/rbac: cannot resolve the host name \(.*\); check the host`).MatchString(stderr.String()) {
			t.Errorf("stderr:\n%s", stderr.String())
		}
		assertNoSecret(t, safetyPassword, map[string]string{"stderr": stderr.String()})
	})
}

// rssProbeEnv makes the test binary a probe that runs one command and
// reports its peak memory (see [runMeasured]).
const rssProbeEnv = "RBACDRIFT_TEST_RSS_PROBE"

// runMeasured runs bin with args and returns its exit code, its peak
// resident memory in KiB and its standard error. The command is started by
// a small probe process (this test binary again), not by the test itself:
// Go starts children with vfork, and Linux counts the starting process's
// own peak (the whole test binary's) into the child's ru_maxrss.
func runMeasured(t *testing.T, bin string, args ...string) (code, maxrss int, stderr string) {
	t.Helper()
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(self, append([]string{bin}, args...)...)
	cmd.Env = append(os.Environ(), rssProbeEnv+"=1")
	var errb bytes.Buffer
	cmd.Stderr = &errb
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("the memory probe failed: %v\n%s", err, errb.String())
	}
	if _, err := fmt.Sscan(string(out), &code, &maxrss); err != nil {
		t.Fatalf("the memory probe said %q: %v", out, err)
	}
	return code, maxrss, errb.String()
}

// rssProbe runs argv, passes its standard error through, and prints its
// exit code and peak resident memory (KiB); exit 0 unless it cannot run it.
func rssProbe(argv []string) int {
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.Stderr = os.Stderr
	err := cmd.Run()
	var ee *exec.ExitError
	if err != nil && !errors.As(err, &ee) {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage)
	if !ok {
		fmt.Fprintln(os.Stderr, "no rusage on this system")
		return 1
	}
	fmt.Printf("%d %d\n", cmd.ProcessState.ExitCode(), ru.Maxrss)
	return 0
}
