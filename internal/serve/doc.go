// Package serve watches databases between deploys: a [Monitor] checks each
// target on a schedule and serves what it last found, as Prometheus metrics
// (/metrics), as a readiness answer (/readyz) and as a liveness answer
// (/healthz).
//
// # Schedule
//
// Each target has one goroutine that checks it, waits Interval (give or
// take Jitter of it, so that a fleet's checks spread out instead of
// arriving together), and checks again: two checks of one target never run
// at once, and a slow check delays the next one instead of piling up.
// Parallel bounds the checks of all targets at once.
//
// # What it never does
//
// It never connects to a database itself and never decides what a finding
// is: the [CheckFunc] it is given does the check (read-only, bounded by its
// own timeout) and says which findings fail. It keeps only each target's
// latest result, so its memory does not grow with the number of checks.
package serve
