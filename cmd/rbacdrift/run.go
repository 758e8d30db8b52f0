package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/rbacdrift/rbacdrift/internal/check"
	"github.com/rbacdrift/rbacdrift/spec"
)

// Exit codes. They are part of the interface: CI gates depend on them.
const (
	exitOK          = 0   // no error-level finding
	exitDrift       = 1   // drift found
	exitUsage       = 2   // usage or model-file error
	exitConnect     = 3   // cannot connect, or the database refused a catalog query
	exitInterrupted = 130 // interrupted (Ctrl-C)
)

const usage = `rbacdrift checks a live PostgreSQL database against the RBAC model your
application expects, and dry-runs its permission queries. It never writes.

Usage:
  rbacdrift check [flags]       compare the database with the model
  rbacdrift snapshot [flags]    write a model of a working database
  rbacdrift validate FILE...    check model files offline, without a database
  rbacdrift harvest [flags]     write the queries the application sends to a file
  rbacdrift serve [flags]       check on a schedule; serve /metrics and /readyz
  rbacdrift merge FILE...       join the JSON reports of shards into one
  rbacdrift version             print the version
  rbacdrift help [command]      show help

Run 'rbacdrift help COMMAND' for the flags of a command.

Exit codes:
  0  no error-level finding
  1  drift found
  2  usage or model-file error
  3  cannot connect, or the database refused a catalog query
  130 interrupted
`

// run is the whole program, in-process testable: main only wires it to the OS.
func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return exitUsage
	}
	switch cmd, rest := args[0], args[1:]; cmd {
	case "check":
		return runCheck(ctx, rest, stdout, stderr)
	case "snapshot":
		return runSnapshot(ctx, rest, stdout, stderr)
	case "validate":
		return runValidate(ctx, rest, stdout, stderr)
	case "harvest":
		return runHarvest(ctx, rest, stdout, stderr)
	case "serve":
		return runServe(ctx, rest, stdout, stderr)
	case "merge":
		return runMerge(ctx, rest, stdout, stderr)
	case "version", "--version", "-version":
		printVersion(stdout)
		return exitOK
	case "help", "-h", "-help", "--help":
		return runHelp(rest, stdout, stderr)
	default:
		fmt.Fprintf(stderr, "rbacdrift: unknown command %q\n", cmd)
		fmt.Fprintf(stderr, "hint: run 'rbacdrift help' for the commands\n")
		return exitUsage
	}
}

// helpOf returns the help of each command, from its table of flags.
func helpOf(name string) (string, bool) {
	switch name {
	case "check":
		return new(checkFlags).command().usage(), true
	case "snapshot":
		return new(snapshotFlags).command().usage(), true
	case "validate":
		return validateCommand().usage(), true
	case "serve":
		return new(serveFlags).command().usage(), true
	case "merge":
		return mergeCommand(new(outputFlags)).usage(), true
	case "harvest":
		return harvestUsage, true
	}
	return "", false
}

// runHelp prints the usage, or a command's help; a command it does not
// know is a usage error.
func runHelp(args []string, stdout, stderr io.Writer) int {
	switch {
	case len(args) == 0:
		fmt.Fprint(stdout, usage)
		return exitOK
	case len(args) > 1:
		errorf(stderr, "help", fmt.Sprintf("unexpected argument %q", args[1]), "run 'rbacdrift help COMMAND', e.g. 'rbacdrift help check'")
		return exitUsage
	}
	if args[0] == "version" || args[0] == "help" {
		fmt.Fprint(stdout, usage)
		return exitOK
	}
	h, ok := helpOf(args[0])
	if !ok {
		errorf(stderr, "help", fmt.Sprintf("unknown command %q", args[0]), "the commands are check, snapshot, validate, harvest, serve, merge, version and help")
		return exitUsage
	}
	fmt.Fprint(stdout, h)
	return exitOK
}

// loadModel reads a model file as the Go API does.
func loadModel(file string) (*spec.Model, error) { return check.LoadModel(file) }

// isTerminal reports whether w is a terminal that wants colour.
func isTerminal(w io.Writer) bool {
	if _, ok := os.LookupEnv("NO_COLOR"); ok || os.Getenv("TERM") == "dumb" {
		return false
	}
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}

// errorf prints a diagnostic: the message, then each hint on its own line.
func errorf(stderr io.Writer, cmd string, msg string, hints ...string) {
	fmt.Fprintf(stderr, "rbacdrift %s: %s\n", cmd, strings.TrimRight(msg, "\n"))
	for _, h := range hints {
		if h == "" {
			continue
		}
		fmt.Fprintf(stderr, "hint: %s\n", h)
	}
}
