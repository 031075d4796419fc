package main

import (
	"bufio"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestExecStatus passes the command's exit status through.
func TestExecStatus(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	notExecutable := filepath.Join(t.TempDir(), "script")
	require.NoError(t, os.WriteFile(notExecutable, []byte("#!/bin/sh\n"), 0o600))
	tests := []struct {
		name    string
		command []string
		code    int
	}{
		{"success", []string{"true"}, 0},
		{"exit 7", []string{"sh", "-c", "exit 7"}, 7},
		{"killed by SIGTERM", []string{"sh", "-c", "kill -TERM $$"}, 128 + int(syscall.SIGTERM)},
		{"not found", []string{"no-such-command-awssession"}, 127},
		{"not executable", []string{notExecutable}, 126},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r := f.run(t, nil, "", append(append([]string{"exec"}, f.aliceArgs("--")...), tt.command...)...)
			assert.Equal(t, tt.code, r.code, "stderr: %s", r.stderr)
		})
	}
}

// TestExecEnvironment shows the command sees the session and none of the
// variables that would compete with it or carry awssession's secrets.
func TestExecEnvironment(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	env := []string{"AWS_PROFILE=dev", "AWS_DEFAULT_PROFILE=dev", "AWS_SECURITY_TOKEN=old", "AWS_SESSION_TOKEN=old",
		"AWS_ACCESS_KEY=old", "AWS_SECRET_KEY=old", "AWS_REGION=us-west-2", "KEEP_ME=yes"}
	r := f.run(t, env, "", append([]string{"exec"}, f.aliceArgs("--mfa-serial", f.mfa.SerialNumber, "--mfa-totp-secret-env", "MFA_SEED",
		"--role-arn", f.admin.ARN, "--", "env", "-0")...)...)
	require.Equal(t, 0, r.code, "stderr: %s", r.stderr)
	got := map[string]string{}
	for _, kv := range strings.Split(strings.TrimSuffix(r.stdout, "\x00"), "\x00") {
		k, v, _ := strings.Cut(kv, "=")
		got[k] = v
	}
	assert.Regexp(t, `^ASIA`, got["AWS_ACCESS_KEY_ID"])
	assert.NotEmpty(t, got["AWS_SECRET_ACCESS_KEY"])
	assert.NotEqual(t, "old", got["AWS_SESSION_TOKEN"])
	assert.NotEmpty(t, got["AWS_SESSION_TOKEN"])
	assert.Equal(t, "eu-west-1", got["AWS_REGION"])
	assert.Equal(t, "eu-west-1", got["AWS_DEFAULT_REGION"])
	_, err := time.Parse(time.RFC3339, got["AWS_CREDENTIAL_EXPIRATION"])
	assert.NoError(t, err)
	assert.Equal(t, "yes", got["KEEP_ME"])
	for _, name := range []string{"AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_SECURITY_TOKEN", "AWS_ACCESS_KEY", "AWS_SECRET_KEY",
		envSecretKey, "MFA_SEED"} {
		_, ok := got[name]
		assert.False(t, ok, "the command sees %s", name)
	}
}

// TestExecStdin gives the command what is left of stdin after the secrets
// awssession read from it.
func TestExecStdin(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	r := f.run(t, []string{envSecretKey + "="}, f.alice.SecretAccessKey+"\nfor the command\n",
		append([]string{"exec"}, f.aliceArgs("--secret-key", "-", "--", "cat")...)...)
	require.Equal(t, 0, r.code, "stderr: %s", r.stderr)
	assert.Equal(t, "for the command\n", r.stdout)
}

// TestExecForwardsSignals runs awssession as a process: SIGTERM sent to
// it reaches the command, whose trap decides the exit status.
func TestExecForwardsSignals(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	for _, sig := range []syscall.Signal{syscall.SIGTERM, syscall.SIGINT, syscall.SIGHUP} {
		t.Run(sig.String(), func(t *testing.T) {
			t.Parallel()
			script := `trap 'exit 42' TERM INT HUP; echo ready; while :; do sleep 0.05; done`
			cmd := f.cliProcess(t, append([]string{"exec"}, f.aliceArgs("--", "sh", "-c", script)...)...)
			cmd.Stderr = os.Stderr
			out, err := cmd.StdoutPipe()
			require.NoError(t, err)
			require.NoError(t, cmd.Start())
			line, err := bufio.NewReader(out).ReadString('\n')
			require.NoError(t, err)
			require.Equal(t, "ready\n", line)
			require.NoError(t, cmd.Process.Signal(sig))
			err = cmd.Wait()
			var exit *exec.ExitError
			require.True(t, errors.As(err, &exit), "got %v, want exit status 42", err)
			assert.Equal(t, 42, exit.ExitCode())
		})
	}
}

// TestExecSecretsAndNesting, through the command: the child gets none of
// awssession's secrets (the keyring passphrase included); a command that
// is not found exits 127 before any STS call (in PATH or as a path), one
// found but not executable 126; inside a session ($AWSSESSION set) exec
// and env refuse with exit 2 unless --nested, and env --unset still
// works there.
func TestExecSecretsAndNesting(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	secrets := []string{envKeyringPassphrase + "=hunter2", envMFAToken + "=123456", envSessionToken + "=", envAccessKey + "=" + f.alice.AccessKeyID}
	r := f.binary(t, secrets, "", append(append([]string{"exec"}, f.aliceArgs("--role-arn", f.reader.ARN)...), "--", "env", "-0")...)
	require.Equal(t, 0, r.code, "stderr: %s", r.stderr)
	got := map[string]string{}
	for _, kv := range strings.Split(strings.TrimSuffix(r.stdout, "\x00"), "\x00") {
		k, v, _ := strings.Cut(kv, "=")
		got[k] = v
	}
	for _, name := range secretVars {
		if strings.HasPrefix(name, "AWSSESSION_") { // the session's own keys it must see
			_, ok := got[name]
			assert.False(t, ok, "the command sees %s", name)
		}
	}
	assert.NotContains(t, r.stdout, "hunter2")
	assert.Regexp(t, `^ASIA`, got["AWS_ACCESS_KEY_ID"])

	notExecutable := filepath.Join(t.TempDir(), "script")
	require.NoError(t, os.WriteFile(notExecutable, []byte("#!/bin/sh\n"), 0o600))
	before := f.srv.CountRequests("")
	for _, tt := range []struct {
		command string
		code    int
		want    string
	}{
		{"no-such-command-awssession", 127, "exec no-such-command-awssession: command not found"},
		{filepath.Join(t.TempDir(), "missing"), 127, "command not found"},
		{notExecutable, 126, "permission denied"},
	} {
		r := f.binary(t, nil, "", append(append([]string{"exec"}, f.aliceArgs("--role-arn", f.reader.ARN)...), "--", tt.command)...)
		assert.Equal(t, tt.code, r.code, "%s: stderr: %s", tt.command, r.stderr)
		assert.Contains(t, r.stderr, tt.want)
	}
	assert.Equal(t, before, f.srv.CountRequests(""), "a command that cannot run costs no STS call")

	inside := []string{markerVar + "=dev"}
	for _, args := range [][]string{
		append([]string{"exec"}, f.aliceArgs("--role-arn", f.reader.ARN)...),
		append([]string{"env"}, f.aliceArgs("--role-arn", f.reader.ARN)...),
	} {
		command := map[bool][]string{true: {"--", "true"}}[args[0] == "exec"]
		before := f.srv.CountRequests("")
		r := f.binary(t, inside, "", append(args, command...)...)
		assert.Equal(t, exitUsage, r.code, "%s inside a session: stderr: %s", args[0], r.stderr)
		assert.Contains(t, r.stderr, `already in session "dev" ($AWSSESSION)`)
		assert.Contains(t, r.stderr, "--nested")
		assert.Equal(t, before, f.srv.CountRequests(""), "refused before any STS call")
		r = f.binary(t, inside, "", append(append(args, "--nested"), command...)...)
		assert.Equal(t, 0, r.code, "%s --nested: stderr: %s", args[0], r.stderr)
	}
	r = f.binary(t, inside, "", "env", "--unset")
	assert.Equal(t, 0, r.code, "stderr: %s", r.stderr)
}

// TestEnvUnsetMarker: eval of env --unset in bash leaves no AWSSESSION
// behind.
func TestEnvUnsetMarker(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	r := f.binary(t, nil, "", "env", "--unset")
	require.Equal(t, 0, r.code, "stderr: %s", r.stderr)
	env := evalBash(t, r.stdout, markerVar+"=dev", "AWS_ACCESS_KEY_ID=x", "KEEP=1")
	_, ok := env[markerVar]
	assert.False(t, ok, "AWSSESSION still set after env --unset")
	assert.Equal(t, "1", env["KEEP"])
}
