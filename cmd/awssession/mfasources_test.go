package main

import (
	"bytes"
	"cmp"
	"context"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestMFAProcess gets codes from --mfa-process and from a profile's
// mfa_process: the program is found in the PATH of the run's environment,
// run without a shell, its stderr shown, its output never.
func TestMFAProcess(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	codes := filepath.Join(f.dir, "code")
	bin := fakeTool(t, "mfa-code", `echo "touch your key" >&2; cat "$1"`)
	env := []string{"PATH=" + bin + ":" + os.Getenv("PATH")}
	run := func(t *testing.T, timeout time.Duration, args ...string) result {
		var stdout, stderr bytes.Buffer
		c := newCLI(strings.NewReader(""), &stdout, &stderr, append(append([]string{envCacheDir + "=" + t.TempDir()}, f.env...), env...))
		c.openTTY = func() (io.ReadCloser, error) {
			t.Error("terminal opened, want the MFA process")
			return nil, os.ErrNotExist
		}
		c.mfaProcessTimeout = timeout
		return result{code: c.run(context.Background(), args), stdout: stdout.String(), stderr: stderr.String()}
	}
	session := f.aliceArgs("--no-cache", "--mfa-serial", f.mfa.SerialNumber, "--role-arn", f.admin.ARN)

	t.Run("a code", func(t *testing.T) {
		require.NoError(t, os.WriteFile(codes, []byte(f.srv.TOTPCode(f.mfa.SerialNumber)+"\n"), 0o600))
		r := run(t, 0, append([]string{"env", "--mfa-process", "mfa-code '" + codes + "'"}, session...)...)
		require.Equal(t, 0, r.code, "stderr: %s", r.stderr)
		assert.True(t, strings.HasPrefix(r.stderr, "touch your key\n"), r.stderr)
		assert.Contains(t, r.stdout, "AWS_SESSION_TOKEN")
	})
	t.Run("garbage", func(t *testing.T) {
		require.NoError(t, os.WriteFile(filepath.Join(f.dir, "garbage"), []byte("Amazon:alice 987650\n"), 0o600))
		r := run(t, 0, append([]string{"env", "--mfa-process", "mfa-code " + filepath.Join(f.dir, "garbage")}, session...)...)
		assert.Equal(t, exitError, r.code)
		assert.Contains(t, r.stderr, "MFA process mfa-code printed no six-digit code")
		assert.NotContains(t, r.stderr, "987650")
		assert.Empty(t, r.stdout)
	})
	t.Run("hangs past the timeout", func(t *testing.T) {
		r := run(t, 100*time.Millisecond, append([]string{"env", "--mfa-process", "sleep 60"}, session...)...)
		assert.Equal(t, exitError, r.code)
		assert.Contains(t, r.stderr, "MFA process sleep: no code after 100ms")
	})
	t.Run("no shell", func(t *testing.T) {
		r := run(t, 0, append([]string{"env", "--mfa-process", "mfa-code x; touch " + filepath.Join(f.dir, "pwned")}, session...)...)
		assert.NotEqual(t, 0, r.code)
		assert.NoFileExists(t, filepath.Join(f.dir, "pwned"))
	})
	t.Run("unbalanced quote", func(t *testing.T) {
		r := run(t, 0, append([]string{"env", "--mfa-process", "mfa-code 'x"}, session...)...)
		assert.Equal(t, exitUsage, r.code)
		assert.Contains(t, r.stderr, "--mfa-process")
	})
	t.Run("profile mfa_process, on the profile that names the device", func(t *testing.T) {
		dev := f.srv.AddMFADevice("alice") // a code of its own: the first subtest used this step's
		require.NoError(t, os.WriteFile(codes, []byte(f.srv.TOTPCode(dev.SerialNumber)+"\n"), 0o600))
		config := filepath.Join(t.TempDir(), "config")
		creds := filepath.Join(t.TempDir(), "credentials")
		require.NoError(t, os.WriteFile(creds, []byte("[base]\naws_access_key_id = "+f.alice.AccessKeyID+
			"\naws_secret_access_key = "+f.alice.SecretAccessKey+"\n"), 0o600))
		require.NoError(t, os.WriteFile(config, []byte("[profile base]\nregion = eu-west-1\nmfa_process = mfa-code /nonexistent\n\n"+
			"[profile admin]\nsource_profile = base\nrole_arn = "+f.admin.ARN+"\nmfa_serial = "+dev.SerialNumber+
			"\nMFA_Process = mfa-code \""+codes+"\"\n"), 0o600))
		env := []string{"AWS_CONFIG_FILE=" + config, "AWS_SHARED_CREDENTIALS_FILE=" + creds}
		var stdout, stderr bytes.Buffer
		c := newCLI(strings.NewReader(""), &stdout, &stderr, append(append(append([]string{envCacheDir + "=" + t.TempDir()}, f.env...), env...), "PATH="+bin+":"+os.Getenv("PATH")))
		c.openTTY = func() (io.ReadCloser, error) { t.Error("terminal opened"); return nil, os.ErrNotExist }
		code := c.run(context.Background(), []string{"env", "--no-cache", "--profile", "admin", "--sts-endpoint", f.srv.URL})
		require.Equal(t, 0, code, "stderr: %s", stderr.String())
		assert.True(t, strings.HasPrefix(stderr.String(), "touch your key\n"), "admin's mfa_process: %s", stderr.String())
	})
}

// TestGUIPrompt asks with a dialog where there is a display and no
// terminal; the dialog tool comes from the PATH of the run's environment.
func TestGUIPrompt(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	codes := filepath.Join(f.dir, "code")
	args := filepath.Join(f.dir, "args")
	bin := fakeTool(t, "zenity", `printf '%s ' "$@" >"`+args+`"; cat "`+codes+`"`)
	kdialog := fakeTool(t, "kdialog", `printf '%s ' "$@" >"`+args+`"; cat "`+codes+`"`)
	session := f.aliceArgs("--no-cache", "--mfa-serial", f.mfa.SerialNumber, "--role-arn", f.admin.ARN)
	second := f.srv.AddMFADevice("alice") // one code per device and step
	for _, tc := range []struct {
		name   string
		serial string
		env    []string
		args   []string
		want   string
	}{
		{name: "zenity where there is a display", env: []string{"PATH=" + bin + ":/usr/bin:/bin", "DISPLAY=:0"}, want: "--entry --hide-text --title awssession --text MFA code for " + f.mfa.SerialNumber + ":"},
		{name: "--prompt kdialog", env: []string{"PATH=" + kdialog + ":" + bin + ":/usr/bin:/bin"}, serial: second.SerialNumber,
			args: []string{"--prompt", "kdialog"}, want: "--title awssession --password MFA code for " + second.SerialNumber},
	} {
		t.Run(tc.name, func(t *testing.T) {
			serial := cmp.Or(tc.serial, f.mfa.SerialNumber)
			require.NoError(t, os.WriteFile(codes, []byte(f.srv.TOTPCode(serial)+"\n"), 0o600))
			r := f.run(t, tc.env, "", append(append(append([]string{"env"}, tc.args...), session...), "--mfa-serial", serial)...)
			require.Equal(t, 0, r.code, "stderr: %s", r.stderr)
			got, err := os.ReadFile(args)
			require.NoError(t, err)
			assert.Contains(t, string(got), tc.want)
		})
	}
	r := f.run(t, nil, "", append([]string{"env", "--prompt", "xmessage"}, session...)...)
	assert.Equal(t, exitUsage, r.code)
	assert.Contains(t, r.stderr, "--prompt")
}

// TestTOTPSeedFlagErrors: an empty variable name and a seed too short are
// errors naming the flag, never showing the seed.
func TestTOTPSeedFlagErrors(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	session := f.aliceArgs("--no-cache", "--mfa-serial", f.mfa.SerialNumber, "--role-arn", f.admin.ARN)
	r := f.run(t, nil, "", append([]string{"env", "--mfa-totp-secret-env", ""}, session...)...)
	assert.Equal(t, exitUsage, r.code)
	assert.Contains(t, r.stderr, "--mfa-totp-secret-env")
	r = f.run(t, []string{"SHORT_SEED=GEZDGNBVGY3TQOJ"}, "", append([]string{"env", "--mfa-totp-secret-env", "SHORT_SEED"}, session...)...)
	assert.Equal(t, exitUsage, r.code)
	assert.Contains(t, r.stderr, "--mfa-totp-secret-env $SHORT_SEED")
	assert.Contains(t, r.stderr, "TOTP secret")
	assert.NotContains(t, r.stderr, "GEZDGNBVGY3TQOJ")
}

// TestWaitingNote: the session's info lines (TOTP's wait for a fresh
// code) are notes on stderr, unless --silent; --debug has the full log.
func TestWaitingNote(t *testing.T) {
	t.Parallel()
	for name, tc := range map[string]struct {
		debug, silent bool
		want          string
	}{
		"default":  {want: "awssession: waiting 23 s for a fresh MFA code\n"},
		"--silent": {silent: true},
		"--debug":  {debug: true, want: `level=INFO msg="waiting 23 s for a fresh MFA code" serial=arn`},
	} {
		var stderr bytes.Buffer
		c := newCLI(strings.NewReader(""), io.Discard, &stderr, nil)
		c.debug, c.silent = tc.debug, tc.silent
		c.sessionLogger().Info("waiting 23 s for a fresh MFA code", "serial", "arn:aws:iam::123456789012:mfa/alice")
		c.sessionLogger().Debug("session layer")
		if tc.want == "" {
			assert.Empty(t, stderr.String(), name)
		} else {
			assert.Contains(t, stderr.String(), tc.want, name)
			assert.Equal(t, tc.debug, strings.Contains(stderr.String(), "session layer"), name)
		}
	}
}
