package main

import (
	"context"
	"flag"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/rbacdrift/rbacdrift/drift"
	"github.com/rbacdrift/rbacdrift/drift/dryrun"
	"github.com/rbacdrift/rbacdrift/spec"
)

// queryFlags are the flags of check that shape the dry run of the model's queries.
type queryFlags struct {
	runAs string
	skip  bool
}

func (q *queryFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&q.runAs, "run-as", "", "")
	fs.BoolVar(&q.skip, "no-queries", false, "")
}

// run dry-runs the model's queries after the catalog check and returns all
// findings, sorted, with the number of queries dry-run.
func (q queryFlags) run(ctx context.Context, db *pgx.Conn, model *spec.Model, res *drift.Result, timeout time.Duration) ([]*drift.Finding, int, error) {
	if q.skip || len(model.Queries) == 0 {
		return res.Findings, 0, nil
	}
	qf, err := dryrun.Run(ctx, db, dryrun.Input{Model: model, Catalog: res.Catalog, Types: res.Types, RunAs: q.runAs, Timeout: timeout})
	if err != nil {
		return nil, 0, err
	}
	all := append(append([]*drift.Finding(nil), res.Findings...), qf...)
	drift.Sort(all)
	return all, len(model.Queries), nil
}
