package harvest

import "testing"

// TestStderrLine checks the split of stderr log lines without a regular
// expression: the first level followed by a colon and two spaces, whatever
// the prefix holds, and user@database only as the prefix's last word.
func TestStderrLine(t *testing.T) {
	for _, tc := range []struct {
		line                          string
		prefix, level, message, u, db string
		ok                            bool
	}{
		{"2025-01-01 10:00:00.000 UTC [42] app@staging LOG:  statement: SELECT 'a:  b'", "2025-01-01 10:00:00.000 UTC [42] app@staging ", "LOG", "statement: SELECT 'a:  b'", "app", "staging", true},
		{"2025-01-01 10:00:00 UTC [7] LOG:  duration: 1 ms  statement: SELECT 1", "2025-01-01 10:00:00 UTC [7] ", "LOG", "duration: 1 ms  statement: SELECT 1", "", "", true},
		{"2025-01-01 10:00:00 UTC [7] x@y DEBUG3:  z", "2025-01-01 10:00:00 UTC [7] x@y ", "DEBUG3", "z", "x", "y", true},
		{"[7] [local]@db STATEMENT:  SELECT 1", "[7] [local]@db ", "STATEMENT", "SELECT 1", "", "", true},
		{"time: 10:00:00  no level here", "", "", "", "", "", false},
		{"", "", "", "", "", "", false},
	} {
		prefix, level, message, ok := stderrLine(tc.line)
		if prefix != tc.prefix || level != tc.level || message != tc.message || ok != tc.ok {
			t.Errorf("stderrLine(%q) = %q, %q, %q, %v", tc.line, prefix, level, message, ok)
		}
		if u, db := userAt(prefix); u != tc.u || db != tc.db {
			t.Errorf("userAt(%q) = %q, %q; want %q, %q", prefix, u, db, tc.u, tc.db)
		}
	}
}
