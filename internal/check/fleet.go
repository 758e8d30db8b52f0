package check

import (
	"context"
	"errors"
	"fmt"
	"hash/fnv"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/rbacdrift/rbacdrift/drift/report"
	"github.com/rbacdrift/rbacdrift/internal/pgsession"
	"github.com/rbacdrift/rbacdrift/spec"
)

// A Shard is the part K of N (1 <= K <= N) of a fleet that one CI job
// checks; the zero value is the whole fleet.
type Shard struct{ K, N int }

// ParseShard reads K/N.
func ParseShard(s string) (Shard, error) {
	k, n, ok := strings.Cut(s, "/")
	ki, err1 := strconv.Atoi(k)
	ni, err2 := strconv.Atoi(n)
	if !ok || err1 != nil || err2 != nil || ni < 1 || ki < 1 || ki > ni {
		return Shard{}, fmt.Errorf("want K/N with 1 <= K <= N, such as 1/4, got %q", s)
	}
	return Shard{K: ki, N: ni}, nil
}

// Has reports whether the target called name belongs to the shard. The
// assignment depends on the name alone (FNV-1a of it, modulo N), so it is
// stable when targets are added or reordered, and the N shards partition
// any list.
func (s Shard) Has(name string) bool {
	if s.N <= 1 {
		return true
	}
	h := fnv.New32a()
	h.Write([]byte(name))
	return int(h.Sum32()%uint32(s.N)) == s.K-1
}

// FleetOptions shape [CheckFleet].
type FleetOptions struct {
	Check CheckOptions // for every target; a target's run_as replaces RunAs
	// Session shapes every target's session; its Timeout (30s when zero)
	// also bounds the whole run, plus [Grace].
	Session  pgsession.Options
	Parallel int // connections at once; 4 when zero
}

// A FleetResult is what checking one target gave: its result, or why it
// could not be checked.
type FleetResult struct {
	Target  *spec.Target
	Conn    *pgsession.Target // nil when the connection string did not parse
	Result  *CheckResult
	Failure *Failure // set when the target could not be checked
}

// CheckFleet checks every target against m, opts.Parallel at a time, and
// returns the results in the targets' order. A target that cannot be
// reached is its own failure; the others are checked all the same.
//
// The run as a whole ends within the session's timeout plus [Grace], as a
// check of one database does: a target still being checked then fails
// with [FailDeadline], and a target whose turn had not come fails with
// [FailNotChecked].
func CheckFleet(ctx context.Context, m *spec.Model, targets []*spec.Target, opts FleetOptions) []*FleetResult {
	par := opts.Parallel
	if par <= 0 {
		par = 4
	}
	timeout := opts.Session.Timeout
	if timeout <= 0 {
		timeout = 30 * time.Second
	}
	runCtx, cancel := context.WithTimeout(ctx, timeout+Grace)
	defer cancel()
	// Targets take their turns in the list's order, par at a time.
	out := make([]*FleetResult, len(targets))
	next := make(chan int)
	var wg sync.WaitGroup
	for range min(par, len(targets)) {
		wg.Go(func() {
			for i := range next {
				if runCtx.Err() != nil {
					out[i] = notChecked(runCtx, targets[i])
					continue
				}
				out[i] = checkTarget(runCtx, m, targets[i], opts)
			}
		})
	}
	for i := range targets {
		next <- i
	}
	close(next)
	wg.Wait()
	return out
}

// notChecked is the result of a target whose turn did not come before the
// run ended: interrupted, or out of time.
func notChecked(ctx context.Context, t *spec.Target) *FleetResult {
	r := &FleetResult{Target: t}
	r.Conn, _ = pgsession.ParseTarget(t.DB)
	if errors.Is(context.Cause(ctx), context.Canceled) {
		r.Failure = &Failure{Kind: FailInterrupted, Message: "interrupted"}
		return r
	}
	r.Failure = &Failure{Kind: FailNotChecked, Message: "not checked: the run's time bound ended before its turn came"}
	return r
}

func checkTarget(ctx context.Context, m *spec.Model, t *spec.Target, opts FleetOptions) *FleetResult {
	r := &FleetResult{Target: t}
	conn, err := pgsession.ParseTarget(t.DB)
	if err != nil {
		r.Failure = &Failure{Kind: FailConnect, Message: err.Error()}
		return r
	}
	r.Conn = conn
	s, err := pgsession.Open(ctx, conn, opts.Session)
	if err != nil {
		f := Explain(ctx, conn, "check", err)
		r.Failure = &f
		return r
	}
	defer s.Close(context.WithoutCancel(ctx))
	co := opts.Check
	if t.RunAs != "" {
		co.RunAs = t.RunAs
	}
	if len(t.Schemas) > 0 {
		co.Schemas = t.Schemas
	}
	res, err := Check(ctx, s, m, co)
	if err != nil {
		f := Explain(ctx, conn, "check", err)
		r.Failure = &f
		return r
	}
	r.Result = res
	return r
}

// FleetReport returns the report of a fleet, for the model file modelFile
// at the fail level failOn: each checked target's [CheckResult.Report], and
// each failure as a target that could not be checked.
func FleetReport(modelFile string, failOn report.FailLevel, results []*FleetResult) *report.Fleet {
	fts := make([]*report.FleetTarget, 0, len(results))
	for _, r := range results {
		if r.Failure != nil {
			var t report.Target
			if r.Conn != nil {
				t = report.Target{Host: r.Conn.Config.Host, Port: int(r.Conn.Config.Port), Database: r.Conn.Config.Database, User: r.Conn.Config.User}
			}
			fts = append(fts, report.UnreachableTarget(r.Target.Name, t, r.Failure.Message))
			continue
		}
		rep := r.Result.Report(modelFile)
		rep.FailOn = failOn
		fts = append(fts, report.CheckedTarget(r.Target.Name, rep))
	}
	return report.NewFleet(modelFile, failOn, fts)
}
