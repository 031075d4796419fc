//go:build unix

package configfile

import (
	"context"
	"os"
	"path/filepath"
	"syscall"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestRefusesWhatIsNotAConfigFile: a FIFO (which would block), /dev/zero
// (which never ends) and an oversized file are refused, by Read and Edit,
// without waiting; /dev/null reads as empty but is not written.
func TestRefusesWhatIsNotAConfigFile(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	fifo := filepath.Join(dir, "fifo")
	require.NoError(t, syscall.Mkfifo(fifo, 0o600))
	big := filepath.Join(dir, "big")
	f, err := os.Create(big)
	require.NoError(t, err)
	require.NoError(t, f.Truncate(MaxSize+1)) // sparse
	require.NoError(t, f.Close())
	for _, path := range []string{fifo, "/dev/zero", big} {
		_, err := Read(path)
		assert.Error(t, err, path)
		_, err = Edit(context.Background(), path, setRegion("default", "a-1"))
		assert.ErrorContains(t, err, path)
	}
	got, err := Read(os.DevNull)
	require.NoError(t, err)
	assert.Empty(t, got.Bytes())
	_, err = Edit(context.Background(), os.DevNull, setRegion("default", "a-1"))
	assert.ErrorContains(t, err, "not a regular file")
	_, err = os.Stat("/dev/.null.lock")
	assert.ErrorIs(t, err, os.ErrNotExist, "a lock file was made beside /dev/null")
}
