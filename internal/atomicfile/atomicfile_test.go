package atomicfile

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// childSwitch makes the test binary write its argument's file under a
// file size limit (see limitFileSize) and exit 0 on success, 3 on failure.
const childSwitch = "ATOMICFILE_TEST_CHILD"

func TestMain(m *testing.M) {
	if path := os.Getenv(childSwitch); path != "" {
		if err := limitFileSize(16); err != nil {
			os.Exit(4)
		}
		if err := Write(path, bytes.Repeat([]byte("n"), 4096)); err != nil {
			os.Exit(3)
		}
		os.Exit(0)
	}
	os.Exit(m.Run())
}

func TestWriteReplaces(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "item")
	require.NoError(t, Write(path, []byte("old")))
	require.NoError(t, Write(path, []byte("new")))
	got, err := os.ReadFile(path)
	require.NoError(t, err)
	assert.Equal(t, "new", string(got))
	fi, err := os.Stat(path)
	require.NoError(t, err)
	assert.Equal(t, os.FileMode(0o600), fi.Mode().Perm())
	assertNoTemps(t, filepath.Dir(path))
}

// TestWriteFailureKeepsTheOldFile writes under a file size limit
// (RLIMIT_FSIZE, as "ulimit -f" sets it) in a child process: the write
// fails with EFBIG part way, and the old file is intact.
func TestWriteFailureKeepsTheOldFile(t *testing.T) {
	t.Parallel()
	if runtime.GOOS == "windows" {
		t.Skip("no file size limit on Windows")
	}
	path := filepath.Join(t.TempDir(), "item")
	old := bytes.Repeat([]byte("o"), 600)
	require.NoError(t, Write(path, old))

	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), childSwitch+"="+path)
	err := cmd.Run()
	var exit *exec.ExitError
	require.ErrorAs(t, err, &exit, "the write under a 16-byte limit succeeded")
	require.Equal(t, 3, exit.ExitCode(), "got exit %d, want 3 (the write failed)", exit.ExitCode())

	got, err := os.ReadFile(path)
	require.NoError(t, err)
	assert.Equal(t, old, got, "the old content is intact")
	assertNoTemps(t, filepath.Dir(path))
}

func assertNoTemps(t *testing.T, dir string) {
	t.Helper()
	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	for _, e := range entries {
		assert.False(t, strings.HasPrefix(e.Name(), TempPrefix), "temporary file %s left", e.Name())
	}
}
