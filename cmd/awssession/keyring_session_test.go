package main

import (
	"bytes"
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/awssession/awssession"
	"github.com/awssession/awssession/internal/keyring"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestKeyringBaseOfRoleChain is a role profile that requires MFA on top
// of a profile with no keys in any file: keyringSource makes the keyring
// the chain base's source and keyringTokens computes the MFA code from the
// seed in the keyring. This is what session.go is to wire in for every
// command.
func TestKeyringBaseOfRoleChain(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	env := keyringEnv(t)
	f.addBaseToKeyring(t, env)
	require.NoError(t, os.WriteFile(filepath.Join(f.dir, "config"), []byte("[profile base]\nmfa_serial = "+f.mfa.SerialNumber+"\n"), 0o600))

	r := f.run(t, env, f.alice.AccessKeyID+"\n"+f.alice.SecretAccessKey+"\n", "add", "plain", "--no-verify")
	require.Equal(t, 0, r.code, "stderr: %s", r.stderr)
	require.NoError(t, os.WriteFile(filepath.Join(f.dir, "config"), []byte("[profile base]\nmfa_serial = "+f.mfa.SerialNumber+"\n[profile plain]\n"+
		"[profile admin]\nsource_profile = base\nrole_session_name = kr\nrole_arn = "+f.admin.ARN+"\n"+
		"[profile reader]\nsource_profile = plain\nrole_session_name = kr\nrole_arn = "+f.reader.ARN+"\n"), 0o600))
	environ := append(append([]string(nil), f.env...), env...)
	tests := []struct {
		name, profile string
		role          string
		environ       []string
	}{
		{"MFA from the keyring, backend named", "admin", "Admin", environ},
		// The default order ends in the file backend, which holds the keys.
		{"default backend", "reader", "Reader", append(environ[:len(environ):len(environ)], envKeyringBackend+"=")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := newCLI(strings.NewReader(""), &bytes.Buffer{}, &bytes.Buffer{}, tt.environ)
			ctx := context.Background()
			opts := []awssession.Option{awssession.WithEnvironment(tt.environ), awssession.WithProfile(tt.profile),
				awssession.WithSTSEndpoint(f.srv.URL), awssession.WithRegion("eu-west-1")}
			if _, _, ok := c.keyringSource(map[string]string{"admin": "base", "reader": "plain"}[tt.profile]); !ok && !c.keyringNamed() {
				if os.Getenv("AWSSESSION_REQUIRE_KEYRING") == "1" {
					t.Fatal("another keyring backend comes before the file backend here; AWSSESSION_REQUIRE_KEYRING=1 wants this test run")
				}
				t.Skip("another backend comes before the file backend on this machine")
			}
			prompt := func(context.Context, string) (string, error) { return "", errors.New("prompted") }
			opts = append(opts, awssession.WithProfileSource(c.keyringSource), awssession.WithProfileMFA(c.keyringTokens(prompt, tt.profile, "base")))
			cfg, err := awssession.CreateSession(ctx, opts...)
			require.NoError(t, err)
			id, err := awssession.CallerIdentity(ctx, cfg)
			require.NoError(t, err)
			assert.Equal(t, "arn:aws:sts::123456789012:assumed-role/"+tt.role+"/kr", id.ARN)
		})
	}

	// Removed keys: a clear error and exit 2, not the SDK's default chain.
	r = f.run(t, env, "", "remove", "plain", "--force")
	require.Equal(t, 0, r.code, "stderr: %s", r.stderr)
	c := newCLI(strings.NewReader(""), &bytes.Buffer{}, &bytes.Buffer{}, environ)
	c.started = true
	opts := []awssession.Option{awssession.WithEnvironment(environ), awssession.WithProfile("reader"), awssession.WithSTSEndpoint(f.srv.URL)}
	_, _, ok := c.keyringSource("plain")
	require.True(t, ok, "with a backend named, the keyring is the source even without keys")
	cfg, err := awssession.CreateSession(context.Background(), append(opts, awssession.WithProfileSource(c.keyringSource))...)
	if err == nil {
		_, err = cfg.Credentials.Retrieve(context.Background())
	}
	require.ErrorIs(t, err, keyring.ErrNotFound)
	assert.Equal(t, exitUsage, c.exitCode(err))
	assert.Contains(t, err.Error(), `profile "plain": not in the keyring`)
}

// TestKeyringProfileThroughCommands: a role profile whose base's keys and
// TOTP seed are only in the keyring works through whoami and env, with
// the seed's codes; remove then drops the sessions cached on those keys,
// and the next run is a clear error (exit 2), not the SDK's default chain.
func TestKeyringProfileThroughCommands(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	env := keyringEnv(t)
	f.addBaseToKeyring(t, env)
	require.NoError(t, os.WriteFile(filepath.Join(f.dir, "config"), []byte("[profile base]\nmfa_serial = "+f.mfa.SerialNumber+
		"\n[profile admin]\nsource_profile = base\nrole_arn = "+f.admin.ARN+"\n"), 0o600))
	require.NoError(t, os.WriteFile(filepath.Join(f.dir, "credentials"), nil, 0o600))

	// As processes, with STS's endpoint from the environment as people
	// set it (--sts-endpoint would be part of every cache key, and remove
	// plans the default sessions).
	run := func(args ...string) (string, error) {
		cmd := f.cliProcess(t, args...)
		cmd.Env = append(append(cmd.Env, env...), "AWS_ENDPOINT_URL_STS="+f.srv.URL)
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		out, err := cmd.Output()
		if err != nil {
			return stderr.String(), err
		}
		return string(out), nil
	}
	out, err := run("whoami", "admin")
	require.NoError(t, err, out)
	assert.Contains(t, out, "assumed-role/Admin/")
	out, err = run("env", "admin", "--format", "dotenv")
	require.NoError(t, err, out)
	assert.Contains(t, out, "AWS_SESSION_TOKEN=")
	assert.Equal(t, 1, f.srv.CountRequests("GetSessionToken"), "one MFA session, from the seed in the keyring, for both runs")

	sessions := func() []string {
		files, _ := filepath.Glob(filepath.Join(f.dir, "cache", "*-*.json"))
		var out []string
		for _, p := range files {
			if !strings.HasPrefix(filepath.Base(p), "mfa-") {
				out = append(out, p)
			}
		}
		return out
	}
	require.NotEmpty(t, sessions())
	out, err = run("remove", "base", "--force")
	require.NoError(t, err, out)
	assert.Empty(t, sessions(), "remove drops the sessions built on the keys")

	out, err = run("whoami", "admin", "--mfa-token", "123456") // a code, so that the keys are what is missing
	var exit *exec.ExitError
	require.ErrorAs(t, err, &exit)
	assert.Equal(t, 2, exit.ExitCode(), "stderr: %s", out)
	assert.Contains(t, out, `profile "base"`)
	assert.NotContains(t, out, "IMDS")
}

// addBaseToKeyring stores alice's keys (checked with STS) and her MFA
// device's seed in the keyring for profile base.
func (f *fixture) addBaseToKeyring(t *testing.T, env []string) {
	t.Helper()
	r := f.run(t, env, f.alice.AccessKeyID+"\n"+f.alice.SecretAccessKey+"\n", "add", "base", "--sts-endpoint", f.srv.URL)
	require.Equal(t, 0, r.code, "stderr: %s", r.stderr)
	r = f.run(t, env, f.mfa.Secret+"\n", "add", "base", "--totp-seed")
	require.Equal(t, 0, r.code, "stderr: %s", r.stderr)
}

// TestMFATokenFromEnvironmentWinsOverKeyringSeed: a code in
// $AWSSESSION_MFA_TOKEN is the code sent, not one computed from a seed the
// keyring holds for the profile (the seed replaces only a prompt). A code
// STS refuses shows which one was sent.
func TestMFATokenFromEnvironmentWinsOverKeyringSeed(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	env := keyringEnv(t)
	f.addBaseToKeyring(t, env)
	require.NoError(t, os.WriteFile(filepath.Join(f.dir, "config"), []byte("[profile base]\nmfa_serial = "+f.mfa.SerialNumber+"\n"+
		"[profile admin]\nsource_profile = base\nrole_arn = "+f.admin.ARN+"\n"), 0o600))
	r := f.run(t, append(env, envMFAToken+"=000000"), "", "whoami", "admin", "--sts-endpoint", f.srv.URL, "--no-cache")
	assert.Equal(t, exitRefused, r.code, "stderr: %s", r.stderr)
	r = f.run(t, env, "", "whoami", "admin", "--sts-endpoint", f.srv.URL, "--no-cache")
	assert.Equal(t, 0, r.code, "without it, the seed: stderr: %s", r.stderr)
}
