package main

import "flag"

// queryFlags are the flags of check that shape the dry run of the model's queries.
type queryFlags struct {
	runAs string
	skip  bool
}

func (q *queryFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&q.runAs, "run-as", "", "")
	fs.BoolVar(&q.skip, "no-queries", false, "")
}
