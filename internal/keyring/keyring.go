// Package keyring keeps a profile's long-term access key and TOTP seed in
// the OS keyring (macOS Keychain, Windows Credential Manager, Secret
// Service, KWallet, pass, Linux keyctl) or in an encrypted file, through
// github.com/99designs/keyring. It belongs to the command: the library
// takes any aws.CredentialsProvider as a session's source instead.
package keyring

import (
	"encoding/json"
	"errors"
	"fmt"
	"path/filepath"
	"sort"
	"strings"

	backend "github.com/99designs/keyring"
)

// Item key prefixes: one item for a profile's key pair, one for its TOTP
// seed. The prefix ends at the first colon, so any profile name fits.
const (
	keysPrefix = "keys:"
	seedPrefix = "totp:"
)

// Keyring is an opened keyring: one backend, awssession's items in it. A
// Keyring is not safe for concurrent use; open one per goroutine.
type Keyring struct {
	kr      backend.Keyring
	backend string
	// records is the directory of the profiles' records (see record),
	// "" for none; location tells this keyring apart from others of its
	// backend (the file backend's directory, else the service name).
	records, location string
	// checked is set once the file backend's passphrase has decrypted an
	// item (or there was none): a wrong one must not encrypt a new item.
	checked bool
}

// Open opens the keyring s names: s.Backend, or the first backend of the
// default order that this machine offers. Opening reads no item: the file
// backend asks for its passphrase only when an item is read or written.
func Open(s Settings) (*Keyring, error) {
	cfg, err := s.config()
	if err != nil {
		return nil, err
	}
	cfg.FilePasswordFunc = oncePassphrase(cfg.FilePasswordFunc)
	var errs []error
	for _, b := range cfg.AllowedBackends {
		one := cfg
		one.AllowedBackends = []backend.BackendType{b}
		kr, err := backend.Open(one)
		if err == nil {
			return s.opened(kr, b, cfg)
		}
		if !errors.Is(err, backend.ErrNoAvailImpl) {
			errs = append(errs, fmt.Errorf("%s: %w", b, err))
		}
	}
	if s.Backend == "" {
		return nil, fmt.Errorf("%w: none of %s opened here (available: %s)%s", ErrNoBackend,
			strings.Join(Backends[:len(Backends)-2], ", ")+", file", strings.Join(available(), ", "), details(errs))
	}
	return nil, fmt.Errorf("%w: %s (available here: %s)%s", ErrNoBackend, s.Backend, strings.Join(available(), ", "), details(errs))
}

// opened returns the Keyring of kr, the backend b opened with cfg. The
// file backend's writes go through fileItems (atomic); its records live
// in its directory, an OS backend's in s.RecordDir.
func (s Settings) opened(kr backend.Keyring, b backend.BackendType, cfg backend.Config) (*Keyring, error) {
	k := &Keyring{kr: kr, backend: string(b), location: cfg.ServiceName}
	if b == backend.FileBackend {
		dir, err := backend.ExpandTilde(cfg.FileDir)
		if err == nil {
			dir, err = filepath.Abs(dir)
		}
		if err != nil {
			return nil, fmt.Errorf("%w: file: %w", ErrNoBackend, err)
		}
		k.kr = &fileItems{Keyring: kr, dir: cfg.FileDir, passphrase: cfg.FilePasswordFunc}
		k.location, k.records = dir, filepath.Join(dir, recordsDir)
	} else if s.RecordDir != "" {
		k.records = filepath.Join(s.RecordDir, string(b)+"-"+itemFile(cfg.ServiceName))
	}
	return k, nil
}

// recordsDir is the directory of records in the file backend's directory
// (a dotfile: never listed as an item).
const recordsDir = ".records"

func details(errs []error) string {
	if len(errs) == 0 {
		return ""
	}
	return ": " + errors.Join(errs...).Error()
}

// Backend returns the name of the backend in use, one of Backends.
func (k *Keyring) Backend() string { return k.backend }

// storedKeys is the item's JSON, the shape aws-vault gives its items
// (aws.Credentials' field names).
type storedKeys struct {
	AccessKeyID     string
	SecretAccessKey string
}

// StoreKeys stores (or replaces) profile's access key pair, after
// checking both (see CheckProfile, AccessKey.Check). It first stamps the
// key in the profile's record (see CacheID), so that sessions cached on
// another key are not served; if the item's write then fails, the stamp
// names a key the keyring does not hold, which costs a cache miss and is
// corrected when the keys are next read.
func (k *Keyring) StoreKeys(profile string, key AccessKey) error {
	if err := CheckProfile(profile); err != nil {
		return k.fail("store", "keys", profile, err)
	}
	if err := key.Check(); err != nil {
		return k.fail("store", "keys", profile, err)
	}
	data, err := json.Marshal(storedKeys{AccessKeyID: key.ID, SecretAccessKey: key.Secret.Reveal()})
	if err != nil {
		return err
	}
	if err := k.checkPassphrase(); err != nil {
		return k.fail("store", "keys", profile, err)
	}
	if err := k.stamp(profile, key); err != nil {
		return k.fail("store", "keys", profile, fmt.Errorf("record the key: %w", err))
	}
	return k.set(profile, "keys", keysPrefix, data)
}

// Keys returns profile's access key pair, or an error matching ErrNotFound.
func (k *Keyring) Keys(profile string) (AccessKey, error) {
	data, err := k.get(profile, "keys", keysPrefix)
	if err != nil {
		return AccessKey{}, err
	}
	var s storedKeys
	if err := json.Unmarshal(data, &s); err != nil || s.AccessKeyID == "" || s.SecretAccessKey == "" {
		// Never the item's text: it holds the secret.
		return AccessKey{}, k.fail("read", "keys", profile, errors.New("the item is not an access key pair"))
	}
	return AccessKey{ID: s.AccessKeyID, Secret: Secret(s.SecretAccessKey)}, nil
}

// StoreTOTPSeed stores (or replaces) the base32 TOTP seed of profile's MFA
// device.
func (k *Keyring) StoreTOTPSeed(profile string, seed Secret) error {
	if err := CheckProfile(profile); err != nil {
		return k.fail("store", "TOTP seed", profile, err)
	}
	return k.set(profile, "TOTP seed", seedPrefix, []byte(seed.Reveal()))
}

// TOTPSeed returns profile's TOTP seed, or an error matching ErrNotFound.
func (k *Keyring) TOTPSeed(profile string) (Secret, error) {
	data, err := k.get(profile, "TOTP seed", seedPrefix)
	return Secret(data), err
}

// Remove removes profile's keys and TOTP seed, and reports which it
// removed; an error matching ErrNotFound when there was neither.
func (k *Keyring) Remove(profile string) (removed []string, err error) {
	held, err := k.Profiles()
	if err != nil {
		return nil, err
	}
	// The record first: once it is gone, no cached session is served on
	// these keys (see CacheID), even if removing an item then fails.
	if err := k.writeRecord(profile, record{}); err != nil {
		return nil, k.fail("remove", "keys", profile, fmt.Errorf("remove the record of the key: %w", err))
	}
	for _, h := range held {
		if h.Profile != profile {
			continue
		}
		for _, it := range []struct {
			has          bool
			what, prefix string
		}{{h.Keys, "keys", keysPrefix}, {h.TOTPSeed, "TOTP seed", seedPrefix}} {
			if !it.has {
				continue
			}
			if err := k.kr.Remove(it.prefix + profile); err != nil {
				return removed, k.fail("remove", it.what, profile, classify(err))
			}
			removed = append(removed, it.what)
		}
	}
	if len(removed) == 0 {
		return nil, k.fail("remove", "keys", profile, ErrNotFound)
	}
	return removed, nil
}

// Held is what the keyring holds for one profile.
type Held struct {
	Profile        string
	Keys, TOTPSeed bool
}

// Profiles lists the profiles the keyring holds items for, by name. It
// reads no secret (the file backend needs no passphrase for it).
func (k *Keyring) Profiles() ([]Held, error) {
	names, err := k.kr.Keys()
	if err != nil {
		return nil, k.fail("list", "", "", classify(err))
	}
	byName := map[string]*Held{}
	for _, n := range names {
		for _, p := range []string{keysPrefix, seedPrefix} {
			profile, ok := strings.CutPrefix(n, p)
			if !ok || profile == "" {
				continue
			}
			h := byName[profile]
			if h == nil {
				h = &Held{Profile: profile}
				byName[profile] = h
			}
			h.Keys = h.Keys || p == keysPrefix
			h.TOTPSeed = h.TOTPSeed || p == seedPrefix
		}
	}
	held := make([]Held, 0, len(byName))
	for _, h := range byName {
		held = append(held, *h)
	}
	sort.Slice(held, func(i, j int) bool { return held[i].Profile < held[j].Profile })
	return held, nil
}
