//go:build linux

package main

import "golang.org/x/sys/unix"

// hideFromChildren makes this process non-dumpable, before it starts any
// command (exec, --mfa-process, a credential_process, a browser): its
// /proc/PID/environ and memory then belong to root, so that a child,
// which runs as the same user, cannot read the secret key or TOTP seed
// from the parent's environment or memory (/proc/$PPID/environ, mem,
// ptrace). Children are dumpable again after their own execve. It also
// keeps the secrets out of core dumps.
func hideFromChildren() error {
	return unix.Prctl(unix.PR_SET_DUMPABLE, 0, 0, 0, 0)
}
