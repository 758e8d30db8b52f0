//go:build !unix

package pgtest

import (
	"os"
	"os/exec"
)

// An osUser is the OS user a cluster runs as; only Unix systems switch users.
type osUser struct{ name string }

func serverUser() (*osUser, error) { return nil, nil }

func (u *osUser) chown(string) error { return nil }

func setProcUser(*exec.Cmd, *osUser) {}

// startWatchdog has no watchdog to start here: a cluster left by a crashed
// test process stays until removed by hand.
func startWatchdog(bin, dataDir, dir string, u *osUser) (*exec.Cmd, *os.File, error) {
	return nil, nil, nil
}
