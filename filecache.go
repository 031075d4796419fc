package awssession

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/awssession/awssession/internal/atomicfile"
	"github.com/awssession/awssession/internal/privfile"
	"github.com/awssession/awssession/internal/stsrules"
	"github.com/gofrs/flock"
)

// FileCache is a [Cache] in a directory: one file per entry, mode 0600, in
// a directory of mode 0700, replaced atomically (temporary file and
// rename), with a lock file per entry (flock on Unix, LockFileEx on
// Windows) for coordination across processes. It is safe for concurrent
// use by goroutines and processes.
type FileCache struct {
	dir string
}

var _ Cache = (*FileCache)(nil)

// DefaultCacheDir returns the default directory of a [FileCache]:
// "awssession" under the user's cache directory ($XDG_CACHE_HOME or
// ~/.cache on Linux, ~/Library/Caches on macOS, %LocalAppData% on
// Windows).
func DefaultCacheDir() (string, error) {
	base, err := os.UserCacheDir()
	if err != nil {
		return "", fmt.Errorf("find the user cache directory: %w", err)
	}
	return filepath.Join(base, "awssession"), nil
}

// NewFileCache returns a cache in dir, creating it with mode 0700; dir ""
// means [DefaultCacheDir]. An existing directory that others can read is
// tightened to 0700. A symbolic link is refused, also when named as
// "link/" or "link/." (its target would be tightened and filled with
// credentials; name the target itself), and so are a directory owned by
// another user, something that is not a directory (/dev/zero), and a path
// whose ".." follows a directory name: errors matching [ErrInvalidInput]
// that name the path.
func NewFileCache(dir string) (*FileCache, error) {
	if dir == "" {
		d, err := DefaultCacheDir()
		if err != nil {
			return nil, err
		}
		dir = d
	}
	dir, err := privfile.PrepareDir(dir)
	var bad *privfile.DirError
	switch {
	case errors.As(err, &bad):
		return nil, invalid(namedAt("cache directory "+bad.Dir), "%s", bad.Problem)
	case err != nil:
		return nil, fmt.Errorf("credential cache: %w", err)
	}
	return &FileCache{dir: dir}, nil
}

// keyRE and maxKey: keys are 1-128 of [a-z0-9-], not starting with '-'.
// The length is checked apart: a counted repeat ({0,127}) compiles into a
// program ten times larger, 0.1 ms of every CLI run.
var keyRE = stsrules.LazyRegexp(`^[a-z0-9][a-z0-9-]*$`)

const maxKey = 128

// Dir returns the cache's directory.
func (c *FileCache) Dir() string { return c.dir }

func (c *FileCache) path(key, ext string) (string, error) {
	if len(key) > maxKey || !keyRE().MatchString(key) {
		return "", fmt.Errorf("credential cache: key %q is not [a-z0-9-]", key)
	}
	return filepath.Join(c.dir, key+ext), nil
}

// maxEntry caps what Get reads: an entry is a few KiB, its session token
// at most 64 KiB (see maxSessionToken).
const maxEntry = 128 << 10

// Get reads an entry. A file that others can read or write, a symbolic
// link, or anything but a regular file (a FIFO would block the read
// forever) is not trusted: it is a miss-like error, and the next Put
// replaces it.
func (c *FileCache) Get(_ context.Context, key string) ([]byte, error) {
	p, err := c.path(key, ".json")
	if err != nil {
		return nil, err
	}
	f, err := openRegular(p, os.O_RDONLY)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, ErrCacheMiss
	}
	if err != nil {
		return nil, err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, err
	}
	if fi.Mode().Perm()&0o077 != 0 {
		return nil, fmt.Errorf("%s has mode %v, want 0600", filepath.Base(p), fi.Mode().Perm())
	}
	b, err := io.ReadAll(io.LimitReader(f, maxEntry+1))
	if err != nil {
		return nil, err
	}
	if len(b) > maxEntry {
		return nil, fmt.Errorf("%s is larger than %d KiB", filepath.Base(p), maxEntry>>10)
	}
	return b, nil
}

// openRegular opens path with flag, without following a symbolic link in
// its last element and without blocking on a FIFO (privfile.NoFollow), and refuses
// anything but a regular file.
func openRegular(path string, flag int) (*os.File, error) {
	f, err := os.OpenFile(path, flag|privfile.NoFollow, 0o600)
	if err != nil {
		return nil, err
	}
	fi, err := f.Stat()
	if err == nil && !fi.Mode().IsRegular() {
		err = fmt.Errorf("%s is not a regular file (%v)", filepath.Base(path), fi.Mode().Type())
	}
	if err != nil {
		_ = f.Close()
		return nil, err
	}
	return f, nil
}

// Put writes an entry atomically (see [atomicfile.Write]: a temporary
// file in the same directory, synced, renamed over the old one), so
// readers never see a partial entry. It then removes temporary files that
// a killed process left (see removeStaleTemps).
func (c *FileCache) Put(_ context.Context, key string, value []byte) error {
	p, err := c.path(key, ".json")
	if err != nil {
		return err
	}
	if err := atomicfile.Write(p, value); err != nil {
		return fmt.Errorf("credential cache: %w", err)
	}
	c.removeStaleTemps(time.Now())
	return nil
}

// staleTemp is the age at which a temporary file is a leftover: a Put
// writes and renames its own within milliseconds.
const staleTemp = time.Minute

// removeStaleTemps removes the temporary files older than staleTemp at
// now: a process killed between writing and renaming one (SIGKILL, power
// loss) leaves full credentials in it. Errors are ignored; the next Put
// tries again. It costs a directory listing per Put, and a Put follows an
// STS call.
func (c *FileCache) removeStaleTemps(now time.Time) {
	items, err := os.ReadDir(c.dir)
	if err != nil {
		return
	}
	for _, it := range items {
		if !strings.HasPrefix(it.Name(), atomicfile.TempPrefix) {
			continue
		}
		if fi, err := it.Info(); err == nil && now.Sub(fi.ModTime()) > staleTemp {
			_ = os.Remove(filepath.Join(c.dir, it.Name()))
		}
	}
}

// Delete removes an entry, and its lock file unless a process holds it.
func (c *FileCache) Delete(_ context.Context, key string) error {
	p, err := c.path(key, ".json")
	if err != nil {
		return err
	}
	if err := os.Remove(p); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("credential cache: %w", err)
	}
	if err := removeLock(strings.TrimSuffix(p, ".json") + ".lock"); err != nil {
		return fmt.Errorf("credential cache: %w", err)
	}
	return nil
}

// Clear removes every credentials entry, lock file and leftover temporary
// file. It is for a user who wants every session to start afresh (e.g.
// "awssession cache clear"); it does not wait for processes using the
// cache, and leaves the lock files they hold. Records of MFA codes used
// in the last 90 seconds stay: without them the next process could send a
// code STS has already accepted.
func (c *FileCache) Clear() error {
	items, err := os.ReadDir(c.dir)
	if err != nil {
		return fmt.Errorf("credential cache: %w", err)
	}
	var errs []error
	for _, it := range items {
		n := it.Name()
		if strings.HasPrefix(n, "mfa-") && recent(it) {
			continue
		}
		switch p := filepath.Join(c.dir, n); {
		case strings.HasSuffix(n, ".lock"):
			if err := removeLock(p); err != nil {
				errs = append(errs, err)
			}
		case strings.HasSuffix(n, ".json") || strings.HasPrefix(n, atomicfile.TempPrefix):
			if err := os.Remove(p); err != nil && !errors.Is(err, fs.ErrNotExist) {
				errs = append(errs, err)
			}
		}
	}
	return errors.Join(errs...)
}

// recent reports an entry written within the MFA reuse window.
func recent(e fs.DirEntry) bool {
	fi, err := e.Info()
	return err == nil && time.Since(fi.ModTime()) < mfaReuseWindow
}

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
		l, err := privfile.Lock(ctx, p, lockRetry)
		if err != nil {
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
	l := flock.New(p, flock.SetFlag(os.O_RDONLY|privfile.NoFollow))
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
