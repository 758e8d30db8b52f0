package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/rbacdrift/rbacdrift/drift/report"
	"github.com/rbacdrift/rbacdrift/internal/check"
	"github.com/rbacdrift/rbacdrift/internal/pgsession"
	"github.com/rbacdrift/rbacdrift/internal/serve"
	"github.com/rbacdrift/rbacdrift/spec"
)

// syncBuffer is a buffer that serve's goroutines write and the test reads.
type syncBuffer struct {
	mu sync.Mutex
	b  strings.Builder
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// startServe runs rbacdrift serve in-process and returns its base URL, and
// a stop that sends it the equivalent of SIGTERM and returns its exit code.
func startServe(t *testing.T, args ...string) (base string, stderr *syncBuffer, stop func() int) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	stderr = &syncBuffer{}
	done := make(chan int, 1)
	go func() {
		done <- run(ctx, append([]string{"serve", "--listen", "127.0.0.1:0"}, args...), strings.NewReader(""), io.Discard, stderr)
	}()
	re := regexp.MustCompile(`serving on (http://127\.0\.0\.1:[0-9]+)`)
	deadline := time.Now().Add(20 * time.Second)
	for base == "" {
		if m := re.FindStringSubmatch(stderr.String()); m != nil {
			base = m[1]
			break
		}
		select {
		case code := <-done:
			cancel()
			t.Fatalf("serve exited %d before serving:\n%s", code, stderr)
		case <-time.After(20 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			cancel()
			t.Fatalf("serve did not start:\n%s", stderr)
		}
	}
	stopped := false
	stop = func() int {
		if stopped {
			return exitOK
		}
		stopped = true
		cancel()
		select {
		case code := <-done:
			return code
		case <-time.After(30 * time.Second):
			t.Fatalf("serve did not stop within 30s of its context ending")
			return -1
		}
	}
	t.Cleanup(func() { stop() })
	return base, stderr, stop
}

func get(t *testing.T, url string) (int, string) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, string(b)
}

// TestServe watches a clean database, a drifted one and one that does not
// answer, and reads what serve says of them over HTTP; then stops it as
// SIGTERM would.
func TestServe(t *testing.T) {
	t.Parallel()
	legacy, normalised := referenceDBs(t)
	dir := t.TempDir()
	targets := filepath.Join(dir, "targets.yaml")
	const secret = "serve-s3cret-pw"
	gone := fmt.Sprintf("postgres://nobody:%s@127.0.0.1:1/none?sslmode=disable&connect_timeout=2", secret)
	if err := os.WriteFile(targets, fmt.Appendf(nil, "- {name: clean, db: %q}\n- {name: drifted, db: %q}\n- {name: gone, db: %q}\n",
		normalised.URL, legacy.URL, gone), 0o644); err != nil {
		t.Fatal(err)
	}
	base, stderr, stop := startServe(t, "--targets", targets, "--spec", "../../testdata/reference/normalised.yaml", "--interval", "200ms", "--timeout", "10s")

	if code, body := get(t, base+"/healthz"); code != 200 || body != "ok\n" {
		t.Errorf("/healthz = %d %q, want 200 ok", code, body)
	}
	// Wait until every target has been checked once.
	var metrics string
	for deadline := time.Now().Add(30 * time.Second); ; {
		_, metrics = get(t, base+"/metrics")
		if strings.Count(metrics, "rbacdrift_last_check_timestamp_seconds{") == 3 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("not every target was checked within 30s:\n%s\n%s", metrics, stderr)
		}
		time.Sleep(50 * time.Millisecond)
	}
	for _, want := range []string{
		`rbacdrift_check_success{target="clean"} 1`,
		`rbacdrift_check_success{target="drifted"} 1`,
		`rbacdrift_check_success{target="gone"} 0`,
		`rbacdrift_findings{code="missing-column",severity="error",target="drifted"} 2`,
		`rbacdrift_findings{code="missing-index",severity="warning",target="drifted"} 1`,
		`rbacdrift_check_duration_seconds{target="clean"}`,
		`rbacdrift_build_info{commit=`,
		"# TYPE rbacdrift_findings gauge",
	} {
		if !strings.Contains(metrics, want) {
			t.Errorf("/metrics has no %s", want)
		}
	}
	if strings.Contains(metrics, `target="clean",`) || strings.Contains(metrics, `rbacdrift_findings{code="missing-column",severity="error",target="clean"}`) {
		t.Errorf("/metrics has findings for the clean target")
	}

	code, body := get(t, base+"/readyz")
	if code != http.StatusServiceUnavailable {
		t.Fatalf("/readyz = %d, want 503 while a target drifts:\n%s", code, body)
	}
	var ready serve.Readiness
	if err := json.Unmarshal([]byte(body), &ready); err != nil {
		t.Fatalf("/readyz is not JSON: %v\n%s", err, body)
	}
	names := map[string]serve.TargetStatus{}
	for _, ts := range ready.Targets {
		names[ts.Name] = ts
	}
	if _, ok := names["clean"]; ok || ready.Ready {
		t.Errorf("/readyz lists the clean target, or says ready: %s", body)
	}
	if d := names["drifted"]; len(d.Failing) == 0 || d.Failing[0].Code == "" || d.CheckedAt == nil {
		t.Errorf("/readyz: the drifted target has no failing findings: %s", body)
	}
	if g := names["gone"]; g.Error == "" {
		t.Errorf("/readyz: the unreachable target has no error: %s", body)
	}
	if strings.Contains(body+metrics+stderr.String(), secret) {
		t.Errorf("a password is in the output")
	}
	if !strings.Contains(stderr.String(), "rbacdrift serve: drifted: drift: ") {
		t.Errorf("stderr does not log the drift:\n%s", stderr)
	}
	if code := stop(); code != exitOK {
		t.Errorf("serve exited %d after its context ended, want 0", code)
	}
	if !strings.HasSuffix(stderr.String(), "rbacdrift serve: stopped\n") {
		t.Errorf("stderr does not end with the shutdown:\n%s", stderr)
	}
}

// TestServeReadyWhenClean: /readyz answers 200 once the one database of
// --db has been checked and matches.
func TestServeReadyWhenClean(t *testing.T) {
	t.Parallel()
	_, normalised := referenceDBs(t)
	base, stderr, _ := startServe(t, "--db", normalised.URL, "--spec", "../../testdata/reference/normalised.yaml", "--interval", "1h")
	var code int
	var body string
	for deadline := time.Now().Add(30 * time.Second); ; {
		code, body = get(t, base+"/readyz")
		if code == 200 || !strings.Contains(body, "not checked yet") {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("not checked within 30s:\n%s", stderr)
		}
		time.Sleep(50 * time.Millisecond)
	}
	if code != 200 || !strings.Contains(body, `"ready": true`) {
		t.Errorf("/readyz = %d %s, want 200 ready", code, body)
	}
}

func TestServeUsage(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--db", "x", "--targets", "y"}, "--targets and --db are given together"},
		{[]string{"--shard", "1/2"}, "--shard goes with --targets"},
		{[]string{"--interval", "0s"}, "--interval must be positive"},
		{[]string{"--fail-on", "sometimes"}, `unknown --fail-on "sometimes"`},
		{[]string{"--targets", "t.yaml", "--shard", "index=4,count=4"}, "--shard: want index=I,count=N"},
		{[]string{"--listen"}, "flag needs an argument: --listen"},
	} {
		code, _, stderr := runIn(t, "", append([]string{"serve"}, tc.args...)...)
		if code != exitUsage || !strings.Contains(stderr, tc.want) {
			t.Errorf("serve %q: exit %d, stderr %q; want exit 2 and %q", tc.args, code, stderr, tc.want)
		}
	}
}

// TestServeMemoryBounded runs many checks of a clean and a drifted
// database, as serve does over days, and compares the live heap and the
// goroutines after a warm-up with those at the end: what a check leaves
// behind must not pile up. Bounded growth, not a timing.
func TestServeMemoryBounded(t *testing.T) {
	legacy, normalised := referenceDBs(t)
	model, err := spec.Load("../../testdata/reference/normalised.yaml")
	if err != nil {
		t.Fatal(err)
	}
	byName := map[string]*spec.Target{"clean": {Name: "clean", DB: normalised.URL}, "drifted": {Name: "drifted", DB: legacy.URL}}
	opts := check.FleetOptions{Parallel: 1, Session: pgsession.Options{Timeout: 10 * time.Second}}
	mon := serve.New(serve.Options{Targets: []string{"clean", "drifted"}, Interval: time.Millisecond, Jitter: -1,
		Check: serveCheck("rbacdrift.yaml", model, byName, opts, report.FailOnError)})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { mon.Run(ctx); close(done) }()
	defer func() { cancel(); <-done }()
	h := mon.Handler()

	measure := func(runs int64) (heap uint64, goroutines int) {
		for deadline := time.Now().Add(2 * time.Minute); mon.Runs() < runs; time.Sleep(10 * time.Millisecond) {
			if time.Now().After(deadline) {
				t.Fatalf("only %d checks in 2 minutes, want %d", mon.Runs(), runs)
			}
		}
		// Scrape and probe as Prometheus and the kubelet would.
		for _, path := range []string{"/metrics", "/readyz"} {
			rec := &discardResponse{header: http.Header{}}
			req, _ := http.NewRequest("GET", path, nil)
			h.ServeHTTP(rec, req)
		}
		var ms runtime.MemStats
		runtime.GC()
		runtime.GC()
		runtime.ReadMemStats(&ms)
		return ms.HeapAlloc, runtime.NumGoroutine()
	}
	const warmup, total = 30, 300
	heap0, g0 := measure(warmup)
	heap1, g1 := measure(total)
	t.Logf("after %d checks: heap %d KiB, %d goroutines; after %d: heap %d KiB, %d goroutines", warmup, heap0>>10, g0, mon.Runs(), heap1>>10, g1)
	// A leak of even 10 KiB a check (a connection, a result kept) would
	// add more than 3 MiB over these checks.
	if heap1 > heap0+2<<20 {
		t.Errorf("the heap grew from %d KiB to %d KiB over %d checks", heap0>>10, heap1>>10, total-warmup)
	}
	if g1 > g0+4 {
		t.Errorf("goroutines grew from %d to %d over %d checks", g0, g1, total-warmup)
	}
}

// discardResponse is an http.ResponseWriter that keeps nothing.
type discardResponse struct{ header http.Header }

func (d *discardResponse) Header() http.Header         { return d.header }
func (d *discardResponse) Write(p []byte) (int, error) { return len(p), nil }
func (d *discardResponse) WriteHeader(int)             {}
