package report

import (
	"cmp"
	"encoding/xml"
	"fmt"
	"io"
	"strings"

	"github.com/rbacdrift/rbacdrift/drift"
)

// The JUnit XML elements, in the shape the common readers (GitLab, Jenkins,
// Azure DevOps, the Maven Surefire schema) agree on.
type (
	junitSuites struct {
		XMLName  xml.Name     `xml:"testsuites"`
		Name     string       `xml:"name,attr"`
		Tests    int          `xml:"tests,attr"`
		Failures int          `xml:"failures,attr"`
		Errors   int          `xml:"errors,attr"`
		Skipped  int          `xml:"skipped,attr"`
		Suites   []junitSuite `xml:"testsuite"`
	}
	junitSuite struct {
		Name       string          `xml:"name,attr"`
		Tests      int             `xml:"tests,attr"`
		Failures   int             `xml:"failures,attr"`
		Errors     int             `xml:"errors,attr"`
		Skipped    int             `xml:"skipped,attr"`
		Properties []junitProperty `xml:"properties>property"`
		Cases      []junitCase     `xml:"testcase"`
	}
	junitProperty struct {
		Name  string `xml:"name,attr"`
		Value string `xml:"value,attr"`
	}
	junitCase struct {
		Name      string        `xml:"name,attr"`
		Classname string        `xml:"classname,attr"`
		File      string        `xml:"file,attr,omitempty"`
		Line      int           `xml:"line,attr,omitempty"`
		Skipped   *junitMessage `xml:"skipped"`
		Failure   *junitMessage `xml:"failure"`
		Error     *junitMessage `xml:"error"`
		SystemOut *junitText    `xml:"system-out"`
	}
	junitMessage struct {
		Message string `xml:"message,attr"`
		Type    string `xml:"type,attr,omitempty"`
		Body    string `xml:",cdata"`
	}
	// junitText is CDATA, so that the lines of a finding read as lines.
	junitText struct {
		Text string `xml:",cdata"`
	}
)

// JUnitPass is the name of the test case of a subject without findings.
const JUnitPass = "matches the model"

// JUnit writes r as JUnit XML, for the test reports of CI systems (GitLab's
// artifacts:reports:junit, Jenkins, Azure DevOps).
//
// The database target is one test suite. Every checked subject (a table, an
// enum, a query) is a class, named in the classname attribute, so that each
// appears whether it passed or not. A subject without findings has one
// passing test case, [JUnitPass]. Each finding is a test case of its own,
// named after its code and object: one test case holds at most one failure
// in the readers above (a second one is dropped or overwrites the first), so
// a failure per finding needs a test case per finding. A finding that fails
// the run at r.FailOn is a failure; a waived one is skipped, with the reason;
// a warning that does not fail the run passes and says so in its system-out.
func JUnit(w io.Writer, r *Report) error {
	r = forPeople(r)
	return writeJUnit(w, []junitSuite{junitSuiteOf(r, "rbacdrift "+r.Target.String())})
}

// junitSuiteOf is the test suite of one target's report.
func junitSuiteOf(r *Report, name string) junitSuite {
	suite := junitSuite{
		Name: name,
		Properties: []junitProperty{
			{"model", r.Model},
			{"server_version", r.Target.ServerVersion},
			{"fail_on", string(cmp.Or(r.FailOn, FailOnError))},
		},
	}
	by := r.bySubject()
	for _, subj := range r.subjects() {
		fs := by[subj]
		if len(fs) == 0 {
			suite.Cases = append(suite.Cases, junitCase{Name: JUnitPass, Classname: subj})
			continue
		}
		for _, f := range fs {
			c := junitCase{Name: string(f.Code) + " " + f.Object, Classname: subj, File: f.File, Line: f.Line}
			body := xmlSafe(findingBody(f))
			switch {
			case f.Suppressed != nil:
				c.Skipped = &junitMessage{Message: "waived: " + f.Suppressed.Reason + until(f.Suppressed.Until)}
				c.SystemOut = &junitText{body}
				suite.Skipped++
			case r.FailOn.Fails(f):
				c.Failure = &junitMessage{Message: xmlSafe(f.Message), Type: string(f.Code), Body: body}
				suite.Failures++
			default:
				c.SystemOut = &junitText{fmt.Sprintf("%s (does not fail the run at --fail-on %s)\n%s", f.Severity, cmp.Or(r.FailOn, FailOnError), body)}
			}
			suite.Cases = append(suite.Cases, c)
		}
	}
	suite.Tests = len(suite.Cases)
	return suite
}

// writeJUnit writes the test suites as one JUnit document.
func writeJUnit(w io.Writer, suites []junitSuite) error {
	doc := junitSuites{Name: "rbacdrift", Suites: suites}
	for _, s := range suites {
		doc.Tests += s.Tests
		doc.Failures += s.Failures
		doc.Errors += s.Errors
		doc.Skipped += s.Skipped
	}
	if _, err := io.WriteString(w, xml.Header); err != nil {
		return err
	}
	enc := xml.NewEncoder(w)
	enc.Indent("", "  ")
	if err := enc.Encode(doc); err != nil {
		return err
	}
	_, err := io.WriteString(w, "\n")
	return err
}

// findingBody is the plain-text detail of a finding: where, what, expected,
// actual, hint, and the waiver that covers it.
func findingBody(f *drift.Finding) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s: %s %s %s\n", f.Pos(), f.Severity, f.Code, f.Object)
	fmt.Fprintf(&b, "%s\n", f.Message)
	if f.Expected != "" || f.Actual != "" {
		fmt.Fprintf(&b, "expected: %s\nactual:   %s\n", f.Expected, f.Actual)
	}
	if f.SQLState != "" {
		fmt.Fprintf(&b, "sqlstate: %s\n", f.SQLState)
	}
	if f.Hint != "" {
		fmt.Fprintf(&b, "hint: %s\n", f.Hint)
	}
	if a := affectsLine(f); a != "" {
		fmt.Fprintf(&b, "%s\n", a)
	}
	if s := f.Suppressed; s != nil {
		fmt.Fprintf(&b, "waived: %s%s", s.Reason, until(s.Until))
		if s.File != "" {
			fmt.Fprintf(&b, " at %s:%d", s.File, s.Line)
		}
		b.WriteByte('\n')
	}
	return b.String()
}

// xmlSafe replaces what XML 1.0 cannot hold, even as CDATA (most control
// characters), with U+FFFD, so that a server message cannot break the file.
func xmlSafe(s string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case r == '\t' || r == '\n' || r == '\r':
			return r
		case r < 0x20, r >= 0xD800 && r <= 0xDFFF, r == 0xFFFE, r == 0xFFFF:
			return '\uFFFD'
		}
		return r
	}, s)
}
