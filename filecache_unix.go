//go:build unix

package awssession

import (
	"fmt"
	"io/fs"
	"os"
	"syscall"
)

// noFollow makes opening a cache file fail on a symbolic link in its last
// element and not wait for a writer when it is a FIFO.
const noFollow = syscall.O_NOFOLLOW | syscall.O_NONBLOCK

// checkOwner refuses a cache directory owned by another user: its owner
// could read or replace the credentials.
func checkOwner(dir string, fi fs.FileInfo) error {
	st, ok := fi.Sys().(*syscall.Stat_t)
	if ok && int(st.Uid) != os.Geteuid() {
		return fmt.Errorf("credential cache: %s is owned by uid %d, not by this user", dir, st.Uid)
	}
	return nil
}
