package keyring

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"time"

	"github.com/awssession/awssession/internal/atomicfile"
)

// record is what awssession keeps about a profile's items beside the
// keyring, in a file of its own: nothing secret, so that it is read
// without unlocking the keyring (no passphrase, no prompt). It ties cached
// sessions to the stored key (see CacheID) and remembers a rotation in
// progress (see Rotation).
type record struct {
	// Salt and MAC stamp the stored key pair: an HMAC-SHA256 of its ID
	// and secret keyed by a random salt drawn at each store, so a new
	// store (add, rotate) makes a new stamp even for the same key, and
	// the stamp shows neither the ID nor the secret.
	Salt []byte `json:"salt,omitempty"`
	MAC  []byte `json:"mac,omitempty"`
	// Rotation is a rotate of the key that has not finished.
	Rotation *Rotation `json:"rotation,omitempty"`
}

// Rotation is a rotate of a profile's key in progress: recorded before
// IAM CreateAccessKey is called, given the new key's ID as soon as IAM
// returns it, cleared once IAM holds only the stored key. A record left
// behind (a rotate killed in between) names the key a later rotate finds
// in its way. It is the one record that holds key IDs (not secret: IAM and
// CloudTrail show them), and only while a rotation is unfinished.
type Rotation struct {
	OldKeyID string    `json:"oldKeyId"`
	NewKeyID string    `json:"newKeyId,omitempty"`
	Started  time.Time `json:"started"`
}

// maxRecord caps a record file: a few hundred bytes in practice.
const maxRecord = 16 << 10

// recordPath is the file of profile's record, "" when this keyring keeps
// none (an OS backend without Settings.RecordDir).
func (k *Keyring) recordPath(profile string) string {
	if k.records == "" {
		return ""
	}
	return filepath.Join(k.records, itemFile(profile)+".json")
}

// readRecord returns profile's record; a missing one is the zero record.
func (k *Keyring) readRecord(profile string) (record, error) {
	var r record
	p := k.recordPath(profile)
	if p == "" {
		return r, nil
	}
	fi, err := os.Lstat(p)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return r, nil
	case err != nil:
		return r, err
	case !fi.Mode().IsRegular() || fi.Size() > maxRecord:
		return r, fmt.Errorf("%s is not a record of awssession's", p)
	}
	data, err := os.ReadFile(p)
	if err != nil {
		return r, err
	}
	if err := json.Unmarshal(data, &r); err != nil {
		return record{}, fmt.Errorf("%s: %w", p, err)
	}
	return r, nil
}

// writeRecord replaces profile's record atomically; the zero record
// removes the file.
func (k *Keyring) writeRecord(profile string, r record) error {
	p := k.recordPath(profile)
	if p == "" {
		return nil
	}
	if len(r.Salt) == 0 && r.Rotation == nil {
		if err := os.Remove(p); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return err
		}
		return nil
	}
	if err := os.MkdirAll(k.records, 0o700); err != nil {
		return err
	}
	data, err := json.Marshal(r)
	if err != nil {
		return err
	}
	return atomicfile.Write(p, data)
}

// stamp records key as profile's stored key, with a new salt.
func (k *Keyring) stamp(profile string, key AccessKey) error {
	r, err := k.readRecord(profile)
	if err != nil {
		r = record{} // an unreadable record is replaced
	}
	salt := make([]byte, 16)
	if _, err := rand.Read(salt); err != nil {
		return err
	}
	r.Salt, r.MAC = salt, stampMAC(salt, key)
	return k.writeRecord(profile, r)
}

// stamped reports whether r's stamp is key's.
func (r record) stamped(key AccessKey) bool {
	return len(r.Salt) > 0 && hmac.Equal(r.MAC, stampMAC(r.Salt, key))
}

func stampMAC(salt []byte, key AccessKey) []byte {
	mac := hmac.New(sha256.New, salt)
	mac.Write([]byte(key.ID))
	mac.Write([]byte{0})
	mac.Write([]byte(key.Secret.Reveal()))
	return mac.Sum(nil)
}

// CacheID names profile's stored keys in cache keys (see
// awssession.WithSource), without unlocking the keyring: the backend, the
// profile, and a hash of where the keyring lives (the file backend's
// directory) and of the key's stamp. Adding or rotating the keys,
// removing them, or another keyring directory or backend gives another
// id, so no session built on other keys is served from the cache. Keys
// stored without a stamp (by an older awssession, or in an OS backend with
// no Settings.RecordDir) share an "unstamped" id until Provider stamps
// them. The id holds no secret and no key ID.
func (k *Keyring) CacheID(profile string) string {
	r, _ := k.readRecord(profile)
	h := sha256.New()
	for _, part := range [][]byte{[]byte("awssession keyring id"), []byte(k.location), r.Salt, r.MAC} {
		h.Write(part)
		h.Write([]byte{0})
	}
	stamp := hex.EncodeToString(h.Sum(nil)[:8])
	if len(r.Salt) == 0 {
		stamp = "unstamped-" + stamp
	}
	return fmt.Sprintf("keyring:%s:%s:%s", k.backend, profile, stamp)
}

// Rotation returns the rotation in progress recorded for profile, nil for
// none.
func (k *Keyring) Rotation(profile string) (*Rotation, error) {
	r, err := k.readRecord(profile)
	if err != nil {
		return nil, k.fail("read", "rotation record", profile, err)
	}
	return r.Rotation, nil
}

// RecordRotation records rot as profile's rotation in progress (nil:
// none), atomically. Without a place for records (an OS backend with no
// Settings.RecordDir) it records nothing.
func (k *Keyring) RecordRotation(profile string, rot *Rotation) error {
	r, err := k.readRecord(profile)
	if err != nil {
		return k.fail("store", "rotation record", profile, err)
	}
	r.Rotation = rot
	if err := k.writeRecord(profile, r); err != nil {
		return k.fail("store", "rotation record", profile, err)
	}
	return nil
}
