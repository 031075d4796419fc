package awssession

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/awssession/awssession/internal/privfile"
)

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
// whose ".." follows a directory name (through a link it would lead
// elsewhere than it reads): errors matching [ErrInvalidInput] that name
// the path.
func NewFileCache(dir string) (*FileCache, error) {
	if dir == "" {
		d, err := DefaultCacheDir()
		if err != nil {
			return nil, err
		}
		dir = d
	}
	dir, err := cleanCacheDir(dir)
	if err != nil {
		return nil, err
	}
	if err := refuseSymlink(dir); err != nil {
		return nil, err
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		if fi, serr := os.Stat(dir); serr == nil && !fi.IsDir() {
			return nil, cacheDirError(dir, "is not a directory but %s", fileKind(fi))
		}
		var pathErr *fs.PathError
		if errors.As(err, &pathErr) && errors.Is(err, privfile.ErrNotDir) {
			return nil, cacheDirError(dir, "lies under %s, which is not a directory", pathErr.Path)
		}
		return nil, fmt.Errorf("credential cache: %w", err)
	}
	if err := restrictDir(dir); err != nil {
		return nil, err
	}
	return &FileCache{dir: dir}, nil
}

// cleanCacheDir returns dir without a trailing "/" or "/." (which make the
// system follow a final symbolic link), or an error when a ".." follows a
// directory name: "a/../b" is b only if a is no link.
func cleanCacheDir(dir string) (string, error) {
	parts := strings.FieldsFunc(filepath.ToSlash(dir), func(r rune) bool { return r == '/' })
	leading := true
	for _, p := range parts {
		switch {
		case p == "..":
			if !leading {
				return "", cacheDirError(dir, `has ".." after a directory name; name the directory without it`)
			}
		case p != ".":
			leading = false
		}
	}
	return filepath.Clean(dir), nil
}

// cacheDirError is an [*InputError] about the cache directory.
func cacheDirError(dir, format string, args ...any) error {
	return invalid(namedAt("cache directory "+dir), format, args...)
}

// fileKind says in words what fi is.
func fileKind(fi fs.FileInfo) string {
	switch m := fi.Mode(); {
	case m.IsRegular():
		return "a file"
	case m&fs.ModeDevice != 0:
		return "a device"
	case m&fs.ModeNamedPipe != 0:
		return "a FIFO"
	case m&fs.ModeSocket != 0:
		return "a socket"
	}
	return fmt.Sprintf("of type %v", fi.Mode().Type())
}

// refuseSymlink returns an error if dir is a symbolic link. Links above it
// (a linked home or ~/.cache) are the user's layout and are followed.
func refuseSymlink(dir string) error {
	fi, err := os.Lstat(dir)
	if err == nil && fi.Mode()&fs.ModeSymlink != 0 {
		target, _ := filepath.EvalSymlinks(dir)
		return cacheDirError(dir, "is a symbolic link (to %s); give the directory itself", target)
	}
	return nil
}

// restrictDir checks that dir is a directory of this user and tightens it
// to 0700, through one descriptor opened without following a link: a
// link planted since refuseSymlink is refused, not followed.
func restrictDir(dir string) error {
	d, err := os.OpenFile(dir, os.O_RDONLY|privfile.NoFollow, 0)
	if err != nil {
		if fi, lerr := os.Lstat(dir); lerr == nil && fi.Mode()&fs.ModeSymlink != 0 {
			return refuseSymlink(dir)
		}
		return fmt.Errorf("credential cache: %w", err)
	}
	defer d.Close()
	fi, err := d.Stat()
	switch {
	case err != nil:
		return fmt.Errorf("credential cache: %w", err)
	case !fi.IsDir():
		return cacheDirError(dir, "is not a directory but %s", fileKind(fi))
	}
	if uid, other := privfile.OwnedByOther(fi); other {
		// Its owner could read or replace the credentials.
		return cacheDirError(dir, "is owned by uid %d, not by this user", uid)
	}
	if fi.Mode().Perm() != 0o700 {
		if err := privfile.ChmodDir(d, dir); err != nil {
			return fmt.Errorf("credential cache: restrict %s to its owner: %w", dir, err)
		}
	}
	return nil
}
