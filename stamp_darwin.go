package awssession

import (
	"os"
	"syscall"
)

// changeTimeAndInode returns the file's status change time (Unix ns),
// which every write, rename over and chmod moves and no tool can set back,
// and its inode.
func changeTimeAndInode(fi os.FileInfo) (int64, uint64) {
	st, ok := fi.Sys().(*syscall.Stat_t)
	if !ok {
		return 0, 0
	}
	return st.Ctimespec.Nano(), uint64(st.Ino)
}
