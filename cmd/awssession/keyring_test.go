package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// keyringEnv is the file backend in a new directory, with a passphrase.
func keyringEnv(t *testing.T) []string {
	t.Helper()
	return []string{
		envKeyringBackend + "=file",
		envKeyringFileDir + "=" + filepath.Join(t.TempDir(), "keyring"),
		envKeyringPassphrase + "=correct horse",
	}
}

// noSecret fails when r printed a secret.
func noSecret(t *testing.T, r result, secrets ...string) {
	t.Helper()
	for _, s := range secrets {
		assert.NotContains(t, r.stdout+r.stderr, s)
	}
}

func TestAddListRemove(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	env := keyringEnv(t)
	keys := f.alice.AccessKeyID + "\n" + f.alice.SecretAccessKey + "\n"

	r := f.run(t, env, keys, "add", "dev", "--sts-endpoint", f.srv.URL)
	require.Equal(t, 0, r.code, "stderr: %s", r.stderr)
	assert.Contains(t, r.stderr, f.alice.ARN)
	assert.Contains(t, r.stderr, "stored the keys of profile dev")
	noSecret(t, r, f.alice.SecretAccessKey)

	r = f.run(t, env, f.mfa.Secret+"\n", "add", "dev", "--totp-seed")
	require.Equal(t, 0, r.code, "stderr: %s", r.stderr)
	noSecret(t, r, f.mfa.Secret)

	require.NoError(t, os.WriteFile(filepath.Join(f.dir, "credentials"), []byte("[plain]\naws_access_key_id = AKIAIOSFODNN7EXAMPLE\naws_secret_access_key = x\n"), 0o600))
	require.NoError(t, os.WriteFile(filepath.Join(f.dir, "config"), []byte("[profile dev]\nregion = eu-west-1\n[profile admin]\nrole_arn = "+f.reader.ARN+"\nsource_profile = dev\n[sso-session corp]\nsso_region = eu-west-1\n"), 0o600))
	r = f.run(t, env, "", "list")
	require.Equal(t, 0, r.code, "stderr: %s", r.stderr)
	lines := strings.Split(strings.TrimSpace(r.stdout), "\n")
	require.Len(t, lines, 4, "got %q", r.stdout)
	assert.Regexp(t, `^PROFILE\s+CREDENTIALS\s+TOTP SEED\s+CACHED SESSIONS$`, lines[0])
	assert.Regexp(t, `^admin\s+role on dev\s+-\s+-$`, lines[1])
	assert.Regexp(t, `^dev\s+keyring \(file\)\s+keyring\s+-$`, lines[2])
	assert.Regexp(t, `^plain\s+credentials file\s+-\s+-$`, lines[3])
	noSecret(t, r, f.alice.SecretAccessKey, f.mfa.Secret)

	r = f.run(t, env, "", "remove", "dev", "--force")
	require.Equal(t, 0, r.code, "stderr: %s", r.stderr)
	assert.Contains(t, r.stderr, "removed the keys and TOTP seed of profile dev")
	r = f.run(t, env, "", "remove", "dev", "--force")
	assert.Equal(t, 2, r.code, "got exit %d, want 2; stderr: %s", r.code, r.stderr)
	assert.Contains(t, r.stderr, `profile "dev": not in the keyring`)
	assert.Contains(t, r.stderr, "hint: 'awssession add PROFILE'")
}

func TestAddFromEnv(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	env := append(keyringEnv(t), "AWS_ACCESS_KEY_ID="+f.alice.AccessKeyID, "AWS_SECRET_ACCESS_KEY="+f.alice.SecretAccessKey)
	r := f.run(t, env, "", "add", "dev", "--env", "--sts-endpoint", f.srv.URL)
	require.Equal(t, 0, r.code, "stderr: %s", r.stderr)
	noSecret(t, r, f.alice.SecretAccessKey)
	r = f.run(t, env, "", "list")
	require.Equal(t, 0, r.code, "stderr: %s", r.stderr)
	assert.Regexp(t, `(?m)^dev\s+keyring \(file\)`, r.stdout)
}

func TestAddRefused(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	tests := []struct {
		name  string
		env   []string
		stdin string
		args  []string
		code  int
		want  string
	}{
		{"wrong secret", nil, f.alice.AccessKeyID + "\nnot-the-secret\n", []string{"--sts-endpoint", f.srv.URL}, exitRefused, "GetCallerIdentity"},
		{"temporary keys", []string{"AWS_ACCESS_KEY_ID=" + f.alice.AccessKeyID, "AWS_SECRET_ACCESS_KEY=x", "AWS_SESSION_TOKEN=t"}, "", []string{"--env"}, exitUsage, "temporary keys"},
		{"no env", nil, "", []string{"--env"}, exitUsage, "must both be set"},
		{"not a key ID", nil, "alice\nsecret\n", []string{"--no-verify"}, exitUsage, "not one"},
		{"ASIA key", nil, "ASIAIOSFODNN7EXAMPLE\nsecret\n", []string{"--no-verify"}, exitUsage, "temporary key"},
		{"no stdin", nil, "", []string{"--no-verify"}, exitUsage, "stdin has no more lines"},
		{"bad seed", nil, "not base32!\n", []string{"--totp-seed"}, exitUsage, "not a base32 seed"},
		{"bad profile", nil, "", []string{"--no-verify", "two words"}, exitUsage, "not a profile name"},
		{"no backend", []string{envKeyringBackend + "=wincred"}, f.alice.AccessKeyID + "\nx\n", []string{"--no-verify"}, exitUsage, "wincred"},
		{"unknown backend", []string{envKeyringBackend + "=vault"}, f.alice.AccessKeyID + "\nx\n", []string{"--no-verify"}, exitUsage, "unknown backend"},
		{"no passphrase", []string{envKeyringPassphrase + "="}, f.alice.AccessKeyID + "\nx\n", []string{"--no-verify"}, exitUsage, envKeyringPassphrase},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			env := append(keyringEnv(t), tt.env...)
			args := append([]string{"add"}, tt.args...)
			if !strings.Contains(strings.Join(tt.args, " "), "two words") {
				args = append(args, "dev")
			}
			r := f.run(t, env, tt.stdin, args...)
			assert.Equal(t, tt.code, r.code, "got exit %d, want %d; stderr: %s", r.code, tt.code, r.stderr)
			assert.Contains(t, r.stderr, tt.want)
			noSecret(t, r, f.alice.SecretAccessKey, "not-the-secret")
			if r.code != 0 {
				l := f.run(t, env, "", "list")
				assert.NotContains(t, l.stdout, "keyring (file)", "a refused add stored keys")
			}
		})
	}
}

func TestKeyringWrongPassphrase(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	env := keyringEnv(t)
	r := f.run(t, env, f.alice.AccessKeyID+"\n"+f.alice.SecretAccessKey+"\n", "add", "dev", "--no-verify")
	require.Equal(t, 0, r.code, "stderr: %s", r.stderr)
	wrong := append(env, envKeyringPassphrase+"=wrong horse")
	r = f.run(t, wrong, f.alice.AccessKeyID+"\n"+f.alice.SecretAccessKey+"\n", "add", "prod", "--no-verify")
	assert.Equal(t, exitUsage, r.code, "got exit %d, want 2; stderr: %s", r.code, r.stderr)
	assert.Contains(t, r.stderr, "wrong passphrase")
	noSecret(t, r, "wrong horse", "correct horse")
}
