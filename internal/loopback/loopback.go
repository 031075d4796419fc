// Package loopback holds the one rule for what counts as a loopback host,
// shared by the STS endpoint checks (plain http only to loopback) and the
// credential server (loopback listeners and Host headers only).
package loopback

import (
	"net"
	"strings"
)

// IsHost reports whether host (a URL's Hostname, a Host header's or a
// listen address's host part, with or without IPv6 brackets) is a
// loopback IP address or the name localhost. Other names that end in
// .localhost are not: a resolver need not send them to loopback, and a
// name that goes through DNS is not a promise about where packets go.
func IsHost(host string) bool {
	host = strings.TrimSuffix(strings.TrimPrefix(host, "["), "]")
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
