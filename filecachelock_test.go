package awssession

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestClearAndDeleteLeaveHeldLocks: Clear and Delete remove the lock files
// nobody holds and leave the ones a caller holds; a lock is taken again
// after its file was removed.
func TestClearAndDeleteLeaveHeldLocks(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	dir := filepath.Join(t.TempDir(), "cache")
	c, err := NewFileCache(dir)
	require.NoError(t, err)
	for _, key := range []string{"role-held", "role-free", "session-free"} {
		require.NoError(t, c.Put(ctx, key, []byte("{}")))
		unlock, err := c.Lock(ctx, key)
		require.NoError(t, err)
		unlock()
	}
	unlock, err := c.Lock(ctx, "role-held")
	require.NoError(t, err)

	require.NoError(t, c.Delete(ctx, "session-free"))
	assert.NoFileExists(t, filepath.Join(dir, "session-free.lock"))
	require.NoError(t, c.Clear())
	assert.NoFileExists(t, filepath.Join(dir, "role-free.lock"))
	assert.NoFileExists(t, filepath.Join(dir, "role-held.json"))
	assert.FileExists(t, filepath.Join(dir, "role-held.lock"), "a held lock stays")
	require.NoError(t, c.Delete(ctx, "role-held"))
	assert.FileExists(t, filepath.Join(dir, "role-held.lock"), "a held lock stays")

	unlock()
	require.NoError(t, c.Clear())
	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	assert.Empty(t, entries)
	again, err := c.Lock(ctx, "role-held")
	require.NoError(t, err, "a lock is taken again after its file was removed")
	again()
}
