// Command gen prints the synthetic catalog of rbacdrift's benchmarks: the
// SQL that builds it, or the model file that declares it.
//
//	go run ./bench/gen -tables 10000 -schemas 10 sql | psql -q -v ON_ERROR_STOP=1 -d DB
//	go run ./bench/gen -tables 1000 -schemas 10 model > model.yaml
//
// The bench runner (bench/run) uses the same package, bench/synth.
package main

import (
	"flag"
	"fmt"
	"os"

	"github.com/rbacdrift/rbacdrift/bench/synth"
)

func main() {
	fs := flag.NewFlagSet("gen", flag.ContinueOnError)
	tables := fs.Int("tables", 10000, "number of tables")
	schemas := fs.Int("schemas", 10, "number of schemas")
	batch := fs.Int("batch", 250, "tables per transaction (sql)")
	if err := fs.Parse(os.Args[1:]); err != nil {
		os.Exit(2)
	}
	if fs.NArg() != 1 || *tables < 1 || *schemas < 1 || *batch < 1 {
		fmt.Fprintln(os.Stderr, "usage: gen [-tables N] [-schemas N] [-batch N] sql|model")
		os.Exit(2)
	}
	cfg := synth.Config{Schemas: *schemas, Tables: *tables}
	var err error
	switch fs.Arg(0) {
	case "sql":
		err = synth.WriteSQL(os.Stdout, cfg, *batch)
	case "model":
		err = synth.WriteModel(os.Stdout, cfg)
	default:
		fmt.Fprintf(os.Stderr, "gen: unknown output %q; want sql or model\n", fs.Arg(0))
		os.Exit(2)
	}
	if err != nil {
		fmt.Fprintf(os.Stderr, "gen: %v\n", err)
		os.Exit(1)
	}
}
