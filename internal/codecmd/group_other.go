//go:build !unix

package codecmd

import (
	"os"
	"syscall"
)

// ownProcessGroup adds nothing where there are no Unix process groups:
// only the command itself is killed.
func ownProcessGroup() *syscall.SysProcAttr { return nil }

func killProcessGroup(*os.Process) {}
