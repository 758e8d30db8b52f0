package main

import (
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/rbacdrift/rbacdrift/internal/pgsession"
)

// connHook, when not nil, sees every connection the command opens (see
// [pgsession.Options.ConfigHook]). Only the tests set it, in TestMain before
// any test runs, to record what the command sends; it is never changed
// while the command runs.
var connHook func(*pgx.ConnConfig)

// sessionOptions are the options of every session the command opens.
func sessionOptions(timeout time.Duration) pgsession.Options {
	return pgsession.Options{Timeout: timeout, ConfigHook: connHook}
}
