package dryrun

import (
	"context"

	"github.com/rbacdrift/rbacdrift/drift"
	"github.com/rbacdrift/rbacdrift/internal/pgsession"
)

// RunSequential is [Run] with each statement of a query's transaction in a
// round trip of its own, as the dry run did before it was pipelined.
func RunSequential(ctx context.Context, conn *pgsession.Session, in Input) ([]*drift.Finding, error) {
	return run(ctx, conn, in, true)
}
