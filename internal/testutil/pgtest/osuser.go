package pgtest

import "github.com/rbacdrift/rbacdrift/internal/pgserver"

// An osUser is the OS user a cluster runs as when the tests run as root,
// because initdb and pg_ctl refuse to run as root.
type osUser = pgserver.User

// serverUser returns the OS user to run clusters as: nil (the current user)
// unless the process runs as root, then "postgres".
func serverUser() (*osUser, error) {
	return pgserver.ForServer("\nhint: create one (useradd --system postgres) or run the tests as another user")
}
