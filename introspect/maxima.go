package introspect

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/rbacdrift/rbacdrift/internal/pgsession"
	"github.com/rbacdrift/rbacdrift/introspect/catalog"
)

// Integer type OIDs: the columns whose maxima are read.
const (
	int2OID = 21
	int4OID = 23
	int8OID = 20
)

// ReadColumnMaxima reads max(column) of the serial and identity columns of
// cat's wanted relations, to compare with their sequences' next values.
// This is not a catalog read, so it is held to what is cheap and harmless:
// only a column of an integer type whose max() one btree index answers from
// its head (Sequence.MaxIndexed), of a table the checking user may read,
// with a sequence whose state it may read; the rest is left unread
// (MaxRead false), and checked for nothing. Every maximum goes in one
// statement, in one read-only unit of work bounded by statement_timeout and
// lock_timeout, so the cost is one round trip whatever the number of
// columns. Relation and column names come from the catalog just read and
// are quoted with [pgx.Identifier]. A server error (a timeout, a lock wait,
// a privilege) leaves every maximum unread and is not an error of the
// check.
func ReadColumnMaxima(ctx context.Context, s *pgsession.Session, cat *catalog.Catalog) error {
	type target struct {
		seq *catalog.Sequence
		sql string
	}
	var targets []target
	for _, r := range cat.Relations {
		if r.Kind != catalog.KindTable && r.Kind != catalog.KindPartitionedTable {
			continue
		}
		for _, q := range r.Sequences {
			c := r.Column(q.Column)
			if c == nil || q.Name.Name == "" || !q.Readable || !q.MaxIndexed || !q.TableReadable || q.Increment <= 0 {
				continue
			}
			if c.TypeOID != int2OID && c.TypeOID != int4OID && c.TypeOID != int8OID {
				continue
			}
			targets = append(targets, target{q, fmt.Sprintf("(SELECT max(%s) FROM %s)::int8",
				pgx.Identifier{c.Name}.Sanitize(), pgx.Identifier{r.Name.Schema, r.Name.Name}.Sanitize())})
		}
	}
	if len(targets) == 0 {
		return nil
	}
	parts := make([]string, len(targets))
	for i, t := range targets {
		parts[i] = t.sql
	}
	sql := "SELECT " + strings.Join(parts, ",\n       ")
	vals := make([]*int64, len(targets))
	dest := make([]any, len(targets))
	for i := range vals {
		dest[i] = &vals[i]
	}
	err := s.Read(ctx, func(q *pgsession.Queue) { q.Query(sql) }, func(r *pgsession.Results) error {
		return r.QueryRow().Scan(dest...)
	})
	var pgErr *pgconn.PgError
	switch {
	case errors.As(err, &pgErr):
		return nil
	case err != nil:
		return fmt.Errorf("reading the maxima of serial columns: %w", err)
	}
	for i, t := range targets {
		t.seq.ColumnMax, t.seq.MaxRead = vals[i], true
	}
	return nil
}
