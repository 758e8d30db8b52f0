package pgsession

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgtype"
)

// A Session runs rbacdrift's units of work on one connection. A unit of
// work is one READ ONLY transaction, and this file is the one place that
// opens and ends one; every statement rbacdrift sends to a database it
// checks goes through it, in one of two forms that share that code:
//
//   - [Session.Unit] (and [Session.Read], its plain form for catalog
//     reads): the whole transaction in one pipelined round trip.
//   - [Session.Parts]: the same round trip for many independent parts
//     (the dry run of many queries), each undone before the next starts
//     and each with what is left of the unit's time limits.
//   - [Session.Steps]: for reads that depend on each other's answers, a
//     function that runs queries one at a time inside the transaction.
//
// Either way the unit opens with BEGIN READ ONLY, sets its limits with SET
// LOCAL (statement_timeout, lock_timeout,
// idle_in_transaction_session_timeout, jit), takes a savepoint, runs the
// caller's SET LOCALs and statements, and ends, also after an error, with:
// the Close of every statement it prepared by name, ROLLBACK TO the
// savepoint (which makes a failed transaction usable again), the release of
// every advisory lock the session holds (pg_advisory_unlock_all: a
// session-level lock, taken by a sampled query or by a function the planner
// runs during EXPLAIN, survives ROLLBACK), and ROLLBACK. So nothing a unit
// does outlives it on the server connection: not a setting, not a prepared
// statement, not a lock. That holds through a transaction pooler, which
// hands the server connection to another client between transactions and
// drops the startup parameters that a direct connection also carries.
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

// Addr returns the host and port the session was given (a host that
// starts with '/' is a socket directory), for a report to name its target.
func (s *Session) Addr() (host string, port uint16) {
	cfg := s.conn.Config()
	return cfg.Host, cfg.Port
}

// Options returns the limits of the session's units of work.
func (s *Session) Options() Options { return s.opts }

// Closed reports whether the connection is closed.
func (s *Session) Closed() bool { return s.pg.IsClosed() }

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

// UnitOptions shape one unit of work beyond the session's limits.
type UnitOptions struct {
	// Settings are more SET LOCAL statements, run after the session's
	// limits and before the caller's statements. They are constants of the
	// caller's (plan_cache_mode = force_generic_plan), never text from
	// outside.
	Settings []string
	// Budgeted makes the unit's statement_timeout what is left of ctx's
	// deadline, less a second, when that is less than the session's
	// Timeout: a slow statement then ends as the server's own error
	// (57014), with time left to report it and go on. A unit that is not
	// budgeted gets the whole Timeout, and the run's deadline cancels it on
	// the server.
	Budgeted bool
}

// The statements that open and end every unit. The savepoint comes after
// the session's limits, so that rolling back to it keeps them, and before
// the caller's settings and statements, so that it undoes them.
const (
	beginSQL      = "BEGIN READ ONLY"
	savepointSQL  = "SAVEPOINT rbacdrift_unit"
	rollbackToSQL = "ROLLBACK TO SAVEPOINT rbacdrift_unit"
	unlockSQL     = "SELECT pg_catalog.pg_advisory_unlock_all()"
	rollbackSQL   = "ROLLBACK"

	// The savepoint every part of [Session.Parts] starts from, and the
	// statement that gives a part what is left of the unit's limits:
	// statement_timeout ($1, in ms) less the time since the transaction
	// began (now() is its start), at least 1 ms, and lock_timeout no more
	// than that and $2. The limits are prepared once per unit (as
	// partLimitsName), so that a part pays for their execution only.
	partSavepointSQL  = "SAVEPOINT rbacdrift_part"
	partRollbackToSQL = "ROLLBACK TO SAVEPOINT rbacdrift_part"
	partLimitsName    = "rbacdrift_part_limits"
	partLimitsSQL     = "SELECT pg_catalog.set_config('statement_timeout', t.ms::text, true), " +
		"pg_catalog.set_config('lock_timeout', least(t.ms, $2::int8)::text, true) " +
		"FROM (SELECT greatest(1, $1::int8 - (pg_catalog.date_part('epoch', pg_catalog.clock_timestamp() - pg_catalog.now()) * 1000)::int8) AS ms) AS t"
)

// statementTimeout is the statement_timeout of a unit that starts now.
func (s *Session) statementTimeout(ctx context.Context, budgeted bool) time.Duration {
	d := s.opts.Timeout
	if deadline, ok := ctx.Deadline(); ok && budgeted {
		d = min(d, time.Until(deadline)-time.Second)
	}
	return max(d, time.Millisecond)
}

// millis is d in whole milliseconds, at least 1.
func millis(d time.Duration) int64 { return max(d.Milliseconds(), 1) }

// beginStatements returns the statements that open a unit of work, in
// order. The values are numbers rbacdrift computes, never text from
// outside.
func (s *Session) beginStatements(st time.Duration, settings []string) []string {
	ms := func(d time.Duration) string { return strconv.FormatInt(millis(d), 10) }
	out := []string{
		beginSQL,
		"SET LOCAL statement_timeout = " + ms(st),
		"SET LOCAL lock_timeout = " + ms(min(s.opts.LockTimeout, st)),
		"SET LOCAL idle_in_transaction_session_timeout = " + ms(s.opts.Timeout),
		"SET LOCAL jit = off",
		savepointSQL,
	}
	return append(out, settings...)
}

// A Queue collects the statements of one unit of work.
type Queue struct {
	s     *Session
	p     *pgconn.Pipeline
	kinds []resultKind
	named []string // named statements it prepares
	err   error    // an argument that could not be encoded
}

type resultKind int

const (
	resultQuery resultKind = iota
	resultPrepare
	resultClose
	resultSync
)

func (s *Session) queue(ctx context.Context) *Queue {
	return &Queue{s: s, p: s.pg.StartPipeline(ctx)}
}

// Query queues sql with args, sent in the text format as the server infers
// their types from the SQL (as pgx's exec mode does). An argument that
// cannot be encoded is the unit's error: the statement is not sent, and
// the unit rolls back without reading its answers.
func (q *Queue) Query(sql string, args ...any) {
	vals, err := encodeArgs(q.s.tm, args)
	if err != nil {
		q.err = cmp.Or(q.err, err)
		return
	}
	q.p.SendQueryParams(sql, vals, nil, nil, nil)
	q.kinds = append(q.kinds, resultQuery)
}

// Prepare queues a Parse and Describe of sql as the statement name, with
// the given parameter types (0 lets the server infer one). A named
// statement is closed when the unit ends, whatever happened.
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
	if err != nil {
		q.err = cmp.Or(q.err, err)
		return
	}
	q.QueryPrepared(name, vals)
}

// Close queues the closing of the prepared statement name, which the end
// of the unit then need not close.
func (q *Queue) Close(name string) {
	q.named = slices.DeleteFunc(q.named, func(n string) bool { return n == name })
	q.p.SendDeallocate(name)
	q.kinds = append(q.kinds, resultClose)
}

// sync ends a segment of the pipeline: a server error makes the server skip
// the rest of its segment, not what follows the sync.
func (q *Queue) sync() {
	q.p.SendPipelineSync()
	q.kinds = append(q.kinds, resultSync)
}

// end queues the statements that end a unit (see [Session]). The Closes
// come first: the server takes them in a failed transaction, before
// anything else in the segment can fail.
func (q *Queue) end(named []string) {
	for _, n := range named {
		q.p.SendDeallocate(n)
		q.kinds = append(q.kinds, resultClose)
	}
	for _, sql := range []string{rollbackToSQL, unlockSQL, rollbackSQL} {
		q.Query(sql)
	}
	q.sync()
}

// send flushes the queue and returns a reader of its answers; the first
// parts segments are the caller's.
func (q *Queue) send(parts int) (*Results, error) {
	if err := q.p.Flush(); err != nil {
		q.p.Close()
		return nil, fmt.Errorf("sending to the server: %w", err)
	}
	return &Results{q: q, parts: parts}, nil
}

// Results reads the answers to a unit's statements, in the order they were
// queued.
type Results struct {
	q     *Queue
	next  int
	seg   int // segments read to their sync
	parts int // the caller's segments, which come first

	err      error // the first server error of the caller's current segment
	endErr   error // the first server error of the segment that ends the unit
	unread   error // a server error met in statements the caller did not read
	broken   error // the connection failed: nothing more can be read
	skipping bool  // a server error skipped the rest of the segment
}

// fail records err, met reading a statement of the current segment.
func (r *Results) fail(err error) {
	var pgErr *pgconn.PgError
	if !errors.As(err, &pgErr) {
		r.broken = cmp.Or(r.broken, err)
		return
	}
	r.skipping = true
	if r.seg < r.parts {
		r.err = cmp.Or(r.err, err)
	} else {
		r.endErr = cmp.Or(r.endErr, err)
	}
}

// errSkipped is the answer to a statement that the server skipped after an
// error the caller had not read.
var errSkipped = errors.New("statement skipped after an earlier error in its unit")

func (r *Results) take(want resultKind) (any, error) {
	if r.next >= len(r.q.kinds) {
		return nil, errors.New("no more queued statements")
	}
	kind := r.q.kinds[r.next]
	if kind != want {
		return nil, fmt.Errorf("statement %d was queued as another kind", r.next+1)
	}
	r.next++
	switch {
	case r.broken != nil:
		return nil, r.broken
	case r.skipping:
		return nil, cmp.Or(r.err, r.endErr, errSkipped)
	}
	res, err := r.q.p.GetResults()
	if err != nil {
		r.fail(err)
		return nil, err
	}
	if _, ok := res.(*pgconn.PipelineSync); ok {
		// An error in rows the caller read (pgx.Rows keep it) made the
		// server skip this statement, and the sync is read already.
		r.skipping = true
		r.passSync()
		return nil, cmp.Or(r.err, errSkipped)
	}
	return res, nil
}

// passSync moves past the sync of the current segment, which was read.
func (r *Results) passSync() {
	for r.next < len(r.q.kinds) {
		k := r.q.kinds[r.next]
		r.next++
		if k == resultSync {
			break
		}
	}
	r.seg++
	r.skipping = false
}

// drain reads every answer left, to the last sync.
func (r *Results) drain() {
	for r.next < len(r.q.kinds) && r.broken == nil {
		r.drainSegment()
	}
}

// drainSegment reads the answers left in the current segment, to its sync.
func (r *Results) drainSegment() {
	seg := r.seg
	for r.seg == seg && r.next < len(r.q.kinds) && r.broken == nil {
		kind := r.q.kinds[r.next]
		if r.skipping && kind != resultSync {
			r.next++
			continue
		}
		res, err := r.q.p.GetResults()
		if err != nil {
			r.fail(err)
			if seg < r.parts {
				r.unread = cmp.Or(r.unread, err)
			}
			r.next++
			continue
		}
		switch res := res.(type) {
		case *pgconn.ResultReader:
			if _, err := res.Close(); err != nil {
				r.fail(err)
				if seg < r.parts {
					r.unread = cmp.Or(r.unread, err)
				}
			}
		case *pgconn.PipelineSync:
			r.passSync()
			continue
		}
		r.next++
	}
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
	return &watchedRows{Rows: pgx.RowsFromResultReader(r.q.s.tm, rr), r: r}, nil
}

// watchedRows records the server error that ends its rows in the unit's
// Results, which then know the server skipped the rest of the segment.
type watchedRows struct {
	pgx.Rows
	r    *Results
	seen bool
}

func (w *watchedRows) Next() bool {
	if w.Rows.Next() {
		return true
	}
	w.record()
	return false
}

func (w *watchedRows) Close() {
	w.Rows.Close()
	w.record()
}

func (w *watchedRows) record() {
	if err := w.Rows.Err(); err != nil && !w.seen {
		w.seen = true
		w.r.fail(err)
	}
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
		r.fail(err)
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

// Unit runs one unit of work (see [Session]) in one round trip: the
// statements that open it, with o's settings, those that send queues, a
// sync, then the statements that end it and a second sync. recv reads the
// answers to what send queued, in order, and may stop early; it is not
// called when the unit could not be opened.
//
// A server error makes the server skip the rest of the caller's statements;
// the statements that end the unit follow the sync, so the server runs them
// after an error too. The error returned is recv's; a server error recv
// reads and does not return is its to judge (a dry run makes it a finding).
// Otherwise Unit fails when the unit could not be opened or ended, when the
// connection broke, or on a server error in a statement recv did not read.
// A statement past the unit's statement_timeout is a [*TimeoutError].
func (s *Session) Unit(ctx context.Context, o UnitOptions, send func(q *Queue), recv func(r *Results) error) error {
	q := s.queue(ctx)
	st := s.statementTimeout(ctx, o.Budgeted)
	begin := s.beginStatements(st, o.Settings)
	for _, b := range begin {
		q.Query(b)
	}
	send(q)
	q.sync()
	q.end(q.named)
	r, err := q.send(1)
	if err != nil {
		return err
	}
	beginErr := r.openedErr(len(begin))
	var recvErr error
	if beginErr == nil && q.err == nil {
		recvErr = recv(r)
	}
	endErr := s.finish(ctx, r)
	return asTimeout(cmp.Or(recvErr, q.err, beginErr, r.broken, r.unread, endErr), st)
}

// Parts runs one unit of work (see [Session]) of n independent parts in
// one round trip: the dry run of many queries, which one unit each would
// send in n round trips and n transactions. After the statements that
// open the unit, with o's settings, comes a savepoint; every part is a
// segment of the pipeline of its own, so that a server error skips the
// rest of its part only, and every part after the first starts by closing
// the statements the part before it prepared by name, rolling back to that
// savepoint (which undoes what the part before it set, and makes a failed
// transaction usable again) and taking as statement_timeout and
// lock_timeout what is left of the unit's, computed on the server: a slow
// or locked part ends as its own error (57014, 55P03) and the parts after
// it keep the rest of the budget, as units one after another would.
//
// send queues the statements of part i; recv reads their answers, in
// order, and may stop early. recv is called for every part, in order,
// unless the unit could not be opened, a part could not be started, or an
// earlier recv returned an error. The error returned is as [Session.Unit]'s.
func (s *Session) Parts(ctx context.Context, o UnitOptions, n int, send func(i int, q *Queue), recv func(i int, r *Results) error) error {
	q := s.queue(ctx)
	st := s.statementTimeout(ctx, o.Budgeted)
	begin := append(s.beginStatements(st, o.Settings), partSavepointSQL)
	for _, b := range begin {
		q.Query(b)
	}
	if n > 1 {
		// Not a part's statement (each part closes the one before it
		// prepared): closed with the unit's end.
		q.p.SendPrepare(partLimitsName, partLimitsSQL, nil)
		q.kinds = append(q.kinds, resultPrepare)
	}
	limits := [][]byte{
		strconv.AppendInt(nil, millis(st), 10),
		strconv.AppendInt(nil, millis(min(s.opts.LockTimeout, st)), 10),
	}
	starts := make([]int, n) // the statements that start each part
	for i := range n {
		if i > 0 {
			starts[i] = len(q.named) + 2
			for _, name := range slices.Clone(q.named) {
				q.Close(name)
			}
			q.Query(partRollbackToSQL)
			q.QueryPrepared(partLimitsName, limits)
		}
		send(i, q)
		q.sync()
	}
	if n > 1 {
		q.named = append(q.named, partLimitsName)
	}
	q.end(q.named)
	r, err := q.send(n)
	if err != nil {
		return err
	}
	beginErr := r.openedErr(len(begin))
	if beginErr == nil && n > 1 {
		if _, err := r.Prepare(); err != nil {
			beginErr = fmt.Errorf("opening a read-only transaction: %w", err)
		}
	}
	var recvErr error
	if beginErr == nil && q.err == nil {
		for i := range n {
			if recvErr = r.startPart(i, starts[i]); recvErr != nil {
				break
			}
			if recvErr = recv(i, r); recvErr != nil {
				break
			}
		}
	}
	endErr := s.finish(ctx, r)
	return asTimeout(cmp.Or(recvErr, q.err, beginErr, r.broken, r.unread, endErr), st)
}

// startPart moves to part i of [Session.Parts], whose first n statements
// start it (the closes, the rollback to the savepoint and the limits),
// past what the caller left unread of the part before it.
func (r *Results) startPart(i, n int) error {
	for r.seg < i && r.next < len(r.q.kinds) && r.broken == nil {
		r.drainSegment()
	}
	if r.broken != nil {
		return r.broken
	}
	r.err = nil
	for range n {
		var err error
		if r.q.kinds[r.next] == resultClose {
			err = r.CloseStatement()
		} else {
			_, err = r.Exec()
		}
		if err != nil {
			return fmt.Errorf("starting part %d of a unit of work: %w", i+1, err)
		}
	}
	return nil
}

// openedErr reads the answers to the n statements that open a unit.
func (r *Results) openedErr(n int) error {
	for range n {
		if _, err := r.Exec(); err != nil {
			return fmt.Errorf("opening a read-only transaction: %w", err)
		}
	}
	return nil
}

// Read runs one unit of work whose statements are queries: a catalog batch.
func (s *Session) Read(ctx context.Context, send func(q *Queue), recv func(r *Results) error) error {
	return s.Unit(ctx, UnitOptions{}, send, recv)
}

// A Querier runs one query; what [Session.Steps] hands its function.
type Querier interface {
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
}

// Steps runs fn in one unit of work (see [Session]) whose reads depend on
// each other, so that they cannot be sent in one pipeline: one round trip
// opens the unit, fn's queries run one at a time inside it, and one round
// trip ends it. The Querier fn gets sends every query as an unnamed
// statement, whatever the connection's exec mode.
func (s *Session) Steps(ctx context.Context, o UnitOptions, fn func(q Querier) error) error {
	q := s.queue(ctx)
	st := s.statementTimeout(ctx, o.Budgeted)
	begin := s.beginStatements(st, o.Settings)
	for _, b := range begin {
		q.Query(b)
	}
	q.sync()
	r, err := q.send(1)
	if err != nil {
		return err
	}
	beginErr := r.openedErr(len(begin))
	r.drain()
	if err := q.p.Close(); err != nil && beginErr == nil && r.broken == nil {
		var pgErr *pgconn.PgError
		if !errors.As(err, &pgErr) {
			r.broken = err
		}
	}
	var fnErr error
	if beginErr == nil && r.broken == nil {
		fnErr = fn(execQuerier{s.conn})
	}
	var endErr error
	if !s.pg.IsClosed() {
		end := s.queue(s.cleanupContext(ctx))
		end.end(nil)
		re, err := end.send(0)
		if err != nil {
			endErr = err
		} else {
			endErr = s.finish(ctx, re)
		}
	}
	return asTimeout(cmp.Or(fnErr, beginErr, r.broken, endErr), st)
}

type execQuerier struct{ conn *pgx.Conn }

func (q execQuerier) Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error) {
	return q.conn.Query(ctx, sql, append([]any{pgx.QueryExecModeExec}, args...)...)
}

// cleanupContext bounds the end of a unit by the session's Timeout, also
// when ctx has ended: the statements that end a unit must still run.
func (s *Session) cleanupContext(ctx context.Context) context.Context {
	c, cancel := context.WithTimeout(context.WithoutCancel(ctx), s.opts.Timeout)
	context.AfterFunc(c, cancel)
	return c
}

// finish reads what is left of a unit's answers and closes the pipeline.
// When the transaction is still open (the statements that end it failed:
// an error before the savepoint), it closes the named statements and rolls
// back in one more round trip. It returns an error when the unit could not
// be ended.
func (s *Session) finish(ctx context.Context, r *Results) error {
	r.drain()
	cerr := r.q.p.Close()
	var pgErr *pgconn.PgError
	if cerr != nil && !errors.As(cerr, &pgErr) {
		r.broken = cmp.Or(r.broken, cerr)
	}
	if s.pg.IsClosed() || s.pg.TxStatus() == 'I' {
		return nil
	}
	p := s.pg.StartPipeline(s.cleanupContext(ctx))
	for _, n := range r.q.named {
		p.SendDeallocate(n)
	}
	p.SendQueryParams(rollbackSQL, nil, nil, nil, nil)
	if err := p.Sync(); err != nil {
		p.Close()
		return fmt.Errorf("rolling back: %w", err)
	}
	if err := p.Close(); err != nil || s.pg.TxStatus() != 'I' {
		return fmt.Errorf("rolling back: %w", cmp.Or(err, r.endErr, errors.New("the transaction is still open")))
	}
	return nil
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
