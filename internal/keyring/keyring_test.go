package keyring

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const (
	testKeyID  = "AKIAIOSFODNN7EXAMPLE"
	testSecret = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
	testSeed   = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
)

// fileSettings is the file backend in a new directory with passphrase.
func fileSettings(t *testing.T, passphrase string) Settings {
	t.Helper()
	return Settings{Backend: "file", FileDir: filepath.Join(t.TempDir(), "keyring"), Passphrase: fixed(passphrase)}
}

func fixed(p string) func() (Secret, error) {
	return func() (Secret, error) { return Secret(p), nil }
}

// exercise stores, lists, reads and removes a profile's items in kr.
func exercise(t *testing.T, kr *Keyring, profile string) {
	t.Helper()
	_, err := kr.Keys(profile)
	require.ErrorIs(t, err, ErrNotFound)

	require.NoError(t, kr.StoreKeys(profile, AccessKey{ID: testKeyID, Secret: testSecret}))
	require.NoError(t, kr.StoreTOTPSeed(profile, testSeed))
	key, err := kr.Keys(profile)
	require.NoError(t, err)
	assert.Equal(t, AccessKey{ID: testKeyID, Secret: testSecret}, key)
	seed, err := kr.TOTPSeed(profile)
	require.NoError(t, err)
	assert.Equal(t, testSeed, seed.Reveal())

	held, err := kr.Profiles()
	require.NoError(t, err)
	assert.Contains(t, held, Held{Profile: profile, Keys: true, TOTPSeed: true})

	// Replacing keeps one item.
	require.NoError(t, kr.StoreKeys(profile, AccessKey{ID: "AKIAREPLACEDKEY00000", Secret: "other"}))
	key, err = kr.Keys(profile)
	require.NoError(t, err)
	assert.Equal(t, "AKIAREPLACEDKEY00000", key.ID)

	removed, err := kr.Remove(profile)
	require.NoError(t, err)
	assert.Equal(t, []string{"keys", "TOTP seed"}, removed)
	_, err = kr.Keys(profile)
	require.ErrorIs(t, err, ErrNotFound)
	_, err = kr.Remove(profile)
	require.ErrorIs(t, err, ErrNotFound)
}

func TestFileBackend(t *testing.T) {
	t.Parallel()
	s := fileSettings(t, "correct horse")
	kr, err := Open(s)
	require.NoError(t, err)
	assert.Equal(t, "file", kr.Backend())
	exercise(t, kr, "dev:with/odd name")
}

// TestFileBackendHoldsNoSecretInClear greps every stored file for the
// secret key, the seed and the passphrase.
func TestFileBackendHoldsNoSecretInClear(t *testing.T) {
	t.Parallel()
	s := fileSettings(t, "correct horse")
	kr, err := Open(s)
	require.NoError(t, err)
	require.NoError(t, kr.StoreKeys("dev", AccessKey{ID: testKeyID, Secret: testSecret}))
	require.NoError(t, kr.StoreTOTPSeed("dev", testSeed))

	items := 0
	require.NoError(t, filepath.WalkDir(s.FileDir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		if !strings.HasPrefix(path, filepath.Join(s.FileDir, recordsDir)) {
			items++
		}
		data, err := os.ReadFile(path)
		require.NoError(t, err)
		for _, secret := range []string{testSecret, testSeed, "correct horse", testKeyID} {
			assert.NotContains(t, string(data), secret, "file %s", path)
		}
		info, err := d.Info()
		require.NoError(t, err)
		assert.Equal(t, os.FileMode(0o600), info.Mode().Perm(), "got mode %v for %s, want 0600", info.Mode().Perm(), path)
		return nil
	}))
	assert.Equal(t, 2, items, "got %d items, want 2", items)
}

func TestFileBackendWrongPassphrase(t *testing.T) {
	t.Parallel()
	s := fileSettings(t, "correct horse")
	kr, err := Open(s)
	require.NoError(t, err)
	require.NoError(t, kr.StoreKeys("dev", AccessKey{ID: testKeyID, Secret: testSecret}))

	s.Passphrase = fixed("wrong horse")
	wrong, err := Open(s)
	require.NoError(t, err)
	_, err = wrong.Keys("dev")
	require.ErrorIs(t, err, ErrWrongPassphrase)
	// A wrong passphrase never encrypts a new item.
	err = wrong.StoreKeys("prod", AccessKey{ID: testKeyID, Secret: testSecret})
	require.ErrorIs(t, err, ErrWrongPassphrase)
	_, err = kr.Keys("prod")
	require.ErrorIs(t, err, ErrNotFound)
	assert.NotContains(t, err.Error(), "horse")
}

func TestFileBackendPassphraseRefused(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name       string
		passphrase func() (Secret, error)
	}{
		{"none", nil},
		{"empty", fixed("")},
		{"no terminal", func() (Secret, error) { return "", errors.New("no terminal to ask on") }},
	} {
		t.Run(tt.name, func(t *testing.T) {
			s := fileSettings(t, "")
			s.Passphrase = tt.passphrase
			kr, err := Open(s)
			require.NoError(t, err)
			err = kr.StoreKeys("dev", AccessKey{ID: testKeyID, Secret: testSecret})
			require.ErrorIs(t, err, ErrLocked)
			assert.True(t, IsUnusable(err))
		})
	}
}

func TestOpenUnknownOrMissingBackend(t *testing.T) {
	t.Parallel()
	for _, name := range []string{"vault", "wincred"} {
		_, err := Open(Settings{Backend: name})
		require.ErrorIs(t, err, ErrNoBackend, "backend %s", name)
		assert.Contains(t, err.Error(), name)
	}
}

func TestProvider(t *testing.T) {
	t.Parallel()
	s := fileSettings(t, "pw")
	calls := 0
	s.Passphrase = func() (Secret, error) { calls++; return "pw", nil }
	p := &Provider{Settings: s, Profile: "dev"}
	assert.Equal(t, 0, calls, "got %d passphrase prompts before Retrieve, want 0", calls)

	_, err := p.Retrieve(context.Background())
	require.ErrorIs(t, err, ErrNotFound)
	assert.Contains(t, err.Error(), `profile "dev"`)

	kr, err := Open(s)
	require.NoError(t, err)
	require.NoError(t, kr.StoreKeys("dev", AccessKey{ID: testKeyID, Secret: testSecret}))
	creds, err := p.Retrieve(context.Background())
	require.NoError(t, err)
	assert.Equal(t, testKeyID, creds.AccessKeyID)
	assert.Equal(t, testSecret, creds.SecretAccessKey)
	assert.False(t, creds.CanExpire)
	assert.Equal(t, "awssession keyring (file)", creds.Source)
}

func TestSecretNeverPrinted(t *testing.T) {
	t.Parallel()
	key := AccessKey{ID: testKeyID, Secret: testSecret}
	for _, format := range []string{"%v", "%+v", "%#v", "%s", "%q", "%x"} {
		out := fmt.Sprintf(format, key)
		assert.NotContains(t, out, testSecret, "format %s", format)
		assert.False(t, strings.Contains(out, "wJal"), "format %s printed %s", format, out)
	}
}
