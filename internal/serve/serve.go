package serve

import (
	"context"
	"encoding/json"
	"math/rand/v2"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"github.com/rbacdrift/rbacdrift/drift"
)

// A Result is what one check of one target found.
type Result struct {
	// Findings holds every finding, waived ones included.
	Findings []*drift.Finding
	// Failing holds the findings that fail the check at its fail level.
	Failing []*drift.Finding
	// Err is set when the target could not be checked: no connection, a
	// refused catalog read, the timeout. Its text must hold no password.
	Err error
}

// A CheckFunc checks the target called name once. It must return when ctx
// ends, and bound itself by its own timeout.
type CheckFunc func(ctx context.Context, name string) Result

// BuildInfo is the build of the program, for rbacdrift_build_info.
type BuildInfo struct{ Version, Commit, GoVersion string }

// Options shape a [Monitor].
type Options struct {
	Targets  []string      // the names of the targets, each passed to Check
	Check    CheckFunc     // checks one target
	Interval time.Duration // between the end of a check and the start of the next; 5m when zero
	// Jitter is the fraction of Interval each wait varies by, up or down;
	// the first check of each target waits a random part of it, at most
	// 2s. 0.1 when zero, none when negative.
	Jitter   float64
	Parallel int // checks of all targets at once; 4 when zero
	Build    BuildInfo
	// Log, when set, is told the outcome of every check.
	Log func(name string, r Result, took time.Duration)
}

// A Monitor checks targets on a schedule and serves the latest results.
type Monitor struct {
	opts Options
	reg  *prometheus.Registry
	runs atomic.Int64

	findings  *prometheus.GaugeVec
	success   *prometheus.GaugeVec
	duration  *prometheus.GaugeVec
	timestamp *prometheus.GaugeVec

	mu    sync.Mutex
	state map[string]*targetState
}

type targetState struct {
	checked bool
	at      time.Time
	result  Result
	labels  map[[2]string]bool // the (code, severity) pairs of rbacdrift_findings set now
}

// New returns a monitor; [Monitor.Run] starts its schedule.
func New(opts Options) *Monitor {
	if opts.Interval <= 0 {
		opts.Interval = 5 * time.Minute
	}
	if opts.Jitter == 0 {
		opts.Jitter = 0.1
	}
	if opts.Parallel <= 0 {
		opts.Parallel = 4
	}
	m := &Monitor{opts: opts, reg: prometheus.NewRegistry(), state: map[string]*targetState{}}
	m.findings = prometheus.NewGaugeVec(prometheus.GaugeOpts{Name: "rbacdrift_findings",
		Help: "Findings of the latest check that no waiver accepts, by target, code and severity."},
		[]string{"target", "code", "severity"})
	m.success = prometheus.NewGaugeVec(prometheus.GaugeOpts{Name: "rbacdrift_check_success",
		Help: "1 when the latest check of the target could be done, 0 when it could not (it may still have found drift)."},
		[]string{"target"})
	m.duration = prometheus.NewGaugeVec(prometheus.GaugeOpts{Name: "rbacdrift_check_duration_seconds",
		Help: "How long the latest check of the target took."}, []string{"target"})
	m.timestamp = prometheus.NewGaugeVec(prometheus.GaugeOpts{Name: "rbacdrift_last_check_timestamp_seconds",
		Help: "When the latest check of the target ended, in seconds since the Unix epoch."}, []string{"target"})
	build := prometheus.NewGauge(prometheus.GaugeOpts{Name: "rbacdrift_build_info",
		Help:        "The build of rbacdrift; always 1.",
		ConstLabels: prometheus.Labels{"version": opts.Build.Version, "commit": opts.Build.Commit, "goversion": opts.Build.GoVersion}})
	build.Set(1)
	m.reg.MustRegister(m.findings, m.success, m.duration, m.timestamp, build,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	for _, t := range opts.Targets {
		m.state[t] = &targetState{}
	}
	return m
}

// Runs returns how many checks have ended since the monitor started.
func (m *Monitor) Runs() int64 { return m.runs.Load() }

// Run checks every target on the schedule until ctx ends, then waits for
// the checks under way (which end with ctx) and returns.
func (m *Monitor) Run(ctx context.Context) {
	sem := make(chan struct{}, m.opts.Parallel)
	var wg sync.WaitGroup
	for _, name := range m.opts.Targets {
		wg.Go(func() { m.loop(ctx, name, sem) })
	}
	wg.Wait()
}

// loop checks one target, again and again: the one goroutine per target is
// what keeps two of its checks from overlapping.
func (m *Monitor) loop(ctx context.Context, name string, sem chan struct{}) {
	wait := m.firstDelay()
	timer := time.NewTimer(wait)
	defer timer.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-timer.C:
		}
		select {
		case <-ctx.Done():
			return
		case sem <- struct{}{}:
		}
		start := time.Now()
		r := m.opts.Check(ctx, name)
		took := time.Since(start)
		<-sem
		if ctx.Err() != nil {
			return // a check cut short by the shutdown says nothing of the database
		}
		m.record(name, r, took)
		timer.Reset(m.nextDelay())
	}
}

// maxFirstDelay bounds the delay of a target's first check: the targets of
// a fleet start a little apart, and /readyz has an answer soon after start.
const maxFirstDelay = 2 * time.Second

func (m *Monitor) firstDelay() time.Duration {
	if m.opts.Jitter <= 0 {
		return 0
	}
	return time.Duration(rand.Float64() * min(m.opts.Jitter*float64(m.opts.Interval), float64(maxFirstDelay)))
}

func (m *Monitor) nextDelay() time.Duration {
	iv := float64(m.opts.Interval)
	if m.opts.Jitter <= 0 {
		return m.opts.Interval
	}
	return time.Duration(iv + (2*rand.Float64()-1)*m.opts.Jitter*iv)
}

// record keeps r as the target's latest result and updates its metrics.
func (m *Monitor) record(name string, r Result, took time.Duration) {
	now := time.Now()
	counts := map[[2]string]int{}
	if r.Err == nil {
		for _, f := range r.Findings {
			if f.Suppressed == nil {
				counts[[2]string{string(f.Code), string(f.Severity)}]++
			}
		}
	}
	m.mu.Lock()
	st := m.state[name]
	// Series of codes that are gone are deleted, not left at their last
	// value; the others are set in place, so a scrape never sees a gap.
	for l := range st.labels {
		if _, ok := counts[l]; !ok {
			m.findings.DeleteLabelValues(name, l[0], l[1])
		}
	}
	st.labels = make(map[[2]string]bool, len(counts))
	for l, n := range counts {
		m.findings.WithLabelValues(name, l[0], l[1]).Set(float64(n))
		st.labels[l] = true
	}
	st.checked, st.at, st.result = true, now, r
	m.mu.Unlock()

	ok := 0.0
	if r.Err == nil {
		ok = 1
	}
	m.success.WithLabelValues(name).Set(ok)
	m.duration.WithLabelValues(name).Set(took.Seconds())
	m.timestamp.WithLabelValues(name).Set(float64(now.UnixNano()) / 1e9)
	m.runs.Add(1)
	if m.opts.Log != nil {
		m.opts.Log(name, r, took)
	}
}

// Handler serves /metrics, /readyz and /healthz.
func (m *Monitor) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{}))
	mux.HandleFunc("GET /readyz", m.readyz)
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		_, _ = w.Write([]byte("ok\n"))
	})
	return mux
}

// A Readiness is the body of /readyz: ready, or the targets that are not,
// with their failing findings or why they could not be checked.
type Readiness struct {
	Ready   bool           `json:"ready"`
	Targets []TargetStatus `json:"targets"`
}

// A TargetStatus is one target that is not ready.
type TargetStatus struct {
	Name      string           `json:"name"`
	CheckedAt *time.Time       `json:"checked_at,omitempty"`
	Error     string           `json:"error,omitempty"`
	Failing   []*drift.Finding `json:"failing,omitempty"`
}

// Readiness says whether every target was checked and found clean.
func (m *Monitor) Readiness() Readiness {
	out := Readiness{Ready: true, Targets: []TargetStatus{}}
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, name := range m.opts.Targets {
		st := m.state[name]
		ts := TargetStatus{Name: name}
		switch {
		case !st.checked:
			ts.Error = "not checked yet"
		case st.result.Err != nil:
			ts.Error = st.result.Err.Error()
		case len(st.result.Failing) > 0:
			ts.Failing = st.result.Failing
		default:
			continue
		}
		if st.checked {
			at := st.at.UTC()
			ts.CheckedAt = &at
		}
		out.Ready = false
		out.Targets = append(out.Targets, ts)
	}
	return out
}

func (m *Monitor) readyz(w http.ResponseWriter, _ *http.Request) {
	r := m.Readiness()
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	if !r.Ready {
		w.WriteHeader(http.StatusServiceUnavailable)
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	_ = enc.Encode(r)
}
