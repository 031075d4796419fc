package credserver

import (
	"net"
	"syscall"

	"golang.org/x/sys/unix"
)

// hasPending reports whether bytes the client sent wait in c's socket
// buffer, unread: a request that arrived before the server's goroutine
// read it, which must not count as an idle connection.
func hasPending(c net.Conn) bool {
	sc, ok := c.(syscall.Conn)
	if !ok {
		return false
	}
	rc, err := sc.SyscallConn()
	if err != nil {
		return false
	}
	n := 0
	_ = rc.Control(func(fd uintptr) { n, _ = unix.IoctlGetInt(int(fd), unix.SIOCINQ) })
	return n > 0
}
