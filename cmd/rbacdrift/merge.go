package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/rbacdrift/rbacdrift/drift/report"
	"github.com/rbacdrift/rbacdrift/internal/safefile"
)

const mergeUsage = `Usage: rbacdrift merge [--format FORMAT] [--report FORMAT=FILE] [--fail-on LEVEL] FILE...

Joins JSON reports (check --format json, or --report json=FILE) into one
fleet report: the shards of a fleet checked by many CI jobs or pods, or the
reports of single databases. A FILE that is a directory stands for every
*.json file in it. A one-database report is named host:port/database in the
joined report. The same target in two reports is an error (exit 2): each
shard checks its own targets. The exit code is the worst target's: 3 when
one could not be checked, else 1 when one has a finding that fails the run
at --fail-on, else 0. Flags come before the files.

`

func runMerge(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	var out outputFlags
	c := mergeCommand(&out)
	if code := c.parse(args, stdout, stderr); code >= 0 {
		return code
	}
	if len(c.rest) == 0 {
		errorf(stderr, "merge", "no report given", "rbacdrift merge shard-1.json shard-2.json ..., or a directory of them")
		return exitUsage
	}
	files, err := reportFilesOf(c.rest)
	if err != nil {
		errorf(stderr, "merge", err.Error())
		return exitUsage
	}
	inputs := map[string]string{}
	for _, file := range files {
		inputs[file] = "the report"
	}
	if code := out.guard("merge", stderr, inputs); code >= 0 {
		return code
	}
	// A merge that ends without a report leaves none of an earlier run's.
	fail := func(code int) int {
		out.clearStale("merge", stderr)
		return code
	}
	var targets []*report.FleetTarget
	var models []string
	from := map[string]string{} // target name -> file
	for _, file := range files {
		if ctx.Err() != nil {
			errorf(stderr, "merge", "interrupted")
			return fail(exitInterrupted)
		}
		d, err := decodeReportFile(file)
		if err != nil {
			errorf(stderr, "merge", file+": "+err.Error(), "merge reads the JSON reports of check: --format json, or --report json=FILE")
			return fail(exitUsage)
		}
		if !slices.Contains(models, d.Model) {
			models = append(models, d.Model)
		}
		for _, t := range d.Targets {
			if t.Name == "" {
				t = t.Named(fmt.Sprintf("%s:%d/%s", t.Target.Host, t.Target.Port, t.Target.Database))
			}
			if prev, ok := from[t.Name]; ok {
				errorf(stderr, "merge", fmt.Sprintf("target %s is in both %s and %s", t.Name, prev, file),
					"each shard checks its own targets: is one report given twice, or two jobs given the same --shard?")
				return fail(exitUsage)
			}
			from[t.Name] = file
			t.SetFailOn(report.FailLevel(out.failOn))
			targets = append(targets, t)
		}
	}
	fleet := report.NewFleet(strings.Join(models, ", "), report.FailLevel(out.failOn), targets)
	draw := func(w io.Writer, format string, color bool) error { return renderFleet(w, format, fleet, color) }
	summary := func(w io.Writer) error { return report.FleetMarkdown(w, fleet) }
	if code := out.emit(draw, summary, stdout, stderr, isTerminal(stdout), nil); code >= 0 {
		return code
	}
	switch {
	case fleet.Summary.Unreachable > 0:
		return exitConnect
	case fleet.Summary.Failed > 0:
		return exitDrift
	}
	return exitOK
}

// reportFilesOf expands the arguments of merge: a directory stands for its
// *.json files, in name order.
func reportFilesOf(args []string) ([]string, error) {
	var files []string
	for _, a := range args {
		st, err := os.Stat(a)
		if err != nil {
			return nil, err
		}
		if !st.IsDir() {
			files = append(files, a)
			continue
		}
		matches, err := filepath.Glob(filepath.Join(a, "*.json"))
		if err != nil {
			return nil, err
		}
		if len(matches) == 0 {
			return nil, fmt.Errorf("%s holds no *.json report", a)
		}
		files = append(files, matches...) // Glob sorts
	}
	return files, nil
}

// maxReportBytes bounds a report read by merge: a fleet of thousands of
// databases with every finding stays far below it; /dev/zero does not.
const maxReportBytes = 256 << 20

func decodeReportFile(file string) (*report.Decoded, error) {
	data, err := safefile.ReadFile(file, maxReportBytes, "a report")
	if err != nil {
		return nil, err
	}
	return report.DecodeJSON(bytes.NewReader(data))
}
