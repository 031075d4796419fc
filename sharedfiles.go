package awssession

import (
	"errors"
	"io/fs"
	"os"
)

// maxSharedFile caps the size of a shared config or credentials file.
const maxSharedFile = 10 << 20

// checkSharedFile refuses a shared file that is not a regular file or is
// larger than maxSharedFile; a missing file is fine (the SDK skips it).
func checkSharedFile(path string) error {
	fi, err := os.Stat(path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return nil
	case err != nil:
		return invalid("shared config", "%s: %v", path, err)
	case !fi.Mode().IsRegular():
		return invalid("shared config", "%s is not a regular file", path)
	case fi.Size() > maxSharedFile:
		return invalid("shared config", "%s is %d bytes; a shared file may hold at most %d", path, fi.Size(), maxSharedFile)
	}
	return nil
}
