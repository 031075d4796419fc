//go:build !unix

package privfile

import (
	"io/fs"
	"os"
	"syscall"
)

// NoFollow adds nothing where there are no FIFOs and no O_NOFOLLOW
// (Windows, where creating a symbolic link takes a privilege).
const NoFollow = 0

// NoBlock adds nothing where there are no FIFOs.
const NoBlock = 0

// ErrNotDir is the error of a path under something that is not a
// directory.
var ErrNotDir error = syscall.ENOTDIR

// ChmodDir tightens dir to 0700 by name (Windows cannot by descriptor).
func ChmodDir(_ *os.File, dir string) error { return os.Chmod(dir, 0o700) }

// OwnedByOther relies on the user profile's ACLs where there are no Unix
// owners.
func OwnedByOther(fs.FileInfo) (uint32, bool) { return 0, false }
