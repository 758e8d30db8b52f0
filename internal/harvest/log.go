package harvest

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"regexp"
	"strings"

	"github.com/rbacdrift/rbacdrift/internal/sqllex"
)

// ParseLog reads the statements of a PostgreSQL log written with
// log_min_duration_statement = 0 or log_statement = 'all': the stderr
// format (the role is known when log_line_prefix has %u@%d, as Debian's
// default has), csvlog or jsonlog. Simple-protocol statements ("statement:")
// and the extended protocol's executions ("execute <unnamed>:", whose
// parameters stay $n) are read; parse and bind lines repeat an execution
// and are not. Statements that differ only in their constants are counted
// as one, with the text of the first; rows are not in a log.
func ParseLog(data []byte) ([]Statement, error) {
	var recs []logRecord
	var err error
	trimmed := bytes.TrimLeft(data, " \t\r\n")
	switch {
	case len(trimmed) == 0:
		return nil, fmt.Errorf("the log is empty")
	case trimmed[0] == '{':
		recs, err = jsonRecords(trimmed)
	case csvLike(trimmed):
		recs, err = csvRecords(trimmed)
	default:
		recs = stderrRecords(data)
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
		return nil, fmt.Errorf("no statement found in the log (no \"statement:\" or \"execute\" line)")
	}
	return out, nil
}

// ForRole keeps the statements of role; all of them when role is "".
// Statements whose role the log does not say are kept.
func ForRole(stmts []Statement, role string) []Statement {
	if role == "" {
		return stmts
	}
	var out []Statement
	for _, s := range stmts {
		if s.Role == role || s.Role == "" {
			out = append(out, s)
		}
	}
	return out
}

// ForDatabase keeps the statements sent to database; those whose database
// the log does not say are kept.
func ForDatabase(stmts []Statement, database string) []Statement {
	var out []Statement
	for _, s := range stmts {
		if s.Database == database || s.Database == "" {
			out = append(out, s)
		}
	}
	return out
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

// stderrLineRE splits a stderr log line: the prefix, the level, the message.
// The prefix may hold user@database before the level.
var (
	stderrLineRE = regexp.MustCompile(`^(.*?)(LOG|DETAIL|ERROR|STATEMENT|HINT|CONTEXT|WARNING|NOTICE|FATAL|PANIC|INFO|DEBUG[1-5]?):  (.*)$`)
	userAtRE     = regexp.MustCompile(`(?:^|\s)([^\s@\[\]]+)@(\S+)\s*$`)
)

// stderrRecords reads the stderr format: a record starts with a line that
// has a level, and goes on with the lines that start with a tab.
func stderrRecords(data []byte) []logRecord {
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
		m := stderrLineRE.FindStringSubmatch(line)
		if m == nil {
			cur = nil
			continue
		}
		if m[2] != "LOG" {
			cur = nil
			continue
		}
		r := logRecord{message: m[3]}
		if u := userAtRE.FindStringSubmatch(strings.TrimRight(m[1], " ")); u != nil {
			r.user, r.database = u[1], u[2]
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
func csvRecords(data []byte) ([]logRecord, error) {
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
		if len(rec) < 14 || rec[11] != "LOG" {
			continue
		}
		out = append(out, logRecord{user: rec[1], database: rec[2], message: rec[13]})
	}
}

// jsonRecords reads jsonlog: one JSON object a line.
func jsonRecords(data []byte) ([]logRecord, error) {
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
		if rec.Severity == "LOG" {
			out = append(out, logRecord{user: rec.User, database: rec.Database, message: rec.Message})
		}
	}
}
