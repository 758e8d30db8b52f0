package main

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/rbacdrift/rbacdrift/drift/report"
)

// formatNames lists the report formats of --format and --report, in the
// order the help shows them.
var formatNames = []string{"text", "json", "junit", "sarif", "github", "markdown"}

// render writes rep in format; color only applies to text on a terminal.
func render(w io.Writer, format string, rep *report.Report, color bool) error {
	switch format {
	case "json":
		return report.JSON(w, rep)
	case "junit":
		return report.JUnit(w, rep)
	case "sarif":
		return report.SARIF(w, rep)
	case "github":
		return report.GitHub(w, rep)
	case "markdown":
		return report.Markdown(w, rep)
	}
	return report.Text(w, rep, report.TextOptions{Color: color})
}

// A reportFile is one --report FORMAT=FILE.
type reportFile struct{ format, file string }

// reportFiles is the repeatable --report flag.
type reportFiles []reportFile

func (r *reportFiles) String() string {
	var parts []string
	for _, f := range *r {
		parts = append(parts, f.format+"="+f.file)
	}
	return strings.Join(parts, ",")
}

func (r *reportFiles) Set(v string) error {
	format, file, ok := strings.Cut(v, "=")
	switch {
	case !ok || file == "":
		return fmt.Errorf("want FORMAT=FILE, such as sarif=rbacdrift.sarif")
	case !slices.Contains(formatNames, format):
		return fmt.Errorf("unknown format %q; FORMAT is one of %s", format, strings.Join(formatNames, ", "))
	}
	for _, f := range *r {
		if f.file == file {
			return fmt.Errorf("%s is given twice", file)
		}
	}
	*r = append(*r, reportFile{format, file})
	return nil
}

// outputFlags are the flags of check that choose its reports and its exit
// code: --format, --report and --fail-on.
type outputFlags struct {
	format  string
	reports reportFiles
	failOn  string

	// guarded is set once the --report files are known not to be inputs of
	// the run (see [outputFlags.guard]); fresh holds the ones this run wrote.
	guarded bool
	fresh   map[string]bool
}

// guard refuses, with exit 2, a --report file that is one of the run's
// inputs (the model, a query file, the targets, a report merge reads):
// writing it would destroy the input. Paths are compared resolved (absolute,
// symbolic links followed), and as files when both exist (a hard link).
// It returns -1 when none is.
func (o *outputFlags) guard(cmd string, stderr io.Writer, inputs map[string]string) int {
	for _, r := range o.reports {
		for in, what := range inputs {
			if in != "" && samePath(r.file, in) {
				errorf(stderr, cmd, fmt.Sprintf("--report %s=%s would overwrite %s %s", r.format, r.file, what, in),
					"give each --report a file of its own, such as "+r.format+"=rbacdrift-report"+reportExt[r.format])
				return exitUsage
			}
		}
	}
	o.guarded = true
	return -1
}

// reportExt is the usual file extension of each format.
var reportExt = map[string]string{"text": ".txt", "json": ".json", "junit": ".xml", "sarif": ".sarif", "github": ".txt", "markdown": ".md"}

// samePath reports whether paths a and b name the same file.
func samePath(a, b string) bool {
	if resolvedPath(a) == resolvedPath(b) {
		return true
	}
	sa, errA := os.Stat(a)
	sb, errB := os.Stat(b)
	return errA == nil && errB == nil && os.SameFile(sa, sb)
}

// resolvedPath is p absolute, with its symbolic links followed (those of
// its directory when p does not exist yet).
func resolvedPath(p string) string {
	abs, err := filepath.Abs(p)
	if err != nil {
		return filepath.Clean(p)
	}
	if r, err := filepath.EvalSymlinks(abs); err == nil {
		return r
	}
	dir, base := filepath.Split(abs)
	if r, err := filepath.EvalSymlinks(dir); err == nil {
		return filepath.Join(r, base)
	}
	return abs
}

// clearStale removes the --report files that this run did not write, when
// it ends without a report (exit 2 after the guard, 3, 130): a report left
// by an earlier run must not pass for this run's in CI. Only regular files
// are removed (not a device such as /dev/stdout, nor what a symbolic link
// points to), and only after [outputFlags.guard] cleared them of being
// inputs.
func (o *outputFlags) clearStale(cmd string, stderr io.Writer) {
	if !o.guarded {
		return
	}
	for _, r := range o.reports {
		if o.fresh[r.file] {
			continue
		}
		st, err := os.Lstat(r.file)
		if err != nil || !st.Mode().IsRegular() {
			continue
		}
		if err := os.Remove(r.file); err != nil {
			errorf(stderr, cmd, fmt.Sprintf("warning: %s is an earlier run's report and could not be removed: %v", r.file, err))
			continue
		}
		fmt.Fprintf(stderr, "rbacdrift %s: note: removed %s, an earlier run's %s report: this run wrote none\n", cmd, r.file, r.format)
	}
}

// write renders rep on stdout and in every --report file, appends the
// Markdown job summary to $GITHUB_STEP_SUMMARY when a github report was
// asked for and GitHub Actions set it, and returns the exit code of the run:
// 1 when a finding fails it at --fail-on, else 0; 2 when a report cannot be
// written. Files pass through the same password scrubber as the terminal.
func (o *outputFlags) write(rep *report.Report, stdout, stderr io.Writer, color bool, password string) int {
	rep.FailOn = report.FailLevel(o.failOn)
	draw := func(w io.Writer, format string, color bool) error { return render(w, format, rep, color) }
	summary := func(w io.Writer) error { return report.Markdown(w, rep) }
	if code := o.emit(draw, summary, stdout, stderr, color, []string{password}); code >= 0 {
		return code
	}
	if rep.Failed() {
		return exitDrift
	}
	return exitOK
}

// emit renders on stdout, in every --report file and in the job summary;
// it returns exit 2 when a report cannot be written, else -1.
func (o *outputFlags) emit(draw func(w io.Writer, format string, color bool) error, summary func(io.Writer) error,
	stdout, stderr io.Writer, color bool, passwords []string) int {
	if err := draw(stdout, o.format, color); err != nil {
		errorf(stderr, "check", "writing the report: "+err.Error())
		return exitUsage
	}
	for _, r := range o.reports {
		if err := writeFile(r.file, passwords, false, func(w io.Writer) error { return draw(w, r.format, false) }); err != nil {
			errorf(stderr, "check", fmt.Sprintf("writing the %s report: %v", r.format, err), "--report takes FORMAT=FILE; the file's directory must exist")
			return exitUsage
		}
		if o.fresh == nil {
			o.fresh = map[string]bool{}
		}
		o.fresh[r.file] = true
	}
	if path := os.Getenv("GITHUB_STEP_SUMMARY"); path != "" && o.wants("github") {
		err := writeFile(path, passwords, true, summary)
		if err != nil {
			// The summary is a courtesy: the gate is the exit code.
			errorf(stderr, "check", "warning: writing the job summary: "+err.Error())
		}
	}
	return -1
}

// wants reports whether format is asked for, on stdout or in a file.
func (o *outputFlags) wants(format string) bool {
	return o.format == format || slices.ContainsFunc(o.reports, func(r reportFile) bool { return r.format == format })
}

// writeFile renders into a buffer, then writes the file whole (or appends
// to it): a failed render leaves no half-written report.
func writeFile(path string, passwords []string, appendTo bool, render func(io.Writer) error) error {
	var b bytes.Buffer
	if err := render(scrubWriter(&b, passwords...)); err != nil {
		return err
	}
	flags := os.O_WRONLY | os.O_CREATE | os.O_TRUNC
	if appendTo {
		flags = os.O_WRONLY | os.O_CREATE | os.O_APPEND
	}
	f, err := os.OpenFile(path, flags, 0o644)
	if err != nil {
		return err
	}
	if _, err := f.Write(b.Bytes()); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
