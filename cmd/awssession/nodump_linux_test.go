//go:build linux

package main

import (
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The command exec runs cannot read awssession's environment (the secret
// key in $AWSSESSION_SECRET_KEY) from /proc/$PPID/environ, with or without
// --server. The awssession under test is this test binary as a process,
// through main; as root (which may read any process), both run as nobody.
// The child reading its own environ shows that /proc works here.
func TestChildCannotReadParentEnviron(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	const script = `cat /proc/$$/environ >/dev/null && echo own=read
if cat /proc/$PPID/environ; then echo parent=read; else echo parent=refused; fi`
	var nobody string
	if os.Geteuid() == 0 {
		nobody = nobodyDir(t)
	}
	for _, mode := range [][]string{{"exec"}, {"exec", "--server"}} {
		t.Run(strings.Join(mode, " "), func(t *testing.T) {
			args := append(append(mode, "--no-cache"), f.aliceArgs("--role-arn", f.reader.ARN, "--", "sh", "-c", script)...)
			cmd := f.cliProcess(t, args...)
			if nobody != "" {
				runAsNobody(cmd, nobody)
			}
			var stderr strings.Builder
			cmd.Stderr = &stderr
			out, err := cmd.Output()
			require.NoError(t, err, "stderr: %s", stderr.String())
			assert.Contains(t, string(out), "own=read\n")
			assert.Contains(t, string(out), "parent=refused\n")
			assert.NotContains(t, string(out), f.alice.SecretAccessKey)
			assert.NotContains(t, string(out), envSecretKey)
		})
	}
}

// nobodyDir returns a directory that user nobody (65534) can read, with a
// copy of the test binary and empty shared config files.
func nobodyDir(t *testing.T) string {
	t.Helper()
	dir, err := os.MkdirTemp("", "awssession-nodump-")
	require.NoError(t, err)
	t.Cleanup(func() { _ = os.RemoveAll(dir) })
	require.NoError(t, os.Chmod(dir, 0o755))
	bin := filepath.Join(dir, "awssession.test")
	copyFile(t, os.Args[0], bin, 0o755)
	for _, name := range []string{"config", "credentials"} {
		require.NoError(t, os.WriteFile(filepath.Join(dir, name), nil, 0o644))
	}
	return dir
}

// runAsNobody makes cmd run as user nobody, from dir (see nobodyDir).
func runAsNobody(cmd *exec.Cmd, dir string) {
	bin := filepath.Join(dir, "awssession.test")
	cmd.Path, cmd.Args[0], cmd.Dir = bin, bin, dir
	cmd.Env = append(cmd.Env, "HOME="+dir, "AWS_CONFIG_FILE="+filepath.Join(dir, "config"),
		"AWS_SHARED_CREDENTIALS_FILE="+filepath.Join(dir, "credentials"))
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: 65534, Gid: 65534}}
}

func copyFile(t *testing.T, from, to string, mode os.FileMode) {
	t.Helper()
	in, err := os.Open(from)
	require.NoError(t, err)
	defer in.Close()
	out, err := os.OpenFile(to, os.O_CREATE|os.O_WRONLY|os.O_EXCL, mode)
	require.NoError(t, err)
	_, err = io.Copy(out, in)
	require.NoError(t, err)
	require.NoError(t, out.Close())
}
