package harvest

import (
	"bufio"
	"fmt"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/rbacdrift/rbacdrift/internal/sqllex"
)

// An Entry is one statement of a harvested query file.
type Entry struct {
	Name  string
	SQL   string // the normalised text, without a final semicolon
	Role  string // the role that sent it
	Calls int64
	Rows  int64
	// First and Last are the first and the last harvest that saw it.
	First, Last time.Time
	// Vanished is the first harvest since Last that did not see it; zero
	// while it is seen.
	Vanished time.Time
}

// A Header says where and when a file was harvested.
type Header struct {
	Source Source
	Role   string // the --role asked for; "" for every role
	At     time.Time
}

const timeLayout = "2006-01-02T15:04:05Z"

func stamp(t time.Time) string { return t.UTC().Format(timeLayout) }

// Merge returns the entries of a harvest at now: those of old in their
// order, with their names, updated when seen again (fresh holds the
// statement under the same [Key]) and marked vanished when not, then the
// new statements of fresh, by name. Nothing is deleted.
func Merge(old, fresh []Entry, now time.Time) []Entry {
	byKey := map[string]int{}
	for i, e := range fresh {
		byKey[Key(e.SQL)] = i
	}
	used := map[string]bool{}
	var out []Entry
	for _, e := range old {
		used[e.Name] = true
		i, ok := byKey[Key(e.SQL)]
		if !ok {
			if e.Vanished.IsZero() {
				e.Vanished = now
			}
			out = append(out, e)
			continue
		}
		delete(byKey, Key(e.SQL))
		f := fresh[i]
		e.Role, e.Calls, e.Rows, e.Last, e.Vanished = f.Role, f.Calls, f.Rows, now, time.Time{}
		if e.First.IsZero() {
			e.First = now
		}
		out = append(out, e)
	}
	var added []Entry
	for i, e := range fresh {
		if _, ok := byKey[Key(e.SQL)]; !ok || byKey[Key(e.SQL)] != i {
			continue
		}
		e.First, e.Last = now, now
		added = append(added, e)
	}
	sort.SliceStable(added, func(i, j int) bool { return added[i].Name < added[j].Name })
	for _, e := range added {
		name := e.Name
		for n := 2; used[name]; n++ {
			name = e.Name + "_" + strconv.Itoa(n)
		}
		e.Name, used[name] = name, true
		out = append(out, e)
	}
	return out
}

// Render writes a harvested query file: the header, then each entry as an
// sqlc query with a comment of its figures.
func Render(h Header, entries []Entry) []byte {
	var b strings.Builder
	b.WriteString("-- Harvested by rbacdrift harvest, not written by hand.\n")
	from := h.Source.From
	if h.Source.File != "" {
		from = "the log " + strconv.Quote(h.Source.File)
	}
	if h.Source.Database != "" {
		from += " of database " + strconv.Quote(h.Source.Database)
	}
	if h.Role != "" {
		from += ", role " + h.Role
	}
	fmt.Fprintf(&b, "-- From %s, at %s.\n", from, stamp(h.At))
	b.WriteString("-- Run rbacdrift harvest again to update it: names and order stay, new statements\n")
	b.WriteString("-- are added at the end, and those no longer seen are marked, not deleted.\n")
	for _, e := range entries {
		fmt.Fprintf(&b, "\n-- name: %s %s\n", e.Name, command(e.SQL))
		fmt.Fprintf(&b, "-- harvest: calls=%d rows=%d role=%s first=%s last=%s\n", e.Calls, e.Rows, e.Role, stamp(e.First), stamp(e.Last))
		if !e.Vanished.IsZero() {
			fmt.Fprintf(&b, "-- harvest: not seen since %s; delete it when the application no longer sends it\n", stamp(e.Vanished))
		}
		b.WriteString(strings.TrimRight(e.SQL, " \t\r\n;"))
		b.WriteString(";\n")
	}
	return []byte(b.String())
}

// command is the sqlc command of a statement: :many when it returns rows.
func command(sql string) string {
	toks, _ := sqllex.Tokenize(sql)
	kw := sqllex.FirstKeyword(sql)
	if sqllex.IsReadQuery(kw) && kw != "WITH" {
		return ":many"
	}
	for _, t := range toks {
		if t.Kind == sqllex.TokIdent && t.Text == "returning" {
			return ":many"
		}
	}
	if kw == "WITH" {
		for _, t := range toks {
			if t.Kind == sqllex.TokIdent && (t.Text == "insert" || t.Text == "update" || t.Text == "delete" || t.Text == "merge") {
				return ":exec"
			}
		}
		return ":many"
	}
	return ":exec"
}

var (
	nameLineRE = regexp.MustCompile(`^\s*--\s*name:\s*(\S+)`)
	figuresRE  = regexp.MustCompile(`^-- harvest: calls=(\d+) rows=(\d+) role=(\S*) first=(\S+) last=(\S+)$`)
	vanishedRE = regexp.MustCompile(`^-- harvest: not seen since (\S+?);`)
)

// ParseFile reads the entries of a harvested query file, for [Merge]. A
// query without harvest figures (added by hand) is kept as it is, with
// zero figures.
func ParseFile(data []byte) ([]Entry, error) {
	var out []Entry
	var cur *Entry
	var body strings.Builder
	flush := func() {
		if cur != nil {
			cur.SQL = strings.TrimRight(strings.TrimSpace(body.String()), ";")
			cur.SQL = strings.TrimSpace(cur.SQL)
			if cur.SQL != "" {
				out = append(out, *cur)
			}
		}
		cur = nil
		body.Reset()
	}
	sc := bufio.NewScanner(strings.NewReader(string(data)))
	sc.Buffer(make([]byte, 64*1024), 16<<20)
	for sc.Scan() {
		line := strings.TrimRight(sc.Text(), "\r")
		if m := nameLineRE.FindStringSubmatch(line); m != nil {
			flush()
			cur = &Entry{Name: m[1]}
			continue
		}
		if cur == nil {
			continue
		}
		if m := figuresRE.FindStringSubmatch(line); m != nil {
			cur.Calls, _ = strconv.ParseInt(m[1], 10, 64)
			cur.Rows, _ = strconv.ParseInt(m[2], 10, 64)
			cur.Role = m[3]
			cur.First, _ = time.Parse(timeLayout, m[4])
			cur.Last, _ = time.Parse(timeLayout, m[5])
			continue
		}
		if m := vanishedRE.FindStringSubmatch(line); m != nil {
			cur.Vanished, _ = time.Parse(timeLayout, m[1])
			continue
		}
		body.WriteString(line)
		body.WriteByte('\n')
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("reading the query file: %w", err)
	}
	flush()
	return out, nil
}
