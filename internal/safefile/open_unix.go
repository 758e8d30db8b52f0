//go:build unix

package safefile

import "syscall"

// openFlags makes an open never wait: on a FIFO swapped in after the stat,
// open(2) would otherwise block until a writer comes.
const openFlags = syscall.O_NONBLOCK
