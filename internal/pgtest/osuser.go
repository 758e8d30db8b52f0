package pgtest

import (
	"os"
	"os/exec"
	"path/filepath"

	"github.com/rbacdrift/rbacdrift/internal/osuser"
)

// An osUser is the OS user a cluster runs as when the tests run as root,
// because initdb and pg_ctl refuse to run as root.
type osUser = osuser.User

// serverUser returns the OS user to run clusters as: nil (the current user)
// unless the process runs as root, then "postgres".
func serverUser() (*osUser, error) {
	return osuser.ForServer("\nhint: create one (useradd --system postgres) or run the tests as another user")
}

// setProcUser makes cmd run as u, when u is not nil.
func setProcUser(cmd *exec.Cmd, u *osUser) { u.Apply(cmd) }

// startWatchdog starts the watchdog of a cluster: it stops the server and
// removes dir when the test process is gone (see [osuser.StartWatchdog]).
func startWatchdog(bin, dataDir, dir string, u *osUser) (*exec.Cmd, *os.File, error) {
	return osuser.StartWatchdog("pgtest-watchdog", filepath.Join(bin, "pg_ctl"), dataDir, dir, u, childEnv())
}
