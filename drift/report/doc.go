// Package report renders a check's findings for people and for machines:
// [Text] for a terminal, [JSON] for tools, and the formats of CI systems:
// [JUnit] XML for test reports, [SARIF] 2.1.0 for code scanning, [GitHub]
// workflow commands for annotations, and [Markdown] for pull-request
// comments and job summaries.
//
// # Pass and fail
//
// [Report.FailOn] is the least severity that fails the run (--fail-on); the
// formats that show a verdict (JUnit, Markdown) follow it, and
// [Report.Failed] gives it to the command for its exit code. A finding that
// a waiver suppresses never fails a run, and every format still shows it.
//
// # What it never does
//
// It never decides what is a finding, which findings a waiver covers, or
// what the exit code is; it renders what it is given. It never prints a
// password: the [Target] it renders holds none.
package report
