//go:build !linux

package credserver

import "net"

// hasPending is not asked for here (x/sys has no FIONREAD outside Linux):
// only bytes the server read count.
func hasPending(net.Conn) bool { return false }
