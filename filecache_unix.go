//go:build unix

package awssession

import (
	"io/fs"
	"os"
	"syscall"
)

// noFollow makes opening a cache file fail on a symbolic link in its last
// element and not wait for a writer when it is a FIFO.
const noFollow = syscall.O_NOFOLLOW | syscall.O_NONBLOCK

// syscallNotDir is the error of a path under something that is not a
// directory.
var syscallNotDir error = syscall.ENOTDIR

// chmodDir tightens the opened directory d to 0700.
func chmodDir(d *os.File, _ string) error { return d.Chmod(0o700) }

// checkOwner refuses a cache directory owned by another user: its owner
// could read or replace the credentials.
func checkOwner(dir string, fi fs.FileInfo) error {
	st, ok := fi.Sys().(*syscall.Stat_t)
	if ok && int(st.Uid) != os.Geteuid() {
		return cacheDirError(dir, "is owned by uid %d, not by this user", st.Uid)
	}
	return nil
}
