package configfile

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"time"

	"github.com/awssession/awssession/internal/atomicfile"
	"github.com/awssession/awssession/internal/privfile"
	"github.com/awssession/awssession/internal/safefile"
)

// MaxSize caps the files Read and Edit accept: the SDKs read a config
// file whole, and real ones are a few KiB.
const MaxSize = 10 << 20

// newFileMode is the permission of a config file Edit creates: it may
// name accounts and roles, which are nobody else's business.
const newFileMode = 0o600

// lockRetry is how often Edit tries the lock again while another editor
// holds it.
const lockRetry = 20 * time.Millisecond

// Read reads the config file at path: a missing file or the null device
// reads as empty; anything but a regular file of at most MaxSize bytes is
// an error that names path (a FIFO would block, /dev/zero never ends).
// Symbolic links are followed.
func Read(path string) (*File, error) {
	b, _, err := read(path, true)
	if err != nil {
		return nil, err
	}
	return Parse(b), nil
}

// Edit changes the config file at path: under a lock against other
// editors (a lock file beside it, ".NAME.lock"), it reads the file (a
// missing one as empty), calls fn, and when the content changed writes it
// atomically (a temporary file in the same directory, synced, renamed
// over it) with the file's permissions, 0600 for a new file. A symbolic
// link stays a link: the file it points to is changed. A missing
// directory is created (0700). Nothing is written when fn returns an
// error. changed reports whether the file was written.
func Edit(ctx context.Context, path string, fn func(*File) error) (changed bool, err error) {
	target, err := resolve(path)
	if err != nil {
		return false, err
	}
	// Refused before a lock file is made beside it (/dev/null, a FIFO).
	if fi, err := os.Stat(target); err == nil {
		if err := checkRegular(path, fi); err != nil {
			return false, err
		}
	}
	if err := os.MkdirAll(filepath.Dir(target), 0o700); err != nil {
		return false, err
	}
	unlock, err := lock(ctx, target)
	if err != nil {
		return false, err
	}
	defer unlock()
	old, mode, err := read(target, false)
	if err != nil {
		return false, err
	}
	f := Parse(old)
	if err := fn(f); err != nil {
		return false, err
	}
	b := f.Bytes()
	if bytes.Equal(b, old) {
		return false, nil
	}
	if err := atomicfile.WriteFile(target, b, mode); err != nil {
		return false, fmt.Errorf("write %s: %w", path, err)
	}
	return true, nil
}

// resolve follows symbolic links to the file Edit changes; a missing file
// is path itself.
func resolve(path string) (string, error) {
	target, err := filepath.EvalSymlinks(path)
	switch {
	case err == nil:
		return target, nil
	case !errors.Is(err, fs.ErrNotExist):
		return "", err
	}
	if fi, lerr := os.Lstat(path); lerr == nil && fi.Mode()&fs.ModeSymlink != 0 {
		return "", fmt.Errorf("%s is a symbolic link to a file that does not exist", path)
	}
	return path, nil
}

// lock takes the lock file of path, waiting until ctx is done.
func lock(ctx context.Context, path string) (func(), error) {
	p := filepath.Join(filepath.Dir(path), "."+filepath.Base(path)+".lock")
	l, err := privfile.Lock(ctx, p, lockRetry)
	if err != nil {
		return nil, fmt.Errorf("lock %s: %w", p, err)
	}
	return func() { _ = l.Unlock() }, nil
}

// read reads path through the one checked read (safefile): a missing file
// is empty (mode newFileMode); the null device is empty when nullOK, else
// refused, as is anything but a regular file of at most MaxSize bytes.
func read(path string, nullOK bool) ([]byte, fs.FileMode, error) {
	f, fi, err := safefile.Open(path, MaxSize)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return nil, newFileMode, nil
	case err != nil:
		return nil, 0, err
	}
	defer f.Close()
	if safefile.IsNullDevice(fi) {
		if nullOK {
			return nil, 0, nil
		}
		return nil, 0, checkRegular(path, fi)
	}
	b, err := io.ReadAll(io.LimitReader(f, MaxSize+1))
	switch {
	case err != nil:
		return nil, 0, fmt.Errorf("read %s: %w", path, err)
	case len(b) > MaxSize:
		return nil, 0, fmt.Errorf("%s grew past %d KiB while it was read", path, MaxSize>>10)
	}
	return b, fi.Mode().Perm(), nil
}

// checkRegular refuses what is not a regular file of at most MaxSize
// bytes.
func checkRegular(path string, fi fs.FileInfo) error {
	switch {
	case !fi.Mode().IsRegular():
		return fmt.Errorf("%s is not a regular file (%v); it cannot be read or written as an AWS config file", path, fi.Mode().Type())
	case fi.Size() > MaxSize:
		return fmt.Errorf("%s is %d bytes; more than the %d KiB a config file can hold", path, fi.Size(), MaxSize>>10)
	}
	return nil
}
