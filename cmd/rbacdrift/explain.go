package main

import (
	"errors"

	"github.com/rbacdrift/rbacdrift/internal/check"
	"github.com/rbacdrift/rbacdrift/internal/pgsession"
)

// explain words a failure for the command line: the layers below name no
// flag, so the advice that names one (--timeout sets the connect timeout,
// the statement_timeout of every unit of work and the run's deadline) is
// added here, from the failure's kind and cause.
func explain(f check.Failure) (msg string, hints []string) {
	msg, hints = f.Message, f.Hints
	var ce *pgsession.ConnectError
	var te *pgsession.TimeoutError
	switch {
	case f.Kind == check.FailConnect && errors.As(f.Err, &ce) && ce.Kind == pgsession.ConnectTimeout:
		msg += " (--timeout)"
	case f.Kind == check.FailDeadline:
		hints = append([]string{"--timeout bounds the whole run, plus 2s; raise it"}, hints...)
	case errors.As(f.Err, &te):
		hints = append([]string{"raise --timeout (it sets statement_timeout)"}, hints...)
	}
	return msg, hints
}
