package keyring

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestCacheIDFollowsTheStoredKey: the cache id of a profile's keys is
// read without the passphrase, and changes whenever the keys might have:
// another store (even of the same key), a removal, another directory.
func TestCacheIDFollowsTheStoredKey(t *testing.T) {
	t.Parallel()
	s := fileSettings(t, "correct horse")
	asked := 0
	s.Passphrase = func() (Secret, error) { asked++; return "correct horse", nil }
	kr, err := Open(s)
	require.NoError(t, err)
	key := AccessKey{ID: testKeyID, Secret: testSecret}
	require.NoError(t, kr.StoreKeys("dev", key))
	asked = 0

	warm, err := Open(s)
	require.NoError(t, err)
	first := warm.CacheID("dev")
	assert.Equal(t, first, warm.CacheID("dev"), "the id is stable")
	assert.Zero(t, asked, "got %d passphrase prompts for the id, want 0", asked)
	assert.True(t, strings.HasPrefix(first, "keyring:file:dev:"), "got %s", first)
	for _, secret := range []string{testKeyID, testSecret} {
		assert.NotContains(t, first, secret)
	}

	require.NoError(t, kr.StoreKeys("dev", key))
	second := kr.CacheID("dev")
	assert.NotEqual(t, first, second, "a new store of the keys, a new id")

	other := s
	other.FileDir = filepath.Join(t.TempDir(), "keyring")
	elsewhere, err := Open(other)
	require.NoError(t, err)
	require.NoError(t, elsewhere.StoreKeys("dev", key))
	assert.NotEqual(t, second, elsewhere.CacheID("dev"), "another directory, another id")

	_, err = kr.Remove("dev")
	require.NoError(t, err)
	removed := kr.CacheID("dev")
	assert.NotEqual(t, second, removed, "removed keys, another id")
	assert.Contains(t, removed, "unstamped")
}

// TestProviderStampsUnstampedKeys: keys whose record is missing (stored
// by an older version) are stamped when first read, so the next run's id
// is theirs alone.
func TestProviderStampsUnstampedKeys(t *testing.T) {
	t.Parallel()
	s := fileSettings(t, "pw")
	kr, err := Open(s)
	require.NoError(t, err)
	require.NoError(t, kr.StoreKeys("dev", AccessKey{ID: testKeyID, Secret: testSecret}))
	require.NoError(t, os.RemoveAll(filepath.Join(s.FileDir, recordsDir)))
	unstamped := kr.CacheID("dev")
	assert.Contains(t, unstamped, "unstamped")

	_, err = (&Provider{Settings: s, Profile: "dev"}).Retrieve(context.Background())
	require.NoError(t, err)
	stamped := kr.CacheID("dev")
	assert.NotContains(t, stamped, "unstamped")
	_, err = (&Provider{Settings: s, Profile: "dev"}).Retrieve(context.Background())
	require.NoError(t, err)
	assert.Equal(t, stamped, kr.CacheID("dev"), "a key that matches its stamp is not stamped again")
}

func TestRotationRecord(t *testing.T) {
	t.Parallel()
	s := fileSettings(t, "pw")
	kr, err := Open(s)
	require.NoError(t, err)
	require.NoError(t, kr.StoreKeys("dev", AccessKey{ID: testKeyID, Secret: testSecret}))
	id := kr.CacheID("dev")

	rot, err := kr.Rotation("dev")
	require.NoError(t, err)
	assert.Nil(t, rot)
	want := &Rotation{OldKeyID: testKeyID, NewKeyID: "AKIANEWKEY0000000001", Started: time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC)}
	require.NoError(t, kr.RecordRotation("dev", want))
	rot, err = kr.Rotation("dev")
	require.NoError(t, err)
	assert.Equal(t, want, rot)
	assert.Equal(t, id, kr.CacheID("dev"), "a rotation record leaves the stamp")

	require.NoError(t, kr.RecordRotation("dev", nil))
	rot, err = kr.Rotation("dev")
	require.NoError(t, err)
	assert.Nil(t, rot)
}

// TestStoreRefusesWhatIsNoKey: what the keyring stores is checked first:
// a secret of a megabyte or of two lines, a temporary key, a profile name
// too long for a file name.
func TestStoreRefusesWhatIsNoKey(t *testing.T) {
	t.Parallel()
	kr, err := Open(fileSettings(t, "pw"))
	require.NoError(t, err)
	for _, tt := range []struct {
		name, profile string
		key           AccessKey
		want          string
	}{
		{"1 MB secret", "dev", AccessKey{ID: testKeyID, Secret: Secret(strings.Repeat("a", 1<<20))}, "1048576 bytes"},
		{"two-line secret", "dev", AccessKey{ID: testKeyID, Secret: testSecret + "\n" + testSecret}, "line break"},
		{"secret with a space", "dev", AccessKey{ID: testKeyID, Secret: "wJalr XUtnFEMI"}, "space"},
		{"temporary key", "dev", AccessKey{ID: "ASIAIOSFODNN7EXAMPLE", Secret: testSecret}, "temporary"},
		{"lower-case ID", "dev", AccessKey{ID: "akiaiosfodnn7example", Secret: testSecret}, "not one"},
		{"300-byte profile", strings.Repeat("p", 300), AccessKey{ID: testKeyID, Secret: testSecret}, "300 bytes"},
		{"slashes", strings.Repeat("/", 100), AccessKey{ID: testKeyID, Secret: testSecret}, "counts three"},
		{"escape in profile", "dev\x1b[2J", AccessKey{ID: testKeyID, Secret: testSecret}, "control"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			err := kr.StoreKeys(tt.profile, tt.key)
			require.ErrorIs(t, err, ErrInvalid)
			assert.Contains(t, err.Error(), tt.want)
			assert.NotContains(t, err.Error(), "wJalr")
			assert.True(t, IsUnusable(err))
		})
	}
	held, err := kr.Profiles()
	require.NoError(t, err)
	assert.Empty(t, held)
}
