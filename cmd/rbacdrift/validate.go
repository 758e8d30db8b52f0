package main

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/rbacdrift/rbacdrift/spec"
)

func runValidate(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	cmd := validateCommand()
	if code := cmd.parse(args, stdout, stderr); code >= 0 {
		return code
	}
	if len(cmd.rest) == 0 {
		errorf(stderr, "validate", "no model file given", "rbacdrift validate rbacdrift.yaml [more.yaml ...]")
		return exitUsage
	}
	problems, bad := 0, 0
	for _, file := range cmd.rest {
		if ctx.Err() != nil {
			errorf(stderr, "validate", "interrupted")
			return exitInterrupted
		}
		_, err := loadModel(file)
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
	fmt.Fprintf(stderr, "rbacdrift validate: %s in %d of %s\n", plural(problems, "problem"), bad, plural(len(cmd.rest), "file"))
	return exitUsage
}
