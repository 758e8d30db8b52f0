package pgtest

import (
	"os/exec"

	"github.com/rbacdrift/rbacdrift/internal/pgserver"
)

// An osUser is the OS user a cluster runs as when the tests run as root,
// because initdb and pg_ctl refuse to run as root.
type osUser = pgserver.User

// serverUser returns the OS user to run clusters as: nil (the current user)
// unless the process runs as root, then "postgres".
func serverUser() (*osUser, error) {
	return pgserver.ForServer("\nhint: create one (useradd --system postgres) or run the tests as another user")
}

// setProcUser makes cmd run as u, when u is not nil.
func setProcUser(cmd *exec.Cmd, u *osUser) { u.Apply(cmd) }

// The server plumbing the harness shares with the scratch server.
var (
	appendConf          = pgserver.AppendConf
	confString          = pgserver.ConfString
	childEnv            = pgserver.ChildEnv
	traversableByOthers = pgserver.TraversableByOthers
	lookPathIn          = pgserver.LookPathIn
	isExecutable        = pgserver.IsExecutable
	hasServerBinaries   = pgserver.HasServerBinaries
	defaultFinder       = pgserver.DefaultFinder
)

// A binFinder finds the directory of the server binaries.
type binFinder = pgserver.Finder
