package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestAddChecksEverythingItStores: add --no-verify still refuses what is
// no key, no seed or no profile name, as bad input (exit 2), and stores
// nothing.
func TestAddChecksEverythingItStores(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	envKeys := func(secret string) []string {
		return []string{"AWS_ACCESS_KEY_ID=" + f.alice.AccessKeyID, "AWS_SECRET_ACCESS_KEY=" + secret}
	}
	tests := []struct {
		name  string
		env   []string
		stdin string
		args  []string
		want  string
	}{
		{"1 MB secret", envKeys(strings.Repeat("k", 1<<20)), "", []string{"dev", "--env"}, "1048576 bytes"},
		{"two-line secret", envKeys(f.alice.SecretAccessKey + "\n" + f.alice.SecretAccessKey), "", []string{"dev", "--env"}, "line break"},
		{"secret with a control character", envKeys("wJalrXUtn\x1bFEMI"), "", []string{"dev", "--env"}, "control"},
		{"4-character seed", nil, "JBSW\n", []string{"dev", "--totp-seed"}, "4 base32 characters, want at least 16 (80 bits)"},
		{"seed of 2000 characters", nil, strings.Repeat("A", 2000) + "\n", []string{"dev", "--totp-seed"}, "longer than 1024"},
		{"300-character profile", nil, f.alice.AccessKeyID + "\n" + f.alice.SecretAccessKey + "\n", []string{strings.Repeat("p", 300)}, "at most 128"},
		{"profile with an escape", nil, f.alice.AccessKeyID + "\n" + f.alice.SecretAccessKey + "\n", []string{"dev\x1bc"}, "control characters"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			env := append(keyringEnv(t), tt.env...)
			r := f.run(t, env, tt.stdin, append([]string{"add", "--no-verify"}, tt.args...)...)
			assert.Equal(t, exitUsage, r.code, "got exit %d, want 2; stderr: %s", r.code, r.stderr)
			assert.Contains(t, r.stderr, tt.want)
			assert.NotContains(t, r.stderr, "\x1b", "the escape reached the terminal")
			noSecret(t, r, f.alice.SecretAccessKey)
			l := f.run(t, env, "", "list")
			assert.NotContains(t, l.stdout, "keyring", "a refused add stored something")
		})
	}
}

// TestAddIgnoresStrayFilesInTheKeyring: a .DS_Store in the keyring
// directory made every add fail with "wrong passphrase".
func TestAddIgnoresStrayFilesInTheKeyring(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	env := keyringEnv(t)
	dir := strings.TrimPrefix(env[1], envKeyringFileDir+"=")
	require.NoError(t, os.MkdirAll(dir, 0o700))
	require.NoError(t, os.WriteFile(filepath.Join(dir, ".DS_Store"), []byte("\x00\x00\x00\x01Bud1"), 0o600))
	keys := f.alice.AccessKeyID + "\n" + f.alice.SecretAccessKey + "\n"
	for _, profile := range []string{"dev", "prod"} {
		r := f.run(t, env, keys, "add", profile, "--no-verify")
		require.Equal(t, 0, r.code, "stderr: %s", r.stderr)
	}
}

// TestAddChecksWithTheProfilesSettings: add checks the keys where the
// profile's own endpoint_url (or its [services] section) sends STS calls,
// and refuses one that would carry them in clear.
func TestAddChecksWithTheProfilesSettings(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	keys := f.alice.AccessKeyID + "\n" + f.alice.SecretAccessKey + "\n"
	for _, tt := range []struct {
		name, config string
		code         int
		want         string
	}{
		{"endpoint_url", "[profile dev]\nendpoint_url = " + f.srv.URL + "\n", 0, f.alice.ARN},
		{"services", "[profile dev]\nservices = fake\n[services fake]\nsts =\n  endpoint_url = " + f.srv.URL + "\n", 0, f.alice.ARN},
		{"plain http elsewhere", "[profile dev]\nendpoint_url = http://sts.example.invalid\n", exitUsage, "plain http to sts.example.invalid"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			config := filepath.Join(t.TempDir(), "config")
			require.NoError(t, os.WriteFile(config, []byte(tt.config), 0o600))
			before := f.srv.CountRequests("GetCallerIdentity")
			r := f.run(t, append(keyringEnv(t), "AWS_CONFIG_FILE="+config), keys, "add", "dev")
			require.Equal(t, tt.code, r.code, "stderr: %s", r.stderr)
			assert.Contains(t, r.stderr, tt.want)
			if tt.code == 0 {
				assert.Equal(t, before+1, f.srv.CountRequests("GetCallerIdentity"), "the check went to the profile's endpoint")
			}
		})
	}
}

// TestRemoveAsks: remove asks on a terminal; without one it refuses
// unless --force, naming --force (exit 2).
func TestRemoveAsks(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	env := keyringEnv(t)
	r := f.run(t, env, f.alice.AccessKeyID+"\n"+f.alice.SecretAccessKey+"\n", "add", "dev", "--no-verify")
	require.Equal(t, 0, r.code, "stderr: %s", r.stderr)
	held := func() bool { return strings.Contains(f.run(t, env, "", "list").stdout, "keyring (file)") }

	r = f.run(t, env, "", "remove", "dev")
	assert.Equal(t, exitUsage, r.code, "got exit %d, want 2; stderr: %s", r.code, r.stderr)
	assert.Contains(t, r.stderr, "--force")
	assert.True(t, held(), "removed without asking")

	r = f.typing(t, env, "n\n", "remove", "dev")
	assert.Equal(t, 0, r.code, "stderr: %s", r.stderr)
	assert.Contains(t, r.stderr, "Remove the keys of profile dev from the keyring (file)? [y/N]")
	assert.Contains(t, r.stderr, "kept the keys of profile dev")
	assert.True(t, held(), "removed on a no")

	r = f.typing(t, env, "y\n", "remove", "dev")
	assert.Equal(t, 0, r.code, "stderr: %s", r.stderr)
	assert.False(t, held(), "kept on a yes")

	r = f.run(t, env, f.alice.AccessKeyID+"\n"+f.alice.SecretAccessKey+"\n", "add", "dev", "--no-verify")
	require.Equal(t, 0, r.code, "stderr: %s", r.stderr)
	r = f.run(t, env, "", "remove", "dev", "--force")
	assert.Equal(t, 0, r.code, "stderr: %s", r.stderr)
	assert.False(t, held(), "kept with --force")
}

// TestAddBlamesTheRegionsSource: a bad region from the environment is
// named as the environment's, not as --region, which was not given.
func TestAddBlamesTheRegionsSource(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	env := append(keyringEnv(t), "AWS_REGION=bogus_region")
	r := f.run(t, env, f.alice.AccessKeyID+"\n"+f.alice.SecretAccessKey+"\n", "add", "dev", "--sts-endpoint", f.srv.URL)
	assert.Equal(t, exitUsage, r.code, "stderr: %s", r.stderr)
	assert.Contains(t, r.stderr, "AWS_REGION")
	assert.NotContains(t, r.stderr, "--region")
}
