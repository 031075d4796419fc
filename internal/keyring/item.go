package keyring

import (
	"errors"
	"fmt"
	"io/fs"
	"strings"

	backend "github.com/99designs/keyring"
)

// get reads the item prefix+profile.
func (k *Keyring) get(profile, what, prefix string) ([]byte, error) {
	it, err := k.kr.Get(prefix + profile)
	if err != nil {
		return nil, k.fail("read", what, profile, k.readError(err))
	}
	k.checked = true
	return it.Data, nil
}

// set writes the item prefix+profile. The file backend first proves its
// passphrase on an item it holds: a mistyped one would otherwise encrypt
// the new item with it, unreadable with the right one.
func (k *Keyring) set(profile, what, prefix string, data []byte) error {
	if err := k.checkPassphrase(); err != nil {
		return k.fail("store", what, profile, err)
	}
	err := k.kr.Set(backend.Item{
		Key:         prefix + profile,
		Data:        data,
		Label:       fmt.Sprintf("awssession %s (%s)", what, profile),
		Description: "awssession " + what,
	})
	if err != nil {
		return k.fail("store", what, profile, classify(err))
	}
	k.checked = true
	return nil
}

// checkPassphrase decrypts one item of the file backend, once.
func (k *Keyring) checkPassphrase() error {
	if k.checked || k.backend != string(backend.FileBackend) {
		return nil
	}
	names, err := k.kr.Keys()
	if err != nil {
		return classify(err)
	}
	for _, n := range names {
		if !strings.HasPrefix(n, keysPrefix) && !strings.HasPrefix(n, seedPrefix) {
			continue // not an item of ours
		}
		if _, err := k.kr.Get(n); err != nil {
			return k.readError(err)
		}
		break
	}
	k.checked = true
	return nil
}

// readError classifies an error of Get. The file backend's items are JWE
// tokens: any failure to decode one, once the file was read and the
// passphrase given, means the passphrase does not match.
func (k *Keyring) readError(err error) error {
	err = classify(err)
	var pathErr *fs.PathError // reading the file failed: not a decryption error
	if k.backend == string(backend.FileBackend) && !IsUnusable(err) && !errors.As(err, &pathErr) {
		return ErrWrongPassphrase
	}
	return err
}

// fail wraps err in an *Error naming the backend, operation and profile.
func (k *Keyring) fail(op, what, profile string, err error) error {
	return &Error{Op: op, What: what, Profile: profile, Backend: k.backend, Err: err}
}
