package keyring

import (
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// storeChild makes the test binary store a new key for profile dev in the
// file backend in the directory it names, under a file size limit of
// storeChildLimit bytes, and exit 0 on success, 3 on failure.
const (
	storeChild      = "KEYRING_TEST_STORE_IN"
	storeChildLimit = "KEYRING_TEST_FSIZE"
)

func TestMain(m *testing.M) {
	if dir := os.Getenv(storeChild); dir != "" {
		os.Exit(storeUnderLimit(dir))
	}
	os.Exit(m.Run())
}

func storeUnderLimit(dir string) int {
	limit, err := strconv.ParseUint(os.Getenv(storeChildLimit), 10, 64)
	if err != nil || limitFileSize(limit) != nil {
		return 4
	}
	kr, err := Open(Settings{Backend: "file", FileDir: dir, Passphrase: fixed("correct horse")})
	if err != nil {
		return 4
	}
	if err := kr.StoreKeys("dev", AccessKey{ID: "AKIANEWKEY0000000001", Secret: "new/Secret+Key0000000000000000000000000"}); err != nil {
		return 3
	}
	return 0
}

// TestFileBackendFailedWriteKeepsTheItem replaces an item under a file
// size limit (RLIMIT_FSIZE, what "ulimit -f" sets; a full disk fails the
// same way): the write fails part way, and the old item is intact and
// readable, with no temporary file left among the items. The library's
// own Set truncated the item first and left it empty.
func TestFileBackendFailedWriteKeepsTheItem(t *testing.T) {
	t.Parallel()
	if runtime.GOOS == "windows" {
		t.Skip("no file size limit on Windows")
	}
	s := fileSettings(t, "correct horse")
	kr, err := Open(s)
	require.NoError(t, err)
	old := AccessKey{ID: testKeyID, Secret: testSecret}
	require.NoError(t, kr.StoreKeys("dev", old))
	item, err := os.Stat(filepath.Join(s.FileDir, itemFile(keysPrefix+"dev")))
	require.NoError(t, err)
	// Room for the record of the new key, not for its item.
	limit := item.Size() / 2
	require.Greater(t, limit, int64(200), "the item is smaller than expected")

	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), storeChild+"="+s.FileDir, storeChildLimit+"="+strconv.FormatInt(limit, 10))
	err = cmd.Run()
	var exit *exec.ExitError
	require.ErrorAs(t, err, &exit, "the store under a %d-byte limit succeeded", limit)
	require.Equal(t, 3, exit.ExitCode(), "got exit %d, want 3 (the store failed)", exit.ExitCode())

	again, err := Open(s)
	require.NoError(t, err)
	key, err := again.Keys("dev")
	require.NoError(t, err, "the old item is unreadable")
	assert.Equal(t, old, key)
	entries, err := os.ReadDir(s.FileDir)
	require.NoError(t, err)
	for _, e := range entries {
		assert.False(t, strings.HasPrefix(e.Name(), ".tmp-"), "temporary file %s left", e.Name())
	}
	held, err := again.Profiles()
	require.NoError(t, err)
	assert.Equal(t, []Held{{Profile: "dev", Keys: true}}, held)
}

// TestFileBackendIgnoresStrayFiles: a file a file manager leaves in the
// keyring directory (.DS_Store) is no item; it used to be taken for one
// that the passphrase failed to decrypt, so every add failed with "wrong
// passphrase".
func TestFileBackendIgnoresStrayFiles(t *testing.T) {
	t.Parallel()
	s := fileSettings(t, "correct horse")
	require.NoError(t, os.MkdirAll(s.FileDir, 0o700))
	require.NoError(t, os.WriteFile(filepath.Join(s.FileDir, ".DS_Store"), []byte("\x00\x00\x00\x01Bud1"), 0o600))
	kr, err := Open(s)
	require.NoError(t, err)
	require.NoError(t, kr.StoreKeys("dev", AccessKey{ID: testKeyID, Secret: testSecret}))
	second, err := Open(s)
	require.NoError(t, err)
	require.NoError(t, second.StoreTOTPSeed("prod", testSeed), "a second store proves the passphrase on an item, not on .DS_Store")
	held, err := second.Profiles()
	require.NoError(t, err)
	assert.Len(t, held, 2)
}
