//go:build unix

// Package privfile holds what the cache's private files need: a private
// directory made or checked (PrepareDir), and of the platform, opening
// without following a link or waiting on a FIFO, tightening a directory
// through its descriptor, and who owns a file.
package privfile

import (
	"io/fs"
	"os"
	"syscall"
)

// NoFollow makes opening a file fail on a symbolic link in its last
// element and not wait for a writer when it is a FIFO.
const NoFollow = syscall.O_NOFOLLOW | NoBlock

// NoBlock makes opening a FIFO not wait for a writer, so that a check of
// what was opened refuses it.
const NoBlock = syscall.O_NONBLOCK

// ErrNotDir is the error of a path under something that is not a
// directory.
var ErrNotDir error = syscall.ENOTDIR

// ChmodDir tightens the opened directory d (named dir) to 0700.
func ChmodDir(d *os.File, _ string) error { return d.Chmod(0o700) }

// OwnedByOther reports a file another user owns, and that user's id.
func OwnedByOther(fi fs.FileInfo) (uid uint32, other bool) {
	st, ok := fi.Sys().(*syscall.Stat_t)
	return st.Uid, ok && int(st.Uid) != os.Geteuid()
}
