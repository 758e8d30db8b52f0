package scratchpg

import (
	"os"
	"os/exec"

	"github.com/rbacdrift/rbacdrift/internal/pgproc"
)

// An osUser is the OS user the server runs as when the process runs as root,
// because initdb and pg_ctl refuse to run as root.
type osUser = pgproc.User

// serverUser returns the OS user to run the server as: nil (the current
// user) unless the process runs as root, then "postgres".
func serverUser() (*osUser, error) { return pgproc.ForServer("") }

// setProc makes cmd run in a process group of its own and, when u is not
// nil, as u.
func setProc(cmd *exec.Cmd, u *osUser) {
	pgproc.OwnGroup(cmd)
	u.Apply(cmd)
}

// startWatchdog starts the watchdog of the scratch server: it stops the
// server and removes dir when this process is gone (see
// [pgproc.StartWatchdog]).
func startWatchdog(pgCtl, dataDir, dir string, u *osUser) (*exec.Cmd, *os.File, error) {
	return pgproc.StartWatchdog("rbacdrift-scratch-watchdog", pgCtl, dataDir, dir, u, pgproc.ChildEnv())
}
