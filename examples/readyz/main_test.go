package main

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/rbacdrift/rbacdrift/internal/testutil/pgtest"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

// start runs the probe against url and returns its base URL; it stops when
// the test ends.
func start(t *testing.T, url string, every time.Duration) string {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	ready := make(chan string, 1)
	done := make(chan int, 1)
	var stderr strings.Builder
	go func() {
		done <- run(ctx, []string{"--db", url, "--spec", "../../testdata/reference/normalised.yaml",
			"--addr", "127.0.0.1:0", "--every", every.String()}, &stderr, ready)
	}()
	t.Cleanup(func() {
		cancel()
		if code := <-done; code != 0 {
			t.Errorf("readyz exited %d: %s", code, stderr.String())
		}
	})
	select {
	case addr := <-ready:
		return "http://" + addr
	case code := <-done:
		t.Fatalf("readyz exited %d: %s", code, stderr.String())
	}
	return ""
}

// get waits until path answers want with a body that holds every one of
// holds (or the deadline), and returns the body.
func get(t *testing.T, base, path string, want int, holds ...string) string {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		resp, err := http.Get(base + path)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode == want && containsAll(string(body), holds) {
			return string(body)
		}
		if time.Now().After(deadline) {
			t.Fatalf("GET %s: %d, want %d:\n%s", path, resp.StatusCode, want, body)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func containsAll(s string, parts []string) bool {
	for _, p := range parts {
		if !strings.Contains(s, p) {
			return false
		}
	}
	return true
}

func TestReadyz(t *testing.T) {
	t.Parallel()
	t.Run("clean, then a migration is rolled back by hand", func(t *testing.T) {
		t.Parallel()
		db := pgtest.NewDB(t)
		db.ExecFile(t, "../../testdata/reference/normalised.sql")
		base := start(t, db.URL, 100*time.Millisecond)
		get(t, base, "/healthz", http.StatusOK)
		var st status
		if err := json.Unmarshal([]byte(get(t, base, "/readyz", http.StatusOK)), &st); err != nil || !st.Ready || len(st.Findings) != 0 {
			t.Fatalf("a clean database is not ready: %+v (%v)", st, err)
		}
		db.Exec(t, "ALTER TABLE role_permissions DROP COLUMN scope CASCADE")
		// The next re-check sees it: 503, with the finding that names it.
		body := get(t, base, "/readyz", http.StatusServiceUnavailable, `"code": "missing-column"`, "public.role_permissions.scope")
		if err := json.Unmarshal([]byte(body), &st); err != nil || st.Ready || st.Error != "" {
			t.Fatalf("after the drop: %s (%v)", body, err)
		}
		get(t, base, "/healthz", http.StatusOK)
	})
	t.Run("the legacy database is never ready", func(t *testing.T) {
		t.Parallel()
		db := pgtest.NewDB(t)
		db.ExecFile(t, "../../testdata/reference/legacy.sql")
		base := start(t, db.URL, time.Minute)
		get(t, base, "/readyz", http.StatusServiceUnavailable, `"code": "query-error"`, `"sqlstate": "42703"`)
	})
	t.Run("no database: not ready, with the reason", func(t *testing.T) {
		t.Parallel()
		base := start(t, "postgres://nobody@127.0.0.1:1/none?sslmode=disable&connect_timeout=1", time.Minute)
		get(t, base, "/readyz", http.StatusServiceUnavailable, `"error": "failed to connect`)
		get(t, base, "/healthz", http.StatusOK)
	})
}
