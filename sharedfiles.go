package awssession

import (
	"errors"
	"io/fs"
	"os"
)

// maxSharedFile caps the shared config and credentials files: the SDK
// reads a file whole before parsing it, and real ones are a few KiB.
const maxSharedFile = 10 << 20

// checkSharedFile returns an [*InputError] naming path unless it is a
// regular file of at most maxSharedFile bytes, or missing (the SDK then
// goes on without it), or the null device (AWS_CONFIG_FILE=/dev/null is
// the usual way to say "no config"). It is for AWS_CONFIG_FILE and
// AWS_SHARED_CREDENTIALS_FILE before the SDK reads them: /dev/zero or a
// FIFO there would grow memory or block forever. Symbolic links are
// followed (dotfile managers link ~/.aws/config).
func checkSharedFile(path string) error {
	fi, err := os.Stat(path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return nil
	case err != nil:
		return invalid(namedAt(path), "%v", err)
	case fi.Mode().IsRegular():
		if fi.Size() > maxSharedFile {
			return invalid(namedAt(path), "is %d bytes; a shared config or credentials file of over %d MiB is not one", fi.Size(), maxSharedFile>>20)
		}
		return nil
	case isNullDevice(fi):
		return nil
	}
	return invalid(namedAt(path), "is not a regular file (%v); the AWS SDK would read it as a shared config or credentials file", fi.Mode().Type())
}

// isNullDevice reports whether fi is the null device, which reads as
// empty.
func isNullDevice(fi fs.FileInfo) bool {
	null, err := os.Stat(os.DevNull)
	return err == nil && os.SameFile(fi, null)
}
