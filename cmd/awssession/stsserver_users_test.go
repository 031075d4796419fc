//go:build unix

package main

import (
	"bytes"
	"errors"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestSTSServerUsersMustBeAFile: --users from a FIFO used to block for
// ever, from /dev/zero to grow until the process died; both are bad input
// (exit 2) at once. The runs are processes, killed after 30 s at the
// latest.
func TestSTSServerUsersMustBeAFile(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	fifo := filepath.Join(t.TempDir(), "users.fifo")
	require.NoError(t, syscall.Mkfifo(fifo, 0o600))
	for _, path := range []string{fifo, "/dev/zero"} {
		cmd := f.cliProcess(t, "sts-server", "--users", path)
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		err := cmd.Run()
		var exit *exec.ExitError
		require.True(t, errors.As(err, &exit), "%s: got %v, want exit status 2", path, err)
		assert.Equal(t, exitUsage, exit.ExitCode(), "%s: stderr: %s", path, stderr.String())
		assert.Contains(t, stderr.String(), "--users "+path+": not a regular file")
	}
}
