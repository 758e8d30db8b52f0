package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net"
	"net/http"
	"slices"
	"sync"
	"time"

	"github.com/rbacdrift/rbacdrift/drift/report"
	"github.com/rbacdrift/rbacdrift/internal/check"
	"github.com/rbacdrift/rbacdrift/internal/derive/replay"
	"github.com/rbacdrift/rbacdrift/internal/derive/source"
	"github.com/rbacdrift/rbacdrift/internal/pgsession"
	"github.com/rbacdrift/rbacdrift/internal/serve"
	"github.com/rbacdrift/rbacdrift/spec"
)

const serveUsage = `Usage: rbacdrift serve [--db URL | --targets FILE] [--spec FILE] [flags]

Checks the database (or every target of --targets) on a schedule, between
deploys, and serves what it last found over HTTP:

  /metrics  Prometheus metrics: rbacdrift_findings{target,code,severity},
            rbacdrift_check_success{target},
            rbacdrift_check_duration_seconds{target},
            rbacdrift_last_check_timestamp_seconds{target},
            rbacdrift_build_info
  /readyz   200 when every target was checked and nothing fails at
            --fail-on; else 503, with the failing findings (or why a target
            could not be checked) as JSON
  /healthz  200 while the process runs

Every check is the read-only check of 'rbacdrift check', bounded by
--timeout; two checks of one target never run at once. A check that fails is
logged on standard error; SIGTERM or Ctrl-C stops serve gracefully (exit 0).

`

type serveFlags struct {
	db, spec, targets, shard, listen string
	interval, timeout                time.Duration
	parallel                         int
	failOn                           string
	queries                          queryFlags
	schemas                          string
}

func runServe(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	var f serveFlags
	c := f.command()
	if code := c.parse(args, stdout, stderr); code >= 0 {
		return code
	}
	var shard check.Shard
	if f.shard != "" {
		shard, _ = parseShard(f.shard)
	}
	// The model as check derives it: a model file's tables_from is the
	// application's code, read once when serve starts.
	model, err := source.LoadModel(ctx, f.spec, source.DeriveOptions{Replay: replay.Options{Introspect: sessionOptions(f.timeout)}})
	var serr spec.Errors
	switch {
	case errors.As(err, &serr) || errors.Is(err, fs.ErrNotExist):
		return modelError(stderr, "serve", f.spec, err)
	case err != nil:
		return deriveError(ctx, stderr, "serve", err)
	}
	targets, code := f.loadTargets(shard, stderr)
	if code >= 0 {
		return code
	}
	var passwords []string
	byName := map[string]*spec.Target{}
	var names []string
	for _, t := range targets {
		if c, err := pgsession.ParseTarget(t.DB); err == nil {
			passwords = append(passwords, c.Password())
		}
		byName[t.Name] = t
		names = append(names, t.Name)
	}
	stderr = &lockedWriter{w: scrubWriter(stderr, passwords...)}

	opts := check.FleetOptions{Parallel: 1, Session: sessionOptions(f.timeout),
		Check: check.CheckOptions{RunAs: f.queries.runAs, SkipQueries: f.queries.skip, Schemas: splitList(f.schemas)}}
	checkOne := serveCheck(f.spec, model, byName, opts, report.FailLevel(f.failOn))
	bi := readBuildInfo()
	mon := serve.New(serve.Options{Targets: names, Check: checkOne, Interval: f.interval, Parallel: f.parallel,
		Build: serve.BuildInfo{Version: bi.Version, Commit: bi.Commit, GoVersion: bi.Go},
		Log:   func(name string, r serve.Result, took time.Duration) { logCheck(stderr, name, r, took) }})

	ln, err := net.Listen("tcp", f.listen)
	if err != nil {
		errorf(stderr, "serve", err.Error(), "--listen takes HOST:PORT, such as 127.0.0.1:9187 or :9187")
		return exitUsage
	}
	srv := &http.Server{Handler: mon.Handler(), ReadHeaderTimeout: 10 * time.Second}
	fmt.Fprintf(stderr, "rbacdrift serve: watching %s every %s; serving on http://%s\n", plural(len(names), "database"), f.interval, ln.Addr())

	var wg sync.WaitGroup
	wg.Go(func() { mon.Run(ctx) })
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	select {
	case <-ctx.Done():
	case err := <-served:
		errorf(stderr, "serve", "serving: "+err.Error())
		return exitUsage
	}
	// Graceful: answer the requests under way, let the checks end with
	// ctx (each rolls its read-only transaction back), then return.
	shutdown, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	defer cancel()
	_ = srv.Shutdown(shutdown)
	wg.Wait()
	fmt.Fprintf(stderr, "rbacdrift serve: stopped\n")
	return exitOK
}

// serveCheck returns the check of one target by name: the check of
// 'rbacdrift check', with the findings that fail it at failOn.
func serveCheck(specFile string, model *spec.Model, byName map[string]*spec.Target, opts check.FleetOptions, failOn report.FailLevel) serve.CheckFunc {
	return func(ctx context.Context, name string) serve.Result {
		r := check.CheckFleet(ctx, model, []*spec.Target{byName[name]}, opts)[0]
		if r.Failure != nil {
			return serve.Result{Err: errors.New(r.Failure.Message)}
		}
		rep := r.Result.Report(specFile)
		out := serve.Result{Findings: rep.Findings}
		for _, fd := range rep.Findings {
			if failOn.Fails(fd) {
				out.Failing = append(out.Failing, fd)
			}
		}
		return out
	}
}

// loadTargets returns the targets to watch: those of --targets in the
// shard, or the one database of --db named by its address.
func (f *serveFlags) loadTargets(shard check.Shard, stderr io.Writer) ([]*spec.Target, int) {
	if f.targets == "" {
		t, err := pgsession.ParseTarget(f.db)
		if err != nil {
			errorf(stderr, "serve", err.Error(), "give --db postgres://user@host:5432/dbname, or set DATABASE_URL")
			return nil, exitConnect
		}
		c := t.Config
		return []*spec.Target{{Name: fmt.Sprintf("%s:%d/%s", c.Host, c.Port, c.Database), DB: f.db}}, -1
	}
	targets, err := spec.LoadTargets(f.targets)
	var errs spec.Errors
	if errors.As(err, &errs) {
		for _, e := range errs {
			fmt.Fprintf(stderr, "%s\n", e)
		}
		fmt.Fprintf(stderr, "rbacdrift serve: %s: %s\n", f.targets, plural(len(errs), "problem"))
		return nil, exitUsage
	}
	if err != nil {
		errorf(stderr, "serve", err.Error())
		return nil, exitUsage
	}
	targets = slices.DeleteFunc(targets, func(t *spec.Target) bool { return !shard.Has(t.Name) })
	if len(targets) == 0 {
		errorf(stderr, "serve", fmt.Sprintf("no target to watch in %s (shard %s)", f.targets, f.shard))
		return nil, exitUsage
	}
	return targets, -1
}

// logCheck tells stderr how a check ended, when it did not end clean.
func logCheck(w io.Writer, name string, r serve.Result, took time.Duration) {
	switch {
	case r.Err != nil:
		fmt.Fprintf(w, "rbacdrift serve: %s: not checked: %v\n", name, r.Err)
	case len(r.Failing) > 0:
		fmt.Fprintf(w, "rbacdrift serve: %s: drift: %s failing (%s)\n", name, plural(len(r.Failing), "finding"), took.Round(time.Millisecond))
	}
}

// lockedWriter serialises the writes of the checks that run at once.
type lockedWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}
