package pgtest

import (
	"net"
	"testing"
)

// FreePort returns a TCP port on 127.0.0.1 that nothing listened on a moment
// ago: for a cluster with a TCP listener, or a fake server a test runs.
func FreePort(t testing.TB) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}
