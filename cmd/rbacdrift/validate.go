package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"

	"github.com/rbacdrift/rbacdrift/spec"
)

const validateUsage = `Usage: rbacdrift validate FILE...

Checks model files offline, without a database: the YAML, every key and
value, names, types, and the query files each model names. Each problem is
printed as file:line:column: field: message. Prints nothing and exits 0 when
every file is clean, exits 2 otherwise: fit for a pre-commit hook.
`

func runValidate(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := newFlagSet("validate")
	err := fs.Parse(args)
	switch {
	case errors.Is(err, flag.ErrHelp):
		fmt.Fprint(stdout, validateUsage)
		return exitOK
	case err != nil:
		errorf(stderr, "validate", err.Error(), "run 'rbacdrift help validate'")
		return exitUsage
	case fs.NArg() == 0:
		errorf(stderr, "validate", "no model file given", "rbacdrift validate rbacdrift.yaml [more.yaml ...]")
		return exitUsage
	}
	problems, bad := 0, 0
	for _, file := range fs.Args() {
		if ctx.Err() != nil {
			errorf(stderr, "validate", "interrupted")
			return exitInterrupted
		}
		_, err := spec.Load(file)
		if err == nil {
			continue
		}
		bad++
		var errs spec.Errors
		if !errors.As(err, &errs) {
			errorf(stderr, "validate", fmt.Sprintf("%s: %v", file, err))
			problems++
			continue
		}
		for _, e := range errs {
			fmt.Fprintf(stderr, "%s\n", e)
		}
		problems += len(errs)
	}
	if bad == 0 {
		return exitOK
	}
	fmt.Fprintf(stderr, "rbacdrift validate: %s in %d of %s\n", plural(problems, "problem"), bad, plural(fs.NArg(), "file"))
	return exitUsage
}
