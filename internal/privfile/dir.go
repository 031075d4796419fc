package privfile

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// PrepareDir makes dir a directory for private files and returns its
// clean name: created with mode 0700, or an existing one that others can
// read tightened to 0700. A symbolic link is refused, also when named as
// "link/" or "link/." (its target would be tightened and filled), and so
// are a directory owned by another user, something that is not a
// directory (/dev/zero), and a path whose ".." follows a directory name
// (through a link it would lead elsewhere than it reads): a [*DirError].
func PrepareDir(dir string) (string, error) {
	dir, err := cleanDir(dir)
	if err != nil {
		return "", err
	}
	if err := refuseSymlink(dir); err != nil {
		return "", err
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		if fi, serr := os.Stat(dir); serr == nil && !fi.IsDir() {
			return "", dirError(dir, "is not a directory but %s", fileKind(fi))
		}
		var pathErr *fs.PathError
		if errors.As(err, &pathErr) && errors.Is(err, ErrNotDir) {
			return "", dirError(dir, "lies under %s, which is not a directory", pathErr.Path)
		}
		return "", err
	}
	return dir, restrictDir(dir)
}

// cleanDir returns dir without a trailing "/" or "/." (which make the
// system follow a final symbolic link), or an error when a ".." follows a
// directory name: "a/../b" is b only if a is no link.
func cleanDir(dir string) (string, error) {
	parts := strings.FieldsFunc(filepath.ToSlash(dir), func(r rune) bool { return r == '/' })
	leading := true
	for _, p := range parts {
		switch {
		case p == "..":
			if !leading {
				return "", dirError(dir, `has ".." after a directory name; name the directory without it`)
			}
		case p != ".":
			leading = false
		}
	}
	return filepath.Clean(dir), nil
}

// DirError is what is wrong with a directory for private files, in
// words that follow its name.
type DirError struct{ Dir, Problem string }

func (e *DirError) Error() string { return e.Dir + " " + e.Problem }

func dirError(dir, format string, args ...any) error {
	return &DirError{Dir: dir, Problem: fmt.Sprintf(format, args...)}
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
		return dirError(dir, "is a symbolic link (to %s); give the directory itself", target)
	}
	return nil
}

// restrictDir checks that dir is a directory of this user and tightens it
// to 0700, through one descriptor opened without following a link: a
// link planted since refuseSymlink is refused, not followed.
func restrictDir(dir string) error {
	d, err := os.OpenFile(dir, os.O_RDONLY|NoFollow, 0)
	if err != nil {
		if fi, lerr := os.Lstat(dir); lerr == nil && fi.Mode()&fs.ModeSymlink != 0 {
			return refuseSymlink(dir)
		}
		return err
	}
	defer d.Close()
	fi, err := d.Stat()
	switch {
	case err != nil:
		return err
	case !fi.IsDir():
		return dirError(dir, "is not a directory but %s", fileKind(fi))
	}
	if uid, other := OwnedByOther(fi); other {
		// Its owner could read or replace the credentials.
		return dirError(dir, "is owned by uid %d, not by this user", uid)
	}
	if fi.Mode().Perm() != 0o700 {
		if err := ChmodDir(d, dir); err != nil {
			return fmt.Errorf("restrict %s to its owner: %w", dir, err)
		}
	}
	return nil
}
