//go:build unix

package safefile

import (
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The checked read refuses what would block or never end, and what is
// over the cap, naming the file; it never waits on a FIFO (a test that
// hangs here fails by the test timeout).
func TestRead(t *testing.T) {
	dir := t.TempDir()
	fifo := filepath.Join(dir, "fifo")
	require.NoError(t, syscall.Mkfifo(fifo, 0o600))
	big := filepath.Join(dir, "big")
	require.NoError(t, os.WriteFile(big, []byte(strings.Repeat("x", 2048)), 0o600))
	ok := filepath.Join(dir, "ok")
	require.NoError(t, os.WriteFile(ok, []byte("[default]\n"), 0o600))
	link := filepath.Join(dir, "link")
	require.NoError(t, os.Symlink(ok, link))

	for path, problem := range map[string]string{
		fifo:        "is not a regular file",
		"/dev/zero": "is not a regular file",
		big:         "is 2048 bytes; more than the 1 KiB",
		dir:         "is not a regular file",
	} {
		_, err := Read(path, 1024)
		var e *Error
		require.ErrorAs(t, err, &e, path)
		assert.Equal(t, path, e.Path)
		assert.Contains(t, e.Problem, problem, path)
	}
	for path, want := range map[string]string{ok: "[default]\n", link: "[default]\n", os.DevNull: ""} {
		b, err := Read(path, 1024)
		require.NoError(t, err, path)
		assert.Equal(t, want, string(b), path)
	}
	_, err := Read(filepath.Join(dir, "missing"), 1024)
	assert.ErrorIs(t, err, fs.ErrNotExist)
}
