//go:build !unix

package awssession

import (
	"io/fs"
	"os"
	"syscall"
)

// syscallNotDir is the error of a path under something that is not a
// directory.
var syscallNotDir error = syscall.ENOTDIR

// chmodDir tightens dir to 0700 by name (Windows cannot by descriptor).
func chmodDir(_ *os.File, dir string) error { return os.Chmod(dir, 0o700) }

// noFollow adds nothing where there are no FIFOs and no O_NOFOLLOW
// (Windows, where creating a symbolic link takes a privilege); see
// filecache_unix.go.
const noFollow = 0

// checkOwner relies on the user profile's ACLs where there are no Unix
// owners.
func checkOwner(string, fs.FileInfo) error { return nil }
