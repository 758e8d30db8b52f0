package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"slices"

	"github.com/rbacdrift/rbacdrift/drift/report"
	"github.com/rbacdrift/rbacdrift/internal/check"
	"github.com/rbacdrift/rbacdrift/internal/pgsession"
	"github.com/rbacdrift/rbacdrift/spec"
)

// runFleet checks every target of --targets (of --shard) against model and
// writes one report for all. The exit code is the worst target's: 3 when
// one could not be checked, else 1 when one has drift, else 0.
func (f *checkFlags) runFleet(ctx context.Context, model *spec.Model, opts check.CheckOptions, stdout, stderr io.Writer) int {
	targets, err := spec.LoadTargets(f.targets)
	var errs spec.Errors
	if errors.As(err, &errs) {
		for _, e := range errs {
			fmt.Fprintf(stderr, "%s\n", e)
		}
		fmt.Fprintf(stderr, "hint: --targets names a YAML list of { name, db, run_as, schemas }; the README's \"Tenants and fleets\" shows one\n")
		fmt.Fprintf(stderr, "rbacdrift check: %s: %s\n", f.targets, plural(len(errs), "problem"))
		return exitUsage
	}
	if err != nil {
		errorf(stderr, "check", err.Error())
		return exitUsage
	}
	shard, _ := parseShard(f.shard)
	if f.shard == "" {
		shard = check.Shard{}
	}
	targets = slices.DeleteFunc(targets, func(t *spec.Target) bool { return !shard.Has(t.Name) })
	var passwords []string
	for _, t := range targets {
		if c, err := pgsession.ParseTarget(t.DB); err == nil {
			passwords = append(passwords, c.Password())
		}
	}
	color := isTerminal(stdout)
	stdout = scrubWriter(stdout, passwords...)
	stderr = scrubWriter(stderr, passwords...)
	if len(targets) == 0 {
		fmt.Fprintf(stderr, "rbacdrift check: note: shard %s of %s holds no target\n", f.shard, f.targets)
	}

	results := check.CheckFleet(ctx, model, targets, check.FleetOptions{Check: opts,
		Session: sessionOptions(f.timeout), Parallel: f.parallel})
	code := exitOK
	for _, r := range results {
		switch {
		case r.Failure != nil && r.Failure.Kind == check.FailInterrupted:
			errorf(stderr, "check", "interrupted")
			return exitInterrupted
		case r.Failure != nil && r.Failure.Kind == check.FailNotChecked:
			errorf(stderr, "check", r.Target.Name+": "+r.Failure.Message,
				"--timeout bounds the whole run, every target included; raise it, raise --parallel, or split the fleet with --shard")
			code = exitConnect
		case r.Failure != nil:
			msg, hints := explain(*r.Failure)
			errorf(stderr, "check", r.Target.Name+": "+msg, hints...)
			code = exitConnect
		default:
			sessionNote(stderr, "check "+r.Target.Name, r.Result.Path, f.verbose)
		}
	}
	fleet := check.FleetReport(f.spec, report.FailLevel(f.out.failOn), results)
	if code == exitOK && fleet.Failed() {
		code = exitDrift
	}
	draw := func(w io.Writer, format string, color bool) error { return renderFleet(w, format, fleet, color) }
	summary := func(w io.Writer) error { return report.FleetMarkdown(w, fleet) }
	if c := f.out.emit(draw, summary, stdout, stderr, color, passwords); c >= 0 {
		return c
	}
	return code
}

// renderFleet writes the fleet report in format.
func renderFleet(w io.Writer, format string, f *report.Fleet, color bool) error {
	switch format {
	case "json":
		return report.FleetJSON(w, f)
	case "junit":
		return report.FleetJUnit(w, f)
	case "sarif":
		return report.FleetSARIF(w, f)
	case "github":
		return report.FleetGitHub(w, f)
	case "markdown":
		return report.FleetMarkdown(w, f)
	}
	return report.FleetText(w, f, report.TextOptions{Color: color})
}
