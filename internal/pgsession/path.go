package pgsession

// What became of a session's startup settings, as [Path] reports it.
const (
	// PathInForce: the server took them and they hold.
	PathInForce = "in_force"
	// PathRefused: the server or a pooler refused them; the session was
	// opened again without them.
	PathRefused = "refused"
	// PathIgnored: they were accepted but do not hold: a pooler that
	// ignores startup parameters (PgBouncer's ignore_startup_parameters)
	// dropped them.
	PathIgnored = "ignored"
	// PathNotSent: the connection was opened by someone else (the Go API).
	PathNotSent = "not_sent"
)

// A Path says how a session kept itself read-only and bounded. Every unit of
// work runs in its own READ ONLY transaction with SET LOCAL limits whatever
// the path; the startup settings are the defence in depth on top.
type Path struct {
	// Startup is one of the Path constants.
	Startup string
	// RefusedBecause is the refusal, when Startup is PathRefused.
	RefusedBecause string
}

// PathOf says which path s took; readOnlyGuard is whether the server
// reported default_transaction_read_only on in the session.
func PathOf(s *Session, readOnlyGuard bool) Path {
	switch {
	case s.Startup == StartupRefused:
		return Path{Startup: PathRefused, RefusedBecause: s.RefusedBecause}
	case s.Startup == "":
		return Path{Startup: PathNotSent}
	case !readOnlyGuard:
		return Path{Startup: PathIgnored}
	}
	return Path{Startup: PathInForce}
}

// Note says what happened to the startup settings and what rbacdrift did
// about it, when that is news; "" when they are in force or not rbacdrift's.
func (p Path) Note() string {
	switch p.Startup {
	case PathRefused:
		return "the server (or a connection pooler in front of it) refused rbacdrift's startup settings (" + p.RefusedBecause +
			"); connected again without them: every unit of work still runs in its own READ ONLY transaction with SET LOCAL limits, so the check stays read-only and bounded"
	case PathIgnored:
		return "the session's startup settings are not in force (default_transaction_read_only is off): a connection pooler in front of the server dropped them; every unit of work still runs in its own READ ONLY transaction with SET LOCAL limits, so the check stays read-only and bounded"
	}
	return ""
}

// Describe says which path the session took, for --verbose.
func (p Path) Describe() string {
	switch p.Startup {
	case PathInForce:
		return "session: startup settings in force (default_transaction_read_only, statement_timeout, lock_timeout, idle_in_transaction_session_timeout, jit); every unit of work in its own READ ONLY transaction with SET LOCAL limits"
	case PathNotSent:
		return "session: a connection given by the caller; every unit of work in its own READ ONLY transaction with SET LOCAL limits"
	}
	return "session: " + p.Note()
}
