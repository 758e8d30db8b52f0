package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"slices"
	"sync"
	"time"

	"github.com/rbacdrift/rbacdrift/drift/report"
	"github.com/rbacdrift/rbacdrift/internal/check"
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

Flags:
  --db URL         the database, as in check (default $DATABASE_URL, else the
                   libpq environment)
  --targets FILE   watch every database of a YAML list of { name, db,
                   run_as, schemas } instead of --db
  --shard K/N      with --targets, only the K-th of N shards (or
                   index=I,count=N, counted from 0)
  --spec FILE      the model file (default rbacdrift.yaml)
  --listen ADDR    the address to serve on (default 127.0.0.1:9187; :9187
                   for every interface, as in a container)
  --interval DUR   from the end of one check of a target to the start of the
                   next, give or take 10% (default 5m)
  --timeout DUR    bound on each check (default 30s)
  --parallel N     checks at once, over all targets (default 4)
  --fail-on LEVEL  the least severity that makes /readyz fail: error,
                   warning or never (default error)
  --run-as ROLE    dry-run the model's queries as ROLE
  --no-queries     skip the dry run of the model's queries
  --schemas GLOB[,GLOB]
                   tenant schemas, as in check
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
	fs := newFlagSet("serve")
	fs.StringVar(&f.db, "db", "", "")
	fs.StringVar(&f.targets, "targets", "", "")
	fs.StringVar(&f.shard, "shard", "", "")
	fs.StringVar(&f.spec, "spec", "rbacdrift.yaml", "")
	fs.StringVar(&f.listen, "listen", "127.0.0.1:9187", "")
	fs.DurationVar(&f.interval, "interval", 5*time.Minute, "")
	fs.DurationVar(&f.timeout, "timeout", 30*time.Second, "")
	fs.IntVar(&f.parallel, "parallel", 4, "")
	fs.StringVar(&f.failOn, "fail-on", string(report.FailOnError), "")
	f.queries.register(fs)
	fs.StringVar(&f.schemas, "schemas", "", "")
	if code := parseFlags(fs, args, serveUsage, stdout, stderr); code >= 0 {
		return code
	}
	var shard check.Shard
	switch {
	case f.targets != "" && f.db != "":
		errorf(stderr, "serve", "--db and --targets are given together", "--targets names every database to watch; leave --db out")
		return exitUsage
	case f.shard != "" && f.targets == "":
		errorf(stderr, "serve", "--shard goes with --targets")
		return exitUsage
	case f.interval <= 0 || f.timeout <= 0:
		errorf(stderr, "serve", "--interval and --timeout must be positive")
		return exitUsage
	case f.parallel < 1:
		errorf(stderr, "serve", fmt.Sprintf("--parallel must be at least 1, got %d", f.parallel))
		return exitUsage
	case !slices.Contains([]report.FailLevel{report.FailOnError, report.FailOnWarning, report.FailNever}, report.FailLevel(f.failOn)):
		errorf(stderr, "serve", fmt.Sprintf("unknown --fail-on level %q", f.failOn), "--fail-on takes error, warning or never")
		return exitUsage
	case f.shard != "":
		var err error
		if shard, err = parseShard(f.shard); err != nil {
			errorf(stderr, "serve", "--shard: "+err.Error())
			return exitUsage
		}
	}
	model, err := spec.Load(f.spec)
	if err != nil {
		return modelError(stderr, "serve", f.spec, err)
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

	opts := check.FleetOptions{Parallel: 1, Session: pgsession.Options{Timeout: f.timeout},
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
		rep := newReport(specFile, targetInfo(r.Conn, r.Result.Catalog.Server, r.Result.Path), model, r.Result)
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
