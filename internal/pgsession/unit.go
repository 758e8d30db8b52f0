package pgsession

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgtype"
)

// A Session runs rbacdrift's units of work on one connection. Each unit is
// one pipelined round trip that opens a READ ONLY transaction, sets its own
// limits with SET LOCAL, runs its statements and rolls back, so that
// nothing it does outlives it on the server connection: not a setting (SET
// LOCAL ends with the transaction), not a prepared statement (the unnamed
// statement, or a named one closed before the ROLLBACK). That holds through
// a transaction pooler, which hands the server connection to another client
// between transactions and drops the startup parameters that a direct
// connection also carries.
//
// A Session speaks the protocol through pgconn with unnamed statements, so
// the exec mode and statement cache of the *pgx.Conn it wraps are neither
// used nor changed: a caller's connection is left as it was.
type Session struct {
	conn *pgx.Conn
	pg   *pgconn.PgConn
	tm   *pgtype.Map
	opts Options

	// Startup says what became of the startup parameters, when [Open]
	// opened the session; "" for a connection given to [NewSession].
	Startup Startup
	// RefusedBecause is the server's or pooler's refusal, with Startup
	// StartupRefused.
	RefusedBecause string
}

// Close closes the connection.
func (s *Session) Close(ctx context.Context) error { return s.conn.Close(ctx) }

// NewSession wraps conn, which must be idle (not in a transaction).
func NewSession(conn *pgx.Conn, opts Options) *Session {
	return &Session{conn: conn, pg: conn.PgConn(), tm: conn.TypeMap(), opts: opts.withDefaults()}
}

// PgConn returns the connection the session runs on.
func (s *Session) PgConn() *pgconn.PgConn { return s.pg }

// Conn returns the *pgx.Conn the session wraps.
func (s *Session) Conn() *pgx.Conn { return s.conn }

// Options returns the limits of the session's units of work.
func (s *Session) Options() Options { return s.opts }

func (o Options) withDefaults() Options {
	if o.Timeout <= 0 {
		o.Timeout = 30 * time.Second
	}
	if o.LockTimeout <= 0 {
		o.LockTimeout = o.Timeout / 2
	}
	o.LockTimeout = min(o.LockTimeout, o.Timeout)
	return o
}

// StatementTimeout is the statement_timeout of a unit that starts now: the
// configured one, or less when ctx's deadline is nearer, so that a slow
// statement ends as the server's own error (57014) with a second left to
// roll back and report, rather than as the run's deadline.
func (s *Session) StatementTimeout(ctx context.Context) time.Duration {
	d := s.opts.Timeout
	if deadline, ok := ctx.Deadline(); ok {
		d = min(d, time.Until(deadline)-time.Second)
	}
	return max(d, time.Millisecond)
}

// BeginStatements returns the statements that open a unit of work, in
// order: BEGIN READ ONLY, then SET LOCAL of statement_timeout (st),
// lock_timeout, idle_in_transaction_session_timeout and jit, then extra
// (more SET LOCAL statements the caller needs). The values are numbers
// rbacdrift computes, never text from outside.
func (s *Session) BeginStatements(st time.Duration, extra ...string) []string {
	ms := func(d time.Duration) string { return strconv.FormatInt(max(d.Milliseconds(), 1), 10) }
	out := []string{
		"BEGIN READ ONLY",
		"SET LOCAL statement_timeout = " + ms(st),
		"SET LOCAL lock_timeout = " + ms(min(s.opts.LockTimeout, st)),
		"SET LOCAL idle_in_transaction_session_timeout = " + ms(s.opts.Timeout),
		"SET LOCAL jit = off",
	}
	return append(out, extra...)
}

// A Queue collects the statements of one unit of work.
type Queue struct {
	s     *Session
	p     *pgconn.Pipeline
	kinds []resultKind
	named []string // named statements it prepares
	err   error
}

type resultKind int

const (
	resultQuery resultKind = iota
	resultPrepare
	resultClose
)

// Query queues sql with args, sent in the text format as the server infers
// their types from the SQL (as pgx's exec mode does).
func (q *Queue) Query(sql string, args ...any) {
	vals, err := encodeArgs(q.s.tm, args)
	if err != nil && q.err == nil {
		q.err = err
	}
	q.p.SendQueryParams(sql, vals, nil, nil, nil)
	q.kinds = append(q.kinds, resultQuery)
}

// Prepare queues a Parse and Describe of sql as the statement name, with
// the given parameter types (0 lets the server infer one).
func (q *Queue) Prepare(name, sql string, paramOIDs []uint32) {
	q.p.SendPrepare(name, sql, paramOIDs)
	q.kinds = append(q.kinds, resultPrepare)
	if name != "" {
		q.named = append(q.named, name)
	}
}

// QueryPrepared queues an execution of the prepared statement name with
// text-format arguments (nil is NULL).
func (q *Queue) QueryPrepared(name string, values [][]byte) {
	q.p.SendQueryPrepared(name, values, nil, nil)
	q.kinds = append(q.kinds, resultQuery)
}

// QueryPreparedArgs queues an execution of the prepared statement name
// with args, encoded as [Queue.Query] encodes them.
func (q *Queue) QueryPreparedArgs(name string, args ...any) {
	vals, err := encodeArgs(q.s.tm, args)
	if err != nil && q.err == nil {
		q.err = err
	}
	q.QueryPrepared(name, vals)
}

// Close queues the closing of the prepared statement name.
func (q *Queue) Close(name string) {
	q.p.SendDeallocate(name)
	q.kinds = append(q.kinds, resultClose)
}

// Results reads the answers to a unit's statements, in the order they were
// queued.
type Results struct {
	q    *Queue
	next int
	err  error // the first server error: the statements after it were skipped
}

func (r *Results) take(want resultKind) (any, error) {
	if r.next >= len(r.q.kinds) {
		return nil, errors.New("no more queued statements")
	}
	kind := r.q.kinds[r.next]
	r.next++
	if kind != want {
		return nil, fmt.Errorf("statement %d was queued as another kind", r.next)
	}
	if r.err != nil {
		return nil, r.err
	}
	res, err := r.q.p.GetResults()
	if err != nil {
		var pgErr *pgconn.PgError
		if errors.As(err, &pgErr) {
			r.err = err
		}
		return nil, err
	}
	return res, nil
}

// Query returns the rows of the next queued query.
func (r *Results) Query() (pgx.Rows, error) {
	res, err := r.take(resultQuery)
	if err != nil {
		return nil, err
	}
	rr, ok := res.(*pgconn.ResultReader)
	if !ok {
		return nil, fmt.Errorf("unexpected pipeline result %T", res)
	}
	return pgx.RowsFromResultReader(r.q.s.tm, rr), nil
}

// QueryRow returns the first row of the next queued query.
func (r *Results) QueryRow() pgx.Row {
	rows, err := r.Query()
	return &row{rows: rows, err: err}
}

// Exec reads the next queued query to its end.
func (r *Results) Exec() (pgconn.CommandTag, error) {
	res, err := r.take(resultQuery)
	if err != nil {
		return pgconn.CommandTag{}, err
	}
	rr, ok := res.(*pgconn.ResultReader)
	if !ok {
		return pgconn.CommandTag{}, fmt.Errorf("unexpected pipeline result %T", res)
	}
	tag, err := rr.Close()
	if err != nil {
		var pgErr *pgconn.PgError
		if errors.As(err, &pgErr) {
			r.err = err
		}
	}
	return tag, err
}

// Prepare returns the description of the next queued Prepare.
func (r *Results) Prepare() (*pgconn.StatementDescription, error) {
	res, err := r.take(resultPrepare)
	if err != nil {
		return nil, err
	}
	sd, ok := res.(*pgconn.StatementDescription)
	if !ok {
		return nil, fmt.Errorf("unexpected pipeline result %T", res)
	}
	return sd, nil
}

// CloseStatement reads the answer to the next queued Close.
func (r *Results) CloseStatement() error {
	_, err := r.take(resultClose)
	return err
}

// Close is a no-op: the unit reads what is left when it ends.
func (r *Results) Close() error { return nil }

// Err returns the first server error of the unit, which ended its
// transaction: the statements after it were not run.
func (r *Results) Err() error { return r.err }

// Unit runs one unit of work in one round trip: the statements of
// [Session.BeginStatements] (with extra SET LOCALs), those that send queues,
// ROLLBACK, then one Sync. recv reads the answers of what send queued, in
// order; it may stop early. A server error in any statement makes the
// server skip the rest up to the Sync, so the transaction is then rolled
// back in a second round trip. The error returned is recv's, else the first
// failure of the unit itself.
func (s *Session) Unit(ctx context.Context, extra []string, send func(q *Queue), recv func(r *Results) error) (err error) {
	p := s.pg.StartPipeline(ctx)
	q := &Queue{s: s, p: p}
	// A catalog read gets the whole statement_timeout: the run's context
	// deadline still cancels it on the server.
	begin := s.BeginStatements(s.opts.Timeout, extra...)
	for _, b := range begin {
		q.Query(b)
	}
	n := len(q.kinds)
	send(q)
	q.Query("ROLLBACK")
	if q.err != nil {
		p.Close()
		return q.err
	}
	if err := p.Sync(); err != nil {
		p.Close()
		return fmt.Errorf("sending to the server: %w", err)
	}
	r := &Results{q: q}
	for range n {
		if _, err := r.Exec(); err != nil {
			break
		}
	}
	var recvErr error
	if r.err == nil {
		recvErr = recv(r)
	}
	// Read what recv left, and the ROLLBACK; after a server error the
	// server skipped the rest, and Close reads up to the Sync.
	for r.next < len(q.kinds) && r.err == nil {
		switch q.kinds[r.next] {
		case resultPrepare:
			_, _ = r.Prepare()
		case resultClose:
			_ = r.CloseStatement()
		default:
			_, _ = r.Exec()
		}
	}
	cerr := p.Close()
	if (r.err != nil || s.pg.TxStatus() != 'I') && !s.pg.IsClosed() {
		// A failed statement left the transaction open in its failed state,
		// and the server skipped the Close of the unit's named statements:
		// close them inside the transaction (the server takes a Close even
		// there), so that a pooler never hands them on, and roll back.
		if err := s.Rollback(context.WithoutCancel(ctx), q.named...); err != nil && cerr == nil {
			cerr = err
		}
	}
	var pgErr *pgconn.PgError
	switch {
	case recvErr != nil:
		return recvErr
	case r.err != nil:
		return r.err
	case cerr != nil && !errors.As(cerr, &pgErr):
		return cerr
	}
	return nil
}

// Rollback closes the named statements and rolls back, in one round trip.
// The server takes a Close inside a failed transaction too, and closing a
// statement that does not exist is not an error.
func (s *Session) Rollback(ctx context.Context, named ...string) error {
	p := s.pg.StartPipeline(ctx)
	for _, n := range named {
		p.SendDeallocate(n)
	}
	p.SendQueryParams("ROLLBACK", nil, nil, nil, nil)
	if err := p.Sync(); err != nil {
		p.Close()
		return fmt.Errorf("rolling back: %w", err)
	}
	var firstErr error
	for {
		res, err := p.GetResults()
		if err != nil {
			firstErr = cmp.Or(firstErr, err)
			break
		}
		if rr, ok := res.(*pgconn.ResultReader); ok {
			if _, err := rr.Close(); err != nil {
				firstErr = cmp.Or(firstErr, err)
			}
		}
		if _, ok := res.(*pgconn.PipelineSync); ok || res == nil {
			break
		}
	}
	if err := p.Close(); err != nil {
		firstErr = cmp.Or(firstErr, err)
	}
	if firstErr != nil {
		return fmt.Errorf("rolling back: %w", firstErr)
	}
	return nil
}

// Read runs one unit of work whose statements are queries: a catalog batch.
func (s *Session) Read(ctx context.Context, send func(q *Queue), recv func(r *Results) error) error {
	return s.Unit(ctx, nil, send, recv)
}

// encodeArgs renders args in the text format. The types are those the
// catalog queries take: names, lists of names, OIDs and type modifiers.
func encodeArgs(tm *pgtype.Map, args []any) ([][]byte, error) {
	vals := make([][]byte, len(args))
	for i, a := range args {
		var oid uint32
		switch a.(type) {
		case nil:
			continue
		case string:
			oid = pgtype.TextOID
		case []string:
			oid = pgtype.TextArrayOID
		case []uint32:
			oid = pgtype.OIDArrayOID
		case []int32:
			oid = pgtype.Int4ArrayOID
		case []int16:
			oid = pgtype.Int2ArrayOID
		case int, int64, int32:
			oid = pgtype.Int8OID
		case bool:
			oid = pgtype.BoolOID
		default:
			return nil, fmt.Errorf("argument %d: unsupported type %T", i+1, a)
		}
		b, err := tm.Encode(oid, pgtype.TextFormatCode, a, nil)
		if err != nil {
			return nil, fmt.Errorf("argument %d: %w", i+1, err)
		}
		if b == nil {
			if _, ok := a.(string); ok {
				b = []byte{} // an empty text, not NULL; a nil slice is NULL
			}
		}
		vals[i] = b
	}
	return vals, nil
}

// row is a [pgx.Row] over the first row of rows.
type row struct {
	rows pgx.Rows
	err  error
}

func (r *row) Scan(dest ...any) error {
	if r.err != nil || r.rows == nil {
		return r.err
	}
	defer r.rows.Close()
	if !r.rows.Next() {
		if err := r.rows.Err(); err != nil {
			return err
		}
		return pgx.ErrNoRows
	}
	if err := r.rows.Scan(dest...); err != nil {
		return err
	}
	r.rows.Close()
	return r.rows.Err()
}

// A Querier runs one query; what [Session.InTx] hands its function.
type Querier interface {
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
}

// InTx runs fn inside one READ ONLY transaction with the session's limits
// (a unit of work whose reads depend on each other, so that they cannot be
// sent in one pipeline), and always rolls back. The Querier it gets sends
// every query as an unnamed statement, whatever the connection's exec mode.
func (s *Session) InTx(ctx context.Context, fn func(q Querier) error) error {
	begin := strings.Join(s.BeginStatements(s.opts.Timeout), "; ")
	if _, err := s.pg.Exec(ctx, begin).ReadAll(); err != nil {
		_ = s.Rollback(context.WithoutCancel(ctx))
		return fmt.Errorf("opening a read-only transaction: %w", err)
	}
	err := fn(execQuerier{s.conn})
	if rerr := s.Rollback(context.WithoutCancel(ctx)); err == nil {
		err = rerr
	}
	return err
}

type execQuerier struct{ conn *pgx.Conn }

func (q execQuerier) Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error) {
	return q.conn.Query(ctx, sql, append([]any{pgx.QueryExecModeExec}, args...)...)
}

// Closed reports whether the connection is closed.
func (s *Session) Closed() bool { return s.pg.IsClosed() }
