package report

import (
	"bytes"
	"strings"
	"testing"

	"github.com/rbacdrift/rbacdrift/drift"
)

func TestPrintable(t *testing.T) {
	tests := []struct{ in, want string }{
		{"public.role_permissions", "public.role_permissions"},
		{"naïve 名前\ttab", "naïve 名前\ttab"},
		{"clear\x1b[2J\x1b[Hscreen", `clear\x1b[2J\x1b[Hscreen`},
		{"a\nno drift: 5 tables match the model", "a no drift: 5 tables match the model"},
		{"cr\roverwrite", "cr overwrite"},
		{"bell\a del\x7f c1\u009b", `bell\x07 del\x7f c1\x9b`},
		{"admin\u202e\u2066txt.exe", `admin\u202e\u2066txt.exe`},
		{"line\u2028sep", "line sep"},
		{"bad\xffutf8", `bad\xffutf8`},
	}
	for _, tt := range tests {
		if got := printable(tt.in); got != tt.want {
			t.Errorf("printable(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// TestHostileNames: a column named with terminal escape sequences, line
// breaks and bidirectional overrides, as a catalog may hold it, reaches no
// human format as it is: it cannot clear the screen, colour the log, fake a
// "no drift" line, or reorder the text after it.
func TestHostileNames(t *testing.T) {
	const col = "x\x1b[2J\x1b[H\rno drift: 5 tables match the model\n\u202eeulav"
	obj := "public.users." + col
	f := &drift.Finding{Code: drift.UnexpectedColumn, Severity: drift.Error, Object: obj, Subject: "public.users",
		Expected: "none", Actual: "text\x1b[0m", Message: "column users." + col + " is not declared",
		Hint: "ALTER TABLE users DROP COLUMN \"" + col + "\"", File: "rbacdrift.yaml", Line: 3, Column: 3,
		Affects: []string{"query:" + col}}
	target := Target{Host: "db\x1b]0;owned\a", Port: 5432, Database: "app\n", User: "u", ServerVersion: "16.0"}
	r := New("rbacdrift.yaml", target, Checked{Tables: 1, Subjects: []string{"public.users"}}, []*drift.Finding{f})
	for _, format := range []string{"text", "markdown", "github", "junit"} {
		t.Run(format, func(t *testing.T) {
			out := string(render(t, format, r))
			for _, bad := range []string{"\x1b", "\r", "\a", "\u202e"} {
				if strings.Contains(out, bad) {
					t.Errorf("the %s report holds %q:\n%s", format, bad, out)
				}
			}
			for _, line := range strings.Split(out, "\n") {
				if strings.HasPrefix(strings.TrimLeft(line, "#:!-* "), "no drift") {
					t.Errorf("the %s report has a line that reads as a clean run: %q", format, line)
				}
			}
			if !strings.Contains(out, `\x1b[2J`) {
				t.Errorf("the %s report does not show the escape sequence escaped:\n%s", format, out)
			}
		})
	}
	// The JSON report keeps the name as it is: JSON escapes it.
	var b bytes.Buffer
	if err := JSON(&b, r); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(b.String(), "\x1b") || !strings.Contains(b.String(), `\u001b[2J`) {
		t.Errorf("the JSON report should escape the name as JSON does:\n%s", b.String())
	}
	// Rendering left the report as it was.
	if f.Object != obj {
		t.Errorf("rendering changed the finding's object to %q", f.Object)
	}
}

func TestAffectsLine(t *testing.T) {
	tests := []struct {
		affects []string
		want    string
	}{
		{nil, ""},
		{[]string{"query:a"}, "affects: query:a"},
		{[]string{"query:a", "query:b", "query:c", "query:d", "query:e"}, "affects: query:a, query:b, query:c, query:d, query:e"},
		{[]string{"query:a", "query:b", "query:c", "query:d", "query:e", "query:f", "query:g"}, "affects: query:a, query:b, query:c, query:d, query:e and 2 more"},
	}
	for _, tt := range tests {
		if got := affectsLine(&drift.Finding{Affects: tt.affects}); got != tt.want {
			t.Errorf("affectsLine(%v) = %q, want %q", tt.affects, got, tt.want)
		}
	}
}
