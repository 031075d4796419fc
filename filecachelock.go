package awssession

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"time"

	"github.com/gofrs/flock"
)

// lockRetry is how often a waiting Lock tries again.
const lockRetry = 10 * time.Millisecond

// Lock takes the entry's lock file, waiting until ctx is done. Clear and
// Delete remove lock files nobody holds; a lock taken on a file that was
// removed meanwhile (opened before, locked after) is let go and taken
// again on the file now at the path, so that no two holders ever hold
// different files.
func (c *FileCache) Lock(ctx context.Context, key string) (func(), error) {
	p, err := c.path(key, ".lock")
	if err != nil {
		return nil, err
	}
	for {
		// The lock file must be a regular file: flock would open a FIFO
		// and wait for a writer forever, and follow a symbolic link
		// anywhere.
		f, err := openRegular(p, os.O_CREATE|os.O_RDONLY)
		if err != nil {
			return nil, fmt.Errorf("credential cache: lock %s: %w", filepath.Base(p), err)
		}
		_ = f.Close()
		l := flock.New(p, flock.SetPermissions(0o600), flock.SetFlag(os.O_CREATE|os.O_RDONLY|noFollow))
		ok, err := l.TryLockContext(ctx, lockRetry)
		if err != nil || !ok {
			_ = l.Close()
			if err == nil {
				err = ctx.Err()
			}
			return nil, fmt.Errorf("credential cache: lock %s: %w", filepath.Base(p), err)
		}
		if held, err := l.Stat(); err == nil {
			if now, err := os.Lstat(p); err == nil && os.SameFile(held, now) {
				return func() { _ = l.Unlock() }, nil
			}
		}
		_ = l.Unlock() // removed since it was opened: take the new one
	}
}

// removeLock removes the lock file at p unless a process holds it: it
// takes the lock without waiting, removes the file and lets go (see
// Lock). A missing file is no error.
func removeLock(p string) error {
	l := flock.New(p, flock.SetFlag(os.O_RDONLY|noFollow))
	ok, err := l.TryLock()
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return nil
	case err != nil:
		return err
	case !ok:
		return nil // held: it stays
	}
	defer func() { _ = l.Unlock() }()
	if err := os.Remove(p); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	return nil
}
