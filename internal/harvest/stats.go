package harvest

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/rbacdrift/rbacdrift/internal/pgsession"
)

// A Statement is one normalised statement an application sent, as
// pg_stat_statements or the log has it.
type Statement struct {
	Role  string // the role that sent it
	SQL   string // the normalised text: constants are $n
	Calls int64
	Rows  int64
	// Database is the database it was sent to, when a log says; ""
	// otherwise (pg_stat_statements is read for the current database only).
	Database string
}

// A Source says where statements were read: the database's name and what
// was read from it.
type Source struct {
	Database string // current_database(), or with a log the database of --db
	From     string // "pg_stat_statements" or "log"
	File     string // the log file's name, with From "log"
	// Hidden counts the statements of other roles the connecting role may
	// not read (their text is "<insufficient privilege>").
	Hidden int
}

// ErrNoExtension means pg_stat_statements is not installed in the database
// (no CREATE EXTENSION).
var ErrNoExtension = errors.New("the extension pg_stat_statements is not installed in this database")

// ErrNotLoaded means the extension is installed but the server did not load
// its library: pg_stat_statements is not in shared_preload_libraries.
type ErrNotLoaded struct{ Err error }

func (e *ErrNotLoaded) Error() string {
	return fmt.Sprintf("pg_stat_statements is installed but not loaded: %v", e.Err)
}

func (e *ErrNotLoaded) Unwrap() error { return e.Err }

// extensionSQL finds the schema of pg_stat_statements and the database's
// name; no row when the extension is not installed.
const extensionSQL = `SELECT n.nspname, pg_catalog.current_database()
FROM pg_catalog.pg_extension e JOIN pg_catalog.pg_namespace n ON n.oid = e.extnamespace
WHERE e.extname = 'pg_stat_statements'`

// statementsSQL reads the statements of the current database (%s is the
// extension's schema, quoted), of one role when $1 is not NULL, summed over
// the rows pg_stat_statements keeps apart (top level or not, and so on).
const statementsSQL = `SELECT coalesce(r.rolname, s.userid::text), s.query, sum(s.calls)::int8, sum(s.rows)::int8
FROM %s.pg_stat_statements s
LEFT JOIN pg_catalog.pg_roles r ON r.oid = s.userid
WHERE s.dbid = (SELECT d.oid FROM pg_catalog.pg_database d WHERE d.datname = pg_catalog.current_database())
  AND ($1::text IS NULL OR r.rolname = $1::text)
GROUP BY 1, 2
ORDER BY 1, 2`

// insufficientPrivilege is the text pg_stat_statements shows for the
// statements of roles the reader may not see.
const insufficientPrivilege = "<insufficient privilege>"

// ReadStatements reads the statements of the current database from
// pg_stat_statements, those of role only when it is not "", in two
// read-only units of work.
func ReadStatements(ctx context.Context, s *pgsession.Session, role string) ([]Statement, Source, error) {
	src := Source{From: "pg_stat_statements"}
	var schema string
	found := false
	err := s.Read(ctx, func(q *pgsession.Queue) { q.Query(extensionSQL) }, func(r *pgsession.Results) error {
		rows, err := r.Query()
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			found = true
			if err := rows.Scan(&schema, &src.Database); err != nil {
				return err
			}
		}
		return rows.Err()
	})
	if err != nil {
		return nil, src, fmt.Errorf("looking for pg_stat_statements: %w", err)
	}
	if !found {
		return nil, src, ErrNoExtension
	}
	var roleArg any
	if role != "" {
		roleArg = role
	}
	var out []Statement
	sql := fmt.Sprintf(statementsSQL, pgx.Identifier{schema}.Sanitize())
	err = s.Read(ctx, func(q *pgsession.Queue) { q.Query(sql, roleArg) }, func(r *pgsession.Results) error {
		rows, err := r.Query()
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var st Statement
			if err := rows.Scan(&st.Role, &st.SQL, &st.Calls, &st.Rows); err != nil {
				return err
			}
			if st.SQL == insufficientPrivilege {
				src.Hidden++
				continue
			}
			out = append(out, st)
		}
		return rows.Err()
	})
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) && pgErr.Code == "55000" {
		return nil, src, &ErrNotLoaded{Err: err}
	}
	if err != nil {
		return nil, src, fmt.Errorf("reading pg_stat_statements: %w", err)
	}
	return out, src, nil
}
