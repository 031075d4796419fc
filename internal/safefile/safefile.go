// Package safefile is the one checked way to read a file a person or
// another program can put anything at: the shared config and credentials
// files, sign-in token files, a web identity token, a users file. It
// refuses what is not a regular file (a FIFO blocks a reader forever,
// /dev/zero never ends) and what is larger than the caller's cap, before
// reading, and reads no more than the cap even if the file grows.
package safefile

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
)

// Error says why a file was refused. It never quotes the file.
type Error struct {
	Path    string
	Problem string
}

func (e *Error) Error() string { return e.Path + ": " + e.Problem }

// Check stats path (following links: dotfile managers link ~/.aws/config)
// and returns its size, or an error matching fs.ErrNotExist for a
// missing file, or an *Error for one that is not a regular file (the null
// device reads as empty and is accepted) or is larger than max bytes.
func Check(path string, max int64) (int64, error) {
	fi, err := os.Stat(path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return 0, err
	case err != nil:
		return 0, &Error{Path: path, Problem: err.Error()}
	case fi.Mode().IsRegular():
		if fi.Size() > max {
			return 0, &Error{Path: path, Problem: fmt.Sprintf("is %d bytes; more than the %d KiB such a file can hold", fi.Size(), max>>10)}
		}
		return fi.Size(), nil
	case isNullDevice(fi):
		return 0, nil
	}
	return 0, &Error{Path: path, Problem: fmt.Sprintf("is not a regular file (%v)", fi.Mode().Type())}
}

// Read reads a file Check accepts.
func Read(path string, max int64) ([]byte, error) {
	if _, err := Check(path, max); err != nil {
		return nil, err
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, max+1)) // the file may have grown since the stat
	switch {
	case err != nil:
		return nil, err
	case int64(len(b)) > max:
		return nil, &Error{Path: path, Problem: fmt.Sprintf("grew past %d KiB while it was read", max>>10)}
	}
	return b, nil
}

// isNullDevice reports whether fi is the null device.
func isNullDevice(fi fs.FileInfo) bool {
	null, err := os.Stat(os.DevNull)
	return err == nil && os.SameFile(fi, null)
}
