//go:build !unix

package scratchpg

import (
	"os"
	"os/exec"
)

type osUser struct{}

func serverUser() (*osUser, error) { return nil, nil }

func (*osUser) chown(string) error { return nil }

func setProc(*exec.Cmd, *osUser) {}

// startWatchdog starts nothing: without Unix process groups the cluster
// is removed by Stop alone.
func startWatchdog(pgCtl, dataDir, dir string, u *osUser) (*exec.Cmd, *os.File, error) {
	return nil, nil, nil
}
