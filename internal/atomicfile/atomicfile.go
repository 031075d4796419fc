// Package atomicfile replaces a file so that a reader, a crash or a
// failed write never leaves it partial: the one way awssession writes a
// file that holds something it cannot lose (a keyring item, a cached
// session, a record of a rotation in progress).
package atomicfile

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
)

// TempPrefix starts the name of every temporary file Write creates, so
// that a directory's readers can skip them and its owner can remove those
// a killed process left.
const TempPrefix = ".tmp-"

// Write replaces path with data, mode 0600. It writes a temporary file in
// the same directory, syncs it, renames it over path and syncs the
// directory: whatever fails (a full disk, a file size limit, a crash),
// path holds either its old content or data, never part of either. The
// temporary file is removed when the write fails. Write is safe for
// concurrent use; of concurrent writers of one path, the last rename wins.
func Write(path string, data []byte) error { return WriteFile(path, data, 0o600) }

// WriteFile is Write with the file's permissions perm (those of a file
// it replaces, say).
func WriteFile(path string, data []byte, perm os.FileMode) error {
	dir, name := filepath.Split(path)
	if dir == "" {
		dir = "."
	}
	tmp, err := os.CreateTemp(dir, TempPrefix+name+"-*") // mode 0600
	if err != nil {
		return err
	}
	err = tmp.Chmod(perm)
	if err == nil {
		_, err = tmp.Write(data)
	}
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp.Name(), path)
	}
	if err != nil {
		_ = os.Remove(tmp.Name())
		return fmt.Errorf("write %s: %w", filepath.Base(path), err)
	}
	return SyncDir(dir)
}

// SyncDir makes the directory's entries (a rename, a removal) durable.
// Systems that cannot sync a directory (Windows) are not an error.
func SyncDir(dir string) error {
	if runtime.GOOS == "windows" {
		return nil
	}
	d, err := os.Open(dir)
	if err != nil {
		return fmt.Errorf("sync %s: %w", dir, err)
	}
	defer d.Close()
	if err := d.Sync(); err != nil && !errors.Is(err, os.ErrInvalid) {
		return fmt.Errorf("sync %s: %w", dir, err)
	}
	return nil
}
