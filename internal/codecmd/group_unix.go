//go:build unix

package codecmd

import (
	"os"
	"syscall"
)

// ownProcessGroup starts a code command as the leader of a process group
// of its own, so that killing the group reaches the children it started
// (a shell's sleep, a helper holding its stdout). Such a command is not in
// the terminal's foreground group: it cannot read the terminal (its stdin
// is empty anyway).
func ownProcessGroup() *syscall.SysProcAttr { return &syscall.SysProcAttr{Setpgid: true} }

// killProcessGroup kills the process group p leads.
func killProcessGroup(p *os.Process) { _ = syscall.Kill(-p.Pid, syscall.SIGKILL) }
