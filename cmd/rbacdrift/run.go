package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"runtime/debug"
	"strings"
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
  rbacdrift harvest [flags]     write the queries the application sends as a query file
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
	case "version", "--version", "-version":
		fmt.Fprintf(stdout, "rbacdrift %s\n", version())
		return exitOK
	case "help", "-h", "-help", "--help":
		if len(rest) > 0 && (rest[0] == "snapshot" || rest[0] == "validate") {
			fmt.Fprint(stdout, map[string]string{"snapshot": snapshotUsage, "validate": validateUsage}[rest[0]])
			return exitOK
		}
		if len(rest) > 0 && rest[0] == "harvest" {
			fmt.Fprint(stdout, harvestUsage)
			return exitOK
		}
		if len(rest) > 0 && rest[0] == "check" {
			fmt.Fprint(stdout, checkUsage)
			return exitOK
		}
		fmt.Fprint(stdout, usage)
		return exitOK
	default:
		fmt.Fprintf(stderr, "rbacdrift: unknown command %q\n", cmd)
		fmt.Fprintf(stderr, "hint: run 'rbacdrift help' for the commands\n")
		return exitUsage
	}
}

// version is the module version when installed with go install, else "devel".
func version() string {
	if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
		return bi.Main.Version
	}
	return "devel"
}

// newFlagSet returns a flag set that prints nothing itself: parseFlags
// reports errors in rbacdrift's voice, with a hint.
func newFlagSet(name string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.Usage = func() {}
	return fs
}

// parseFlags parses args; on error it prints the problem and a hint, and
// returns the exit code to use (-1 when parsing succeeded).
func parseFlags(fs *flag.FlagSet, args []string, help string, stdout, stderr io.Writer) int {
	err := fs.Parse(args)
	switch {
	case errors.Is(err, flag.ErrHelp):
		fmt.Fprint(stdout, help)
		return exitOK
	case err != nil:
		// The flag package names flags with one dash; users type two.
		msg := strings.NewReplacer("for flag -", "for flag --", "defined: -", "defined: --", "argument: -", "argument: --").Replace(err.Error())
		fmt.Fprintf(stderr, "rbacdrift %s: %s\n", fs.Name(), msg)
		fmt.Fprintf(stderr, "hint: run 'rbacdrift help %s' for the flags\n", fs.Name())
		return exitUsage
	case fs.NArg() > 0:
		fmt.Fprintf(stderr, "rbacdrift %s: unexpected argument %q\n", fs.Name(), fs.Arg(0))
		fmt.Fprintf(stderr, "hint: flags come as --name value; run 'rbacdrift help %s'\n", fs.Name())
		return exitUsage
	}
	return -1
}

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
		fmt.Fprintf(stderr, "hint: %s\n", h)
	}
}
