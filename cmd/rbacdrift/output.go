package main

import (
	"bytes"
	"fmt"
	"io"
	"os"
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
