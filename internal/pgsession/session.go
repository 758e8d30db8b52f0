package pgsession

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"net"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgconn/ctxwatch"
	"github.com/xo/dburl"
)

// ApplicationName is what the tool calls itself in pg_stat_activity.
const ApplicationName = "rbacdrift"

// A Target is a parsed connection, ready to connect, that can describe itself
// without its password.
type Target struct {
	Config *pgx.ConnConfig
}

// ParseTarget resolves a connection string: a postgres:// or postgresql:// URL
// as libpq reads it, another URL form that dburl knows (pg://, postgres+unix:,
// a socket path), or libpq key=value pairs. An empty string means the libpq
// environment (PGHOST, PGPORT, PGUSER, PGPASSWORD, PGDATABASE, PGSSLMODE,
// ~/.pgpass). Errors never contain the password, nor any part of it.
//
// A URL whose user name and password hold more than one '@' is refused
// before anything is resolved: the part after the first '@' would be taken
// for the host and sent to the DNS resolver.
func ParseTarget(conn string) (*Target, error) {
	if isURL(conn) {
		if auth := authority(conn); strings.Count(auth, "@") > 1 {
			return nil, fmt.Errorf("connection URL %s: the user name or password holds an unencoded '@'; percent-encode it as %%40", RedactURL(conn))
		}
	}
	dsn := conn
	if conn != "" && strings.Contains(conn, ":") && !isLibpqURL(conn) && !isKeyValue(conn) {
		u, err := dburl.Parse(conn)
		if err != nil {
			return nil, fmt.Errorf("parsing connection URL %s: %s%s", RedactURL(conn), scrub(err.Error(), conn), encodingHint(conn))
		}
		if u.Driver != "postgres" && u.Driver != "pgx" {
			return nil, fmt.Errorf("connection URL %s is for %s, not PostgreSQL", RedactURL(conn), u.Driver)
		}
		dsn = u.DSN
	}
	cfg, err := pgx.ParseConfig(dsn)
	if err != nil {
		msg := err.Error()
		var pe *pgconn.ParseConfigError
		if errors.As(err, &pe) {
			if pe.Unwrap() != nil {
				msg = pe.Unwrap().Error()
			} else {
				msg = withoutConnString(msg)
			}
		}
		return nil, fmt.Errorf("parsing connection %s: %s%s", RedactURL(conn), scrub(scrub(msg, conn), dsn), encodingHint(conn))
	}
	return &Target{Config: cfg}, nil
}

func isLibpqURL(s string) bool {
	return strings.HasPrefix(s, "postgres://") || strings.HasPrefix(s, "postgresql://")
}

func isKeyValue(s string) bool {
	eq := strings.IndexByte(s, '=')
	return eq > 0 && !strings.Contains(s[:eq], ":") && !strings.Contains(s[:eq], "/")
}

// urlUserRE matches the start of a URL with a password: the scheme, "//",
// the user name (which holds none of ":/@?#") and the colon before the
// password.
var urlUserRE = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9+.-]*://[^:/@?#]*:`)

func isURL(s string) bool { return strings.Contains(s, "://") }

// authority returns the host part of a URL as a URL parser reads it: from
// "//" to the first '/', '?' or '#'.
func authority(s string) string {
	_, rest, _ := strings.Cut(s, "//")
	if i := strings.IndexAny(rest, "/?#"); i >= 0 {
		rest = rest[:i]
	}
	return rest
}

// splitPassword finds the password of a URL-like string, well formed or
// not: everything between "scheme://user:" and the last '@' of the string.
// A password may hold '/', '?', '#', ':' or '@', which end the user
// information of a well-formed URL; redacting too much is safe where too
// little is not.
func splitPassword(conn string) (head, pw, tail string, ok bool) {
	m := urlUserRE.FindStringIndex(conn)
	if m == nil {
		return "", "", "", false
	}
	at := strings.LastIndexByte(conn, '@')
	if at < m[1] {
		return "", "", "", false
	}
	return conn[:m[1]], conn[m[1]:at], conn[at:], true
}

// encodingHint explains a URL that does not parse because its password
// holds a character that ends the user information.
func encodingHint(conn string) string {
	if _, pw, _, ok := splitPassword(conn); ok && strings.ContainsAny(pw, "/?#@ ") {
		return "; a password that holds '/', '?', '#', '@' or a space must be percent-encoded (%2F, %3F, %23, %40, %20)"
	}
	return ""
}

// withoutConnString drops the connection string pgx quotes in its own
// parse errors ("cannot parse `...`: invalid port"): it redacts the
// password as it read it, which is not all of it when the password holds
// an '@' or a '/'.
func withoutConnString(msg string) string {
	const prefix = "cannot parse `"
	if !strings.HasPrefix(msg, prefix) {
		return msg
	}
	if i := strings.LastIndex(msg, "`: "); i >= len(prefix) {
		return msg[i+len("`: "):]
	}
	return "cannot parse the connection string"
}

// scrub removes the password of conn (plain and URL-encoded) from msg.
func scrub(msg, conn string) string {
	for _, pw := range passwords(conn) {
		if len(pw) >= 2 {
			msg = strings.ReplaceAll(msg, pw, "xxxxx")
		}
	}
	return msg
}

var (
	// queryPasswordRE finds a password in the query of a URL.
	queryPasswordRE = regexp.MustCompile(`(?i)([?&]password=)[^&#]*`)
	// keyValuePasswordRE finds the password of libpq key=value pairs:
	// quoted (with backslash escapes) or up to the next space.
	keyValuePasswordRE = regexp.MustCompile(`(?i)(\bpassword\s*=\s*)('(?:[^'\\]|\\.)*'?|\S*)`)
)

func passwords(conn string) []string {
	var out []string
	add := func(pw string) {
		if pw == "" {
			return
		}
		out = append(out, pw, url.QueryEscape(pw), url.PathEscape(pw))
		if dec, err := url.PathUnescape(pw); err == nil {
			out = append(out, dec)
		}
		if dec, err := url.QueryUnescape(pw); err == nil {
			out = append(out, dec)
		}
		// What a parser may have kept of it: the parts around an '@' or a
		// '/' (the rest taken for the host, a port or the path).
		for _, part := range strings.FieldsFunc(pw, func(r rune) bool { return strings.ContainsRune("@/?#:", r) }) {
			if len(part) >= 4 {
				out = append(out, part)
			}
		}
	}
	if isURL(conn) {
		if _, pw, _, ok := splitPassword(conn); ok {
			add(pw)
		}
		if u, err := url.Parse(conn); err == nil && u.User != nil {
			if pw, ok := u.User.Password(); ok {
				add(pw)
			}
		}
		for _, m := range queryPasswordRE.FindAllStringSubmatch(conn, -1) {
			add(m[0][len(m[1]):])
		}
		return out
	}
	for _, m := range keyValuePasswordRE.FindAllStringSubmatch(conn, -1) {
		v := m[2]
		add(v)
		if strings.HasPrefix(v, "'") {
			add(strings.TrimSuffix(strings.TrimPrefix(v, "'"), "'"))
		}
	}
	return out
}

// RedactURL returns conn with any password replaced by xxxxx: in a URL,
// everything between "scheme://user:" and the last '@' (see
// [splitPassword]) and a password parameter of its query; in key=value
// pairs, the password's value.
func RedactURL(conn string) string {
	if conn == "" {
		return "(from the PG* environment)"
	}
	if !isURL(conn) {
		return keyValuePasswordRE.ReplaceAllString(conn, "${1}xxxxx")
	}
	if head, _, tail, ok := splitPassword(conn); ok {
		conn = head + "xxxxx" + tail
	}
	return queryPasswordRE.ReplaceAllString(conn, "${1}xxxxx")
}

// String describes the target as postgres://user@host:port/database, never
// with a password.
func (t *Target) String() string {
	c := t.Config
	host := c.Host
	if strings.HasPrefix(host, "/") {
		return fmt.Sprintf("postgres://%s@/%s?host=%s&port=%d", url.PathEscape(c.User), url.PathEscape(c.Database), host, c.Port)
	}
	return fmt.Sprintf("postgres://%s@%s/%s", url.PathEscape(c.User), net.JoinHostPort(host, strconv.Itoa(int(c.Port))), url.PathEscape(c.Database))
}

// Password reports the password the target would send, for scrubbing output.
func (t *Target) Password() string { return t.Config.Password }

// Options shape a session.
type Options struct {
	// Timeout bounds connecting and every statement (statement_timeout).
	Timeout time.Duration
	// LockTimeout bounds waiting for a lock (lock_timeout); defaults to half
	// of Timeout, so that a statement stuck behind another session's lock
	// fails as a lock wait (55P03), not as a slow statement.
	LockTimeout time.Duration
	// ConfigHook, when not nil, sees and may change the configuration of
	// the connection just before [Open] opens it. It exists for tests,
	// which install a recorder of every message the tool sends.
	ConfigHook func(*pgx.ConnConfig)
}

// Connect opens a session as [Open] does and returns its connection.
func Connect(ctx context.Context, t *Target, opts Options) (*pgx.Conn, error) {
	s, err := Open(ctx, t, opts)
	if err != nil {
		return nil, err
	}
	return s.conn, nil
}

// Startup says what became of a session's startup parameters.
type Startup string

// What became of the startup parameters.
const (
	// StartupSent: the server took them (they may still have been dropped
	// by a pooler that ignores startup parameters; see [Session.Guarded]).
	StartupSent Startup = "sent"
	// StartupRefused: the server or a pooler refused them, and the session
	// was opened again with application_name alone.
	StartupRefused Startup = "refused"
)

// Open connects and returns a [Session]. The settings of [SessionSettings]
// go in the startup packet, so that on a direct connection not one statement
// runs outside them; they are defence in depth, as every unit of work sets
// its own read-only transaction and limits. A server or pooler that refuses
// them (PgBouncer refuses all but a few: 08P01 unsupported startup parameter)
// gets a second connection with application_name alone; the session records
// it in Startup and RefusedBecause.
func Open(ctx context.Context, t *Target, opts Options) (*Session, error) {
	opts = opts.withDefaults()
	cfg := t.Config.Copy()
	if cfg.ConnectTimeout == 0 || cfg.ConnectTimeout > opts.Timeout {
		cfg.ConnectTimeout = opts.Timeout
	}
	base := cfg.RuntimeParams
	withSettings := map[string]string{}
	maps.Copy(withSettings, base)
	maps.Copy(withSettings, SessionSettings(opts))
	cfg.RuntimeParams = withSettings
	// Nothing is prepared or cached by pgx: the session speaks through
	// pgconn with unnamed statements (see [Session]).
	cfg.DefaultQueryExecMode = pgx.QueryExecModeExec
	cfg.StatementCacheCapacity = 0
	cfg.DescriptionCacheCapacity = 0
	// When the context ends (Ctrl-C, the overall deadline), ask the server to
	// cancel the statement in flight rather than only dropping the socket,
	// which would leave it running there; give up on the socket 2s later.
	cfg.BuildContextWatcherHandler = func(pc *pgconn.PgConn) ctxwatch.Handler {
		return &pgconn.CancelRequestContextWatcherHandler{Conn: pc, DeadlineDelay: 2 * time.Second}
	}
	if opts.ConfigHook != nil {
		opts.ConfigHook(cfg)
	}
	startup, refused := StartupSent, ""
	conn, err := pgx.ConnectConfig(ctx, cfg)
	if err != nil && refusedStartup(err) {
		refused = startupRefusal(err)
		startup = StartupRefused
		cfg.RuntimeParams = map[string]string{}
		maps.Copy(cfg.RuntimeParams, base)
		cfg.RuntimeParams["application_name"] = ApplicationName
		conn, err = pgx.ConnectConfig(ctx, cfg)
	}
	if err != nil {
		msg, kind := describeConnectError(err)
		return nil, &ConnectError{Target: t.String(), Kind: kind, Err: errors.New(scrub(msg, t.Config.Password))}
	}
	s := NewSession(conn, opts)
	s.Startup, s.RefusedBecause = startup, refused
	return s, nil
}

// refusedStartup reports whether err is a server or pooler refusing a
// startup parameter: PgBouncer's 08P01 "unsupported startup parameter", or a
// server's unknown parameter or value.
func refusedStartup(err error) bool {
	var pgErr *pgconn.PgError
	if !errors.As(err, &pgErr) {
		return false
	}
	switch pgErr.Code {
	case "08P01":
		return strings.Contains(pgErr.Message, "startup parameter")
	case "42704", "22023":
		return true
	}
	return false
}

func startupRefusal(err error) string {
	var pgErr *pgconn.PgError
	errors.As(err, &pgErr)
	return pgErr.Message + " (SQLSTATE " + pgErr.Code + ")"
}

// SessionSettings returns the startup parameters of every rbacdrift session.
func SessionSettings(opts Options) map[string]string {
	if opts.Timeout <= 0 {
		opts.Timeout = 30 * time.Second
	}
	if opts.LockTimeout <= 0 {
		opts.LockTimeout = opts.Timeout / 2
	}
	opts.LockTimeout = min(opts.LockTimeout, opts.Timeout)
	ms := func(d time.Duration) string { return strconv.FormatInt(max(d.Milliseconds(), 1), 10) }
	return map[string]string{
		"application_name":                    ApplicationName,
		"default_transaction_read_only":       "on",
		"statement_timeout":                   ms(opts.Timeout),
		"lock_timeout":                        ms(opts.LockTimeout),
		"idle_in_transaction_session_timeout": ms(opts.Timeout),
		"jit":                                 "off",
	}
}

// A ConnectError means the session could not be opened. Its message is the
// server's or the network's own words, with what to check; Kind says which
// kind of failure it was, for a caller to add its own advice (the command
// names the flag that sets the connect timeout).
type ConnectError struct {
	Target string
	Kind   ConnectKind
	Err    error
}

// A ConnectKind classifies a [ConnectError].
type ConnectKind string

// The kinds of [ConnectError].
const (
	ConnectOther    ConnectKind = ""
	ConnectTimeout  ConnectKind = "timeout"  // the server did not answer within the connect timeout
	ConnectAuth     ConnectKind = "auth"     // the server refused the user name or password (28P01, 28000)
	ConnectDatabase ConnectKind = "database" // no such database (3D000)
	ConnectDenied   ConnectKind = "denied"   // the role may not connect (42501)
	ConnectTLS      ConnectKind = "tls"      // the TLS handshake or the certificate failed
	ConnectResolve  ConnectKind = "resolve"  // the host name did not resolve
)

func (e *ConnectError) Error() string {
	return fmt.Sprintf("cannot connect to %s: %v", e.Target, e.Err)
}

func (e *ConnectError) Unwrap() error { return e.Err }

// A TimeoutError is a statement of a unit of work that ran past the unit's
// statement_timeout (the server's 57014): the limit the unit set, which a
// caller may raise. Its message is the server's.
type TimeoutError struct {
	Limit time.Duration // the statement_timeout of the unit
	Err   error         // the *pgconn.PgError
}

func (e *TimeoutError) Error() string { return e.Err.Error() }

func (e *TimeoutError) Unwrap() error { return e.Err }

// asTimeout returns err as a [TimeoutError] when it is the server's
// statement_timeout, else err.
func asTimeout(err error, limit time.Duration) error {
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) && pgErr.Code == "57014" && strings.Contains(pgErr.Message, "statement timeout") {
		return &TimeoutError{Limit: limit, Err: err}
	}
	return err
}

// describeConnectError keeps the server's or the network's own words and
// drops pgx's repetition of the connection parameters.
func describeConnectError(err error) (string, ConnectKind) {
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		msg := pgErr.Message + " (SQLSTATE " + pgErr.Code + ")"
		kind := ConnectOther
		switch pgErr.Code {
		case "28P01", "28000":
			msg += "; check the user name and password (PGPASSWORD, ~/.pgpass or the URL)"
			kind = ConnectAuth
		case "3D000":
			msg += "; check the database name"
			kind = ConnectDatabase
		case "42501":
			msg += "; the role needs CONNECT on the database"
			kind = ConnectDenied
		}
		return msg, kind
	}
	var ce *pgconn.ConnectError
	if errors.As(err, &ce) && ce.Unwrap() != nil {
		err = ce.Unwrap()
	}
	msg := oneLine(err.Error())
	switch {
	case errors.Is(err, context.DeadlineExceeded) || strings.Contains(msg, "timeout"):
		return msg + "; the server did not answer in time", ConnectTimeout
	case strings.Contains(msg, "x509:") || strings.Contains(msg, "tls: failed to verify"):
		return msg + "; the server's certificate was not accepted: sslrootcert must name the CA that signed it, and with sslmode=verify-full the host must be a name or address the certificate holds", ConnectTLS
	case strings.HasPrefix(msg, "hostname resolving error"):
		detail := strings.TrimPrefix(strings.TrimPrefix(msg, "hostname resolving error"), ": ")
		if detail == "" || strings.HasPrefix(detail, "%!") { // the resolver gave no address and no error
			detail = "no address"
		}
		return "cannot resolve the host name (" + detail + "); check the host in the connection string", ConnectResolve
	case strings.Contains(msg, "server refused TLS connection"):
		return msg + "; the server does not offer TLS: turn ssl on there, or use sslmode=prefer or sslmode=disable on a network you trust", ConnectTLS
	}
	return msg, ConnectOther
}

// oneLine joins the lines of a connection error, once each: pgx reports
// every attempt (sslmode=prefer tries TLS, then plain), often alike.
func oneLine(msg string) string {
	var lines []string
	for _, l := range strings.Split(msg, "\n") {
		if l = strings.TrimSpace(l); l != "" && !slices.Contains(lines, l) {
			lines = append(lines, l)
		}
	}
	return strings.Join(lines, "; ")
}
