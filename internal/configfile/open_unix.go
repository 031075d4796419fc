//go:build unix

package configfile

import "syscall"

// noBlock opens a FIFO without waiting for a writer, so that the check
// after the open refuses it.
const noBlock = syscall.O_NONBLOCK

// noFollow makes opening the lock file fail on a symbolic link and not
// wait on a FIFO.
const noFollow = syscall.O_NOFOLLOW | syscall.O_NONBLOCK
