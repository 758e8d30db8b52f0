package check

import (
	"context"
	"fmt"
	"hash/fnv"
	"strconv"
	"strings"
	"sync"
	"time"

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
	Check    CheckOptions // for every target; a target's run_as replaces RunAs
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
// reached is its own failure; the others are checked all the same. Each
// target gets the whole timeout of opts.Session for itself.
func CheckFleet(ctx context.Context, m *spec.Model, targets []*spec.Target, opts FleetOptions) []*FleetResult {
	par := opts.Parallel
	if par <= 0 {
		par = 4
	}
	out := make([]*FleetResult, len(targets))
	sem := make(chan struct{}, par)
	var wg sync.WaitGroup
	for i, t := range targets {
		wg.Go(func() {
			sem <- struct{}{}
			defer func() { <-sem }()
			out[i] = checkTarget(ctx, m, t, opts)
		})
	}
	wg.Wait()
	return out
}

func checkTarget(ctx context.Context, m *spec.Model, t *spec.Target, opts FleetOptions) *FleetResult {
	r := &FleetResult{Target: t}
	conn, err := pgsession.ParseTarget(t.DB)
	if err != nil {
		r.Failure = &Failure{Kind: FailConnect, Message: err.Error()}
		return r
	}
	r.Conn = conn
	timeout := opts.Session.Timeout
	if timeout <= 0 {
		timeout = 30 * time.Second
	}
	tctx, cancel := context.WithTimeout(ctx, timeout+2*time.Second)
	defer cancel()
	s, err := pgsession.Open(tctx, conn, opts.Session)
	if err != nil {
		f := Explain(tctx, conn, "check", err)
		r.Failure = &f
		return r
	}
	defer s.Close(context.WithoutCancel(tctx))
	co := opts.Check
	if t.RunAs != "" {
		co.RunAs = t.RunAs
	}
	if len(t.Schemas) > 0 {
		co.Schemas = t.Schemas
	}
	res, err := Check(tctx, s, m, co)
	if err != nil {
		f := Explain(tctx, conn, "check", err)
		r.Failure = &f
		return r
	}
	r.Result = res
	return r
}
