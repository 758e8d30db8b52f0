package replay

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/rbacdrift/rbacdrift/internal/sqllex"
)

// A MigrationError says that a migration failed on the server: the file,
// the line and column the server's error points at (the start of the failing
// statement when the server gives no position), and the server's error.
type MigrationError struct {
	Migration    string
	File         string
	Line, Column int
	Err          error // a *pgconn.PgError, or why the query could not be sent
}

func (e *MigrationError) Error() string {
	msg := e.Err.Error()
	var pg *pgconn.PgError
	if errors.As(e.Err, &pg) {
		msg = fmt.Sprintf("%s: %s (SQLSTATE %s)", strings.ToLower(pg.Severity), pg.Message, pg.Code)
		if pg.Detail != "" {
			msg += "\ndetail: " + pg.Detail
		}
	}
	return fmt.Sprintf("migration %s failed at %s:%d:%d: %s", e.Migration, e.File, e.Line, e.Column, msg)
}

func (e *MigrationError) Unwrap() error { return e.Err }

// Hint says what to do: for a privilege the migrator lacks or a time limit,
// rbacdrift's explanation (with the server's hint after it); else the
// server's hint, if it gave one.
func (e *MigrationError) Hint() string {
	var te *TimeoutError
	if errors.As(e.Err, &te) {
		return "a migration that runs forever (a loop, a lock it waits for) is stopped; the limit is ten times the statement timeout"
	}
	var pg *pgconn.PgError
	if !errors.As(e.Err, &pg) {
		return ""
	}
	ours := ""
	switch {
	case pg.Code == "42501" && strings.Contains(pg.Message, "create role"):
		ours = "rbacdrift applies migrations as a role without superuser rights; it may create roles only on PostgreSQL 16 and later " +
			"(before 16, the right to create roles lets a role give itself any other, pg_execute_server_program included): " +
			"replay them in a temporary database of a PostgreSQL 16+ server, or create the role outside the migrations"
	case pg.Code == "42501":
		ours = "rbacdrift applies migrations as a role that owns the scratch database and nothing more: it may not run programs " +
			"on the server (COPY ... PROGRAM), read or write the server's files (pg_read_file, lo_export, COPY to a file), change " +
			"the server's configuration (ALTER SYSTEM), use untrusted languages or create untrusted extensions (trusted ones, " +
			"such as pgcrypto, citext or uuid-ossp, work); apply such migrations to a database yourself and take the snapshot of that database"
	case pg.Code == "57014" || pg.Code == "55P03" || pg.Code == "25P03":
		ours = "a statement of the migrations ran, waited for a lock or sat idle longer than the statement timeout, and was stopped"
	default:
		return pg.Hint
	}
	if pg.Hint != "" {
		ours += " (the server says: " + pg.Hint + ")"
	}
	return ours
}

// Apply runs the plan's migrations, in order, on conn, a session of the
// scratch database: each chunk as one simple query, inside BEGIN and COMMIT
// where the tool uses a transaction. It stops at the first error, which is a
// [*MigrationError] when a migration failed.
func Apply(ctx context.Context, conn *pgconn.PgConn, p *Plan) error {
	exec := func(sql string) ([]*pgconn.Result, error) { return conn.Exec(ctx, sql).ReadAll() }
	if p.OneTransaction {
		if _, err := exec("BEGIN"); err != nil {
			return fmt.Errorf("applying migrations: %w", err)
		}
	}
	for _, m := range p.Migrations {
		tx := m.Tx && !p.OneTransaction
		if tx {
			if _, err := exec("BEGIN"); err != nil {
				return fmt.Errorf("applying migration %s: %w", m.Name, err)
			}
		}
		for _, c := range m.Chunks {
			results, err := exec(c.SQL)
			if err != nil {
				done := 0
				for _, r := range results {
					if r.Err == nil {
						done++
					}
				}
				return m.errorAt(c, done, err)
			}
		}
		if tx {
			if _, err := exec("COMMIT"); err != nil {
				return m.errorAt(m.Chunks[len(m.Chunks)-1], 0, err)
			}
		}
	}
	if p.OneTransaction {
		if _, err := exec("COMMIT"); err != nil {
			last := p.Migrations[len(p.Migrations)-1]
			return last.errorAt(Chunk{Off: len(last.text)}, 0, err)
		}
	}
	return nil
}

// errorAt maps err, which the server returned for chunk c after done of its
// statements completed, to a position in the migration's file.
func (m *Migration) errorAt(c Chunk, done int, err error) error {
	off := c.Off + statementStart(c.SQL, done)
	var pg *pgconn.PgError
	if errors.As(err, &pg) && pg.Position > 0 {
		off = c.Off + byteOffset(c.SQL, int(pg.Position)-1)
	}
	line, col := position(m.text, off)
	return &MigrationError{Migration: m.Name, File: m.File, Line: line, Column: col, Err: err}
}

// statementStart returns the byte offset of statement n (from 0) of sql:
// the first token after n semicolons, read with the project's SQL lexer so
// that strings, comments and dollar-quoted bodies do not count.
func statementStart(sql string, n int) int {
	toks, _ := sqllex.Tokenize(sql)
	seen := 0
	first := true
	for _, t := range toks {
		if t.Kind == sqllex.TokOther && t.Text == ";" {
			seen++
			first = true
			continue
		}
		if first && seen == n {
			return t.Off
		}
		first = false
	}
	if len(toks) > 0 {
		return toks[0].Off
	}
	return 0
}

// byteOffset returns the byte offset of character n (from 0) of s: the
// server counts error positions in characters.
func byteOffset(s string, n int) int {
	off := 0
	for i := 0; i < n && off < len(s); i++ {
		_, size := utf8.DecodeRuneInString(s[off:])
		off += size
	}
	return off
}

// position returns the line and column (both from 1, the column in
// characters) of byte offset off in text.
func position(text string, off int) (line, col int) {
	off = min(off, len(text))
	before := text[:off]
	line = 1 + strings.Count(before, "\n")
	start := strings.LastIndexByte(before, '\n') + 1
	return line, 1 + utf8.RuneCountInString(before[start:])
}
