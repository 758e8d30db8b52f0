package main

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/rbacdrift/rbacdrift/internal/check"
)

// parseShard reads --shard in the forms the engines that run a fleet's
// workers hand them:
//
//	K/N                    the K-th of N, counted from 1 (a GitHub Actions
//	                       matrix of 1..N: --shard ${{ matrix.shard }}/4)
//	index=I,count=N        the I-th of N, counted from 0: a Kubernetes
//	                       Indexed Job's JOB_COMPLETION_INDEX, or GitHub's
//	                       strategy.job-index and strategy.job-total
//
// Both name the same shards: index=0,count=4 is 1/4.
func parseShard(s string) (check.Shard, error) {
	if !strings.Contains(s, "=") {
		sh, err := check.ParseShard(s)
		if err != nil {
			return sh, fmt.Errorf("%w; or index=I,count=N counted from 0", err)
		}
		return sh, nil
	}
	var index, count = -1, -1
	for part := range strings.SplitSeq(s, ",") {
		k, v, _ := strings.Cut(strings.TrimSpace(part), "=")
		n, err := strconv.Atoi(strings.TrimSpace(v))
		if err != nil {
			return check.Shard{}, fmt.Errorf("%s=%q is not a whole number; want index=I,count=N with 0 <= I < N, such as index=0,count=4", k, v)
		}
		switch k {
		case "index":
			index = n
		case "count":
			count = n
		default:
			return check.Shard{}, fmt.Errorf("unknown part %q; want index=I,count=N with 0 <= I < N, such as index=0,count=4", k)
		}
	}
	if index < 0 || count < 1 || index >= count {
		return check.Shard{}, fmt.Errorf("want index=I,count=N with 0 <= I < N, such as index=0,count=4, got %q", s)
	}
	return check.Shard{K: index + 1, N: count}, nil
}
