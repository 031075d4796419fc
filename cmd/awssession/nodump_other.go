//go:build !linux

package main

// hideFromChildren does nothing outside Linux: macOS and the BSDs do not
// let a process read another's environment through a file system, and
// their ptrace rules are the platform's (see SECURITY.md).
func hideFromChildren() error { return nil }
