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

	"github.com/awssession/awssession/internal/privfile"
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
	}
	return check(path, fi, max)
}

func check(path string, fi fs.FileInfo, max int64) (int64, error) {
	switch {
	case fi.Mode().IsRegular():
		if fi.Size() > max {
			return 0, &Error{Path: path, Problem: fmt.Sprintf("is %d bytes; more than the %d KiB such a file can hold", fi.Size(), max>>10)}
		}
		return fi.Size(), nil
	case IsNullDevice(fi):
		return 0, nil
	}
	return 0, &Error{Path: path, Problem: fmt.Sprintf("is not a regular file (%v)", fi.Mode().Type())}
}

// Open opens a file Check accepts, without waiting for a writer, and
// checks the file it opened again: a FIFO swapped in since the stat is
// refused instead of blocking the reader.
func Open(path string, max int64) (*os.File, fs.FileInfo, error) {
	if _, err := Check(path, max); err != nil {
		return nil, nil, err
	}
	f, err := os.OpenFile(path, os.O_RDONLY|privfile.NoBlock, 0)
	if err != nil {
		return nil, nil, err
	}
	fi, err := f.Stat()
	if err == nil {
		_, err = check(path, fi, max)
	}
	if err != nil {
		_ = f.Close()
		return nil, nil, err
	}
	return f, fi, nil
}

// Read reads a file Open accepts, no more than max bytes even if it grows
// meanwhile.
func Read(path string, max int64) ([]byte, error) {
	f, _, err := Open(path, max)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, max+1))
	switch {
	case err != nil:
		return nil, err
	case int64(len(b)) > max:
		return nil, &Error{Path: path, Problem: fmt.Sprintf("grew past %d KiB while it was read", max>>10)}
	}
	return b, nil
}

// IsNullDevice reports whether fi is the null device.
func IsNullDevice(fi fs.FileInfo) bool {
	null, err := os.Stat(os.DevNull)
	return err == nil && os.SameFile(fi, null)
}
