package harvest

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"regexp"
	"strconv"
	"strings"
	"unicode"

	"github.com/rbacdrift/rbacdrift/internal/sqllex"
)

// A LogFilter keeps the statements of one database and of one role; ""
// keeps any. A statement whose database or role the log does not say is
// kept.
type LogFilter struct {
	Database, Role string
}

func (f LogFilter) keeps(user, database string) bool {
	return (f.Database == "" || database == "" || database == f.Database) &&
		(f.Role == "" || user == "" || user == f.Role)
}

// ParseLog reads the statements of a PostgreSQL log written with
// log_min_duration_statement = 0 or log_statement = 'all' that f keeps: the
// stderr format (the role and database are known when log_line_prefix has
// %u@%d, as Debian's default has), csvlog or jsonlog. Simple-protocol
// statements ("statement:") and the extended protocol's executions
// ("execute <unnamed>:", whose parameters stay $n) are read; parse and bind
// lines repeat an execution and are not. Statements that differ only in
// their constants are counted as one, with the text of the first; rows are
// not in a log. The records f leaves out are skipped as they are read, so
// that a server's whole log costs the time of a scan.
func ParseLog(data []byte, f LogFilter) ([]Statement, error) {
	var recs []logRecord
	var err error
	trimmed := bytes.TrimLeft(data, " \t\r\n")
	switch {
	case len(trimmed) == 0:
		return nil, fmt.Errorf("the log is empty")
	case trimmed[0] == '{':
		recs, err = jsonRecords(trimmed, f)
	case csvLike(trimmed):
		recs, err = csvRecords(trimmed, f)
	default:
		recs = stderrRecords(data, f)
	}
	if err != nil {
		return nil, err
	}
	var out []Statement
	seen := map[string]int{}
	for _, r := range recs {
		sql, ok := logStatement(r.message)
		if !ok {
			continue
		}
		k := r.user + "\x00" + r.database + "\x00" + literalKey(sql)
		if i, ok := seen[k]; ok {
			out[i].Calls++
			continue
		}
		seen[k] = len(out)
		out = append(out, Statement{Role: r.user, Database: r.database, SQL: sql, Calls: 1})
	}
	if len(out) == 0 {
		var of []string
		if f.Database != "" {
			of = append(of, "database "+strconv.Quote(f.Database))
		}
		if f.Role != "" {
			of = append(of, "role "+strconv.Quote(f.Role))
		}
		if len(of) > 0 {
			return nil, fmt.Errorf("no statement of %s found in the log (no \"statement:\" or \"execute\" line)", strings.Join(of, " and "))
		}
		return nil, fmt.Errorf("no statement found in the log (no \"statement:\" or \"execute\" line)")
	}
	return out, nil
}

type logRecord struct {
	user, database string
	message        string
}

// statementRE matches the messages that carry a statement, after an
// optional duration.
var statementRE = regexp.MustCompile(`(?s)^(?:duration: [0-9.]+ ms\s+)?(?:statement|execute [^:]*): (.*)$`)

func logStatement(msg string) (string, bool) {
	m := statementRE.FindStringSubmatch(msg)
	if m == nil {
		return "", false
	}
	sql := strings.TrimSpace(m[1])
	return sql, sql != ""
}

// literalKey is [Key] with every number and string constant as ?, so that
// the executions of one statement with other constants count as one.
func literalKey(sql string) string {
	toks, _ := sqllex.Tokenize(sql)
	parts := make([]string, 0, len(toks))
	for _, t := range toks {
		s := t.Raw
		if t.Kind == sqllex.TokOther && s != "" && (s[0] == '\'' || s[0] >= '0' && s[0] <= '9' || strings.HasPrefix(s, "E'") || strings.HasPrefix(s, "e'")) {
			s = "?"
		}
		parts = append(parts, s)
	}
	return strings.Join(parts, " ")
}

// userAt reads user@database, the last word of a stderr line's prefix
// (log_line_prefix's %u@%d); "" for both when it is not there.
func userAt(prefix string) (user, database string) {
	p := strings.TrimRightFunc(prefix, unicode.IsSpace)
	word := p[strings.LastIndexFunc(p, unicode.IsSpace)+1:]
	u, d, ok := strings.Cut(word, "@")
	if !ok || u == "" || d == "" || strings.ContainsAny(u, "[]") {
		return "", ""
	}
	return u, d
}

// stderrLevels are the levels a stderr log line can carry, the longer
// first where one ends another.
var stderrLevels = []string{"LOG", "DETAIL", "ERROR", "STATEMENT", "HINT", "CONTEXT", "WARNING", "NOTICE", "FATAL",
	"PANIC", "INFO", "DEBUG1", "DEBUG2", "DEBUG3", "DEBUG4", "DEBUG5", "DEBUG"}

// stderrLine splits a stderr log line at the first level followed by a
// colon and two spaces: the prefix (which may hold user@database), the
// level, the message. A scan for the separator, not a regular expression:
// a server's log is read line by line, a million lines and more, and the
// expression that did this took 20 s for 120 MB.
func stderrLine(line string) (prefix, level, message string, ok bool) {
	for from := 0; ; {
		i := strings.Index(line[from:], ":  ")
		if i < 0 {
			return "", "", "", false
		}
		i += from
		for _, l := range stderrLevels {
			if strings.HasSuffix(line[:i], l) {
				return line[:i-len(l)], l, line[i+3:], true
			}
		}
		from = i + 1
	}
}

// stderrRecords reads the stderr format: a record starts with a line that
// has a level, and goes on with the lines that start with a tab.
func stderrRecords(data []byte, f LogFilter) []logRecord {
	var out []logRecord
	var cur *logRecord
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 64*1024), 64<<20)
	for sc.Scan() {
		line := sc.Text()
		if strings.HasPrefix(line, "\t") && cur != nil {
			cur.message += "\n" + line[1:]
			continue
		}
		prefix, level, message, ok := stderrLine(line)
		if !ok || level != "LOG" {
			cur = nil
			continue
		}
		r := logRecord{message: message}
		r.user, r.database = userAt(prefix)
		if !f.keeps(r.user, r.database) {
			cur = nil
			continue
		}
		out = append(out, r)
		cur = &out[len(out)-1]
	}
	return out
}

// csvLike reports whether the log starts with a csvlog record: a timestamp
// with its time zone, then a comma (a stderr line goes on with a space).
func csvLike(data []byte) bool {
	line, _, _ := bytes.Cut(data, []byte("\n"))
	return csvStartRE.Match(line)
}

var csvStartRE = regexp.MustCompile(`^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(\.\d+)? [A-Za-z0-9+:-]+,`)

// csvRecords reads csvlog: user_name is the second field, database_name
// the third, error_severity the twelfth and message the fourteenth.
func csvRecords(data []byte, f LogFilter) ([]logRecord, error) {
	r := csv.NewReader(bytes.NewReader(data))
	r.FieldsPerRecord = -1
	var out []logRecord
	for {
		rec, err := r.Read()
		if err == io.EOF {
			return out, nil
		}
		if err != nil {
			return nil, fmt.Errorf("reading the csvlog: %w", err)
		}
		if len(rec) < 14 || rec[11] != "LOG" || !f.keeps(rec[1], rec[2]) {
			continue
		}
		out = append(out, logRecord{user: rec[1], database: rec[2], message: rec[13]})
	}
}

// jsonRecords reads jsonlog: one JSON object a line.
func jsonRecords(data []byte, f LogFilter) ([]logRecord, error) {
	var out []logRecord
	dec := json.NewDecoder(bytes.NewReader(data))
	for {
		var rec struct {
			User     string `json:"user"`
			Database string `json:"dbname"`
			Severity string `json:"error_severity"`
			Message  string `json:"message"`
		}
		err := dec.Decode(&rec)
		if err == io.EOF {
			return out, nil
		}
		if err != nil {
			return nil, fmt.Errorf("reading the jsonlog: %w", err)
		}
		if rec.Severity == "LOG" && f.keeps(rec.User, rec.Database) {
			out = append(out, logRecord{user: rec.User, database: rec.Database, message: rec.Message})
		}
	}
}
