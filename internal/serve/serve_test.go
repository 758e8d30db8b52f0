package serve

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/rbacdrift/rbacdrift/drift"
)

// TestOneCheckOfATargetAtATime: checks slower than the interval never
// overlap for one target, while the targets are checked side by side.
func TestOneCheckOfATargetAtATime(t *testing.T) {
	var mu sync.Mutex
	running := map[string]int{}
	var overlap, together, maxTogether atomic.Int64
	check := func(ctx context.Context, name string) Result {
		mu.Lock()
		running[name]++
		if running[name] > 1 {
			overlap.Add(1)
		}
		mu.Unlock()
		n := together.Add(1)
		for {
			m := maxTogether.Load()
			if n <= m || maxTogether.CompareAndSwap(m, n) {
				break
			}
		}
		select {
		case <-time.After(5 * time.Millisecond):
		case <-ctx.Done():
		}
		together.Add(-1)
		mu.Lock()
		running[name]--
		mu.Unlock()
		return Result{}
	}
	m := New(Options{Targets: []string{"a", "b", "c"}, Check: check, Interval: time.Microsecond, Parallel: 2})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { m.Run(ctx); close(done) }()
	for m.Runs() < 60 {
		time.Sleep(time.Millisecond)
	}
	cancel()
	<-done
	if overlap.Load() != 0 {
		t.Errorf("%d checks started while another of the same target ran", overlap.Load())
	}
	if got := maxTogether.Load(); got != 2 {
		t.Errorf("at most %d checks ran at once, want Parallel (2)", got)
	}
}

func TestDelays(t *testing.T) {
	m := New(Options{Interval: time.Minute, Jitter: 0.1})
	for range 1000 {
		if d := m.nextDelay(); d < 54*time.Second || d > 66*time.Second {
			t.Fatalf("nextDelay() = %s, want 1m ± 10%%", d)
		}
		if d := m.firstDelay(); d < 0 || d > maxFirstDelay {
			t.Fatalf("firstDelay() = %s, want within [0, %s]", d, maxFirstDelay)
		}
	}
	if d := New(Options{Interval: time.Minute, Jitter: -1}).nextDelay(); d != time.Minute {
		t.Errorf("without jitter nextDelay() = %s, want 1m", d)
	}
}

// TestRecord: the findings series follow the latest check, a code that is
// gone is deleted, a waived finding is not counted, and /readyz follows.
func TestRecord(t *testing.T) {
	m := New(Options{Targets: []string{"db"}})
	h := m.Handler()
	serveGet := func(path string) (int, string) {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest("GET", path, nil))
		return rec.Code, rec.Body.String()
	}
	if code, body := serveGet("/readyz"); code != 503 || !strings.Contains(body, "not checked yet") {
		t.Errorf("/readyz before a check = %d %s, want 503, not checked yet", code, body)
	}
	missing := &drift.Finding{Code: "missing-column", Severity: drift.Error, Object: "public.t.c"}
	waived := &drift.Finding{Code: "missing-index", Severity: drift.Warning, Suppressed: &drift.Suppression{Reason: "later"}}
	m.record("db", Result{Findings: []*drift.Finding{missing, missing, waived}, Failing: []*drift.Finding{missing, missing}}, time.Second)
	_, metrics := serveGet("/metrics")
	if !strings.Contains(metrics, `rbacdrift_findings{code="missing-column",severity="error",target="db"} 2`) || strings.Contains(metrics, "missing-index") {
		t.Errorf("/metrics after a drifted check:\n%s", metrics)
	}
	if code, body := serveGet("/readyz"); code != 503 || !strings.Contains(body, `"code": "missing-column"`) {
		t.Errorf("/readyz while drifted = %d %s", code, body)
	}
	m.record("db", Result{Err: errors.New("connection refused")}, time.Second)
	_, metrics = serveGet("/metrics")
	if strings.Contains(metrics, "missing-column") || !strings.Contains(metrics, `rbacdrift_check_success{target="db"} 0`) {
		t.Errorf("/metrics after a failed check:\n%s", metrics)
	}
	if code, body := serveGet("/readyz"); code != 503 || !strings.Contains(body, "connection refused") {
		t.Errorf("/readyz after a failed check = %d %s", code, body)
	}
	m.record("db", Result{}, time.Second)
	if code, body := serveGet("/readyz"); code != http.StatusOK || !strings.Contains(body, `"ready": true`) {
		t.Errorf("/readyz after a clean check = %d %s", code, body)
	}
	if m.Runs() != 3 {
		t.Errorf("Runs() = %d, want 3", m.Runs())
	}
}
