//go:build unix

package awssession

import (
	"fmt"
	"io/fs"
	"os"
	"syscall"
)

// checkOwner refuses a cache directory owned by another user: its owner
// could read or replace the credentials.
func checkOwner(dir string, fi fs.FileInfo) error {
	st, ok := fi.Sys().(*syscall.Stat_t)
	if ok && int(st.Uid) != os.Geteuid() {
		return fmt.Errorf("credential cache: %s is owned by uid %d, not by this user", dir, st.Uid)
	}
	return nil
}
