package keyring

import (
	"errors"
	"fmt"
	"io/fs"
	"strings"

	backend "github.com/99designs/keyring"
)

// Errors a caller matches with errors.Is. Each is a problem the user
// fixes (unlock the keyring, install or name a backend, type the right
// passphrase, add the profile's keys): never a reason to look for
// credentials elsewhere.
var (
	// ErrNotFound means the keyring holds no such item for the profile.
	ErrNotFound = errors.New("not in the keyring")
	// ErrLocked means the keyring is locked and was not unlocked.
	ErrLocked = errors.New("the keyring is locked")
	// ErrNoBackend means the backend asked for is unknown or not available
	// on this machine, or none is.
	ErrNoBackend = errors.New("keyring backend not available")
	// ErrWrongPassphrase means the file backend's passphrase does not
	// decrypt its items.
	ErrWrongPassphrase = errors.New("wrong passphrase for the keyring file")
)

// IsUnusable reports whether err is one of the errors above: the keyring
// cannot give what was asked, and the user has to act.
func IsUnusable(err error) bool {
	for _, e := range []error{ErrNotFound, ErrLocked, ErrNoBackend, ErrWrongPassphrase, ErrInvalid} {
		if errors.Is(err, e) {
			return true
		}
	}
	return false
}

// Error is a failed keyring operation on one profile's item. It names the
// backend, the operation and the profile, never the item's value.
type Error struct {
	Op      string // "store", "read", "remove", "list", "open"
	What    string // "keys", "TOTP seed", ""
	Profile string
	Backend string
	Err     error
}

func (e *Error) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "keyring (%s): %s", e.Backend, e.Op)
	if e.What != "" {
		fmt.Fprintf(&b, " %s", e.What)
	}
	if e.Profile != "" {
		fmt.Fprintf(&b, " of profile %q", e.Profile)
	}
	fmt.Fprintf(&b, ": %v", e.Err)
	return b.String()
}

func (e *Error) Unwrap() error { return e.Err }

// classify maps a backend's error to our sentinels where it means one of
// them. Errors of ours (a passphrase that could not be read) pass as
// they are.
func classify(err error) error {
	if err == nil || IsUnusable(err) {
		return err
	}
	msg := strings.ToLower(err.Error())
	switch {
	case errors.Is(err, backend.ErrKeyNotFound), errors.Is(err, fs.ErrNotExist):
		return ErrNotFound
	case errors.Is(err, backend.ErrNoAvailImpl):
		return ErrNoBackend
	case strings.Contains(msg, "locked"), strings.Contains(msg, "dismissed"):
		return fmt.Errorf("%w: %v", ErrLocked, err)
	}
	return err
}
