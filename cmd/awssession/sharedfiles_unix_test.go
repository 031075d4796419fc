//go:build unix

package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestCommandsRefuseUnreadableSharedFiles: list, cache list, remove and
// completion read the shared files as sessions do. A FIFO as
// AWS_CONFIG_FILE used to block them for ever (ignoring SIGTERM), and
// /dev/zero to grow until the process died; now list, cache list and
// remove exit 2 at once naming the file (remove before it asks or removes
// anything), and completion completes nothing. Each run is a process,
// killed after 30 s at the latest, so a run that blocks fails here.
func TestCommandsRefuseUnreadableSharedFiles(t *testing.T) {
	t.Parallel()
	k := newKeyringFixture(t) // dev's keys in the file keyring
	fifo := filepath.Join(t.TempDir(), "config.fifo")
	require.NoError(t, syscall.Mkfifo(fifo, 0o600))
	require.NoError(t, os.MkdirAll(filepath.Join(k.dir, "cache"), 0o700))
	for _, path := range []string{fifo, "/dev/zero"} {
		env := append(append(append([]string(nil), k.fixture.env...), k.env...), "AWS_CONFIG_FILE="+path)
		for _, args := range [][]string{{"list"}, {"list", "--json"}, {"cache", "list"}, {"remove", "dev", "--force"}, {"remove", "dev"}} {
			code, stdout, stderr := k.process(t, env, args...)
			assert.Equal(t, exitUsage, code, "%s %v: stdout: %s stderr: %s", path, args, stdout, stderr)
			assert.Contains(t, stderr, path, "%s %v", path, args)
			assert.Empty(t, stdout, "%s %v", path, args)
		}
		code, stdout, stderr := k.process(t, env, "__complete", "env", "")
		assert.Equal(t, 0, code, "%s: completion: stderr: %s", path, stderr)
		assert.Equal(t, ":5\n", stdout, "%s: completion: no names, an error directive (ShellCompDirectiveError|NoFileComp)", path)
	}
	r := k.run(t, k.env, "", "list", "--json")
	require.Equal(t, 0, r.code, "stderr: %s", r.stderr)
	var listed []listedProfile
	require.NoError(t, json.Unmarshal([]byte(r.stdout), &listed))
	require.Len(t, listed, 1)
	assert.Equal(t, "keyring (file)", listed[0].Credentials, "remove removed nothing")
}

// process runs the command as a process with env, killed after 30 s at
// the latest, and returns its exit status (-1 when killed) and output.
func (f *fixture) process(t *testing.T, env []string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	cmd := f.cliProcess(t, args...)
	cmd.Env = append([]string{cliSwitch + "=1"}, env...)
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	err := cmd.Run()
	var exit *exec.ExitError
	switch {
	case errors.As(err, &exit):
		code = exit.ExitCode()
	case err != nil:
		t.Fatalf("%s: %v", strings.Join(args, " "), err)
	}
	return code, out.String(), errOut.String()
}
