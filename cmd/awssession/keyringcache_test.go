package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// keyringFixture is a fixture whose config holds profile dev (no keys in
// any file) and whose keyring (the file backend) holds alice's keys for
// it; bob is a second user.
type keyringFixture struct {
	*fixture
	env []string
	bob struct{ id, secret string }
}

func newKeyringFixture(t *testing.T) *keyringFixture {
	t.Helper()
	k := &keyringFixture{fixture: newFixture(t), env: keyringEnv(t)}
	bob := k.srv.AddUser("bob")
	k.bob.id, k.bob.secret = bob.AccessKeyID, bob.SecretAccessKey
	require.NoError(t, os.WriteFile(filepath.Join(k.dir, "config"), []byte("[profile dev]\nregion = eu-west-1\n"), 0o600))
	k.add(t, k.alice.AccessKeyID, k.alice.SecretAccessKey)
	return k
}

// add stores a key pair for dev, checked with STS.
func (k *keyringFixture) add(t *testing.T, id, secret string, env ...string) {
	t.Helper()
	r := k.run(t, append(append([]string(nil), k.env...), env...), id+"\n"+secret+"\n", "add", "dev", "--sts-endpoint", k.srv.URL)
	require.Equal(t, 0, r.code, "stderr: %s", r.stderr)
}

// whoami runs whoami on dev with args and returns the ARN (or "" and the
// result on failure).
func (k *keyringFixture) whoami(t *testing.T, env []string, args ...string) (string, result) {
	t.Helper()
	env = append(append([]string(nil), k.env...), env...)
	env = append(env, envCacheDir+"="+filepath.Join(k.dir, "cache"))
	r := k.run(t, env, "", append([]string{"whoami", "--profile", "dev", "--sts-endpoint", k.srv.URL}, args...)...)
	if r.code != 0 {
		return "", r
	}
	for _, line := range strings.Split(r.stdout, "\n") {
		if arn, ok := strings.CutPrefix(line, "Arn"); ok {
			return strings.TrimSpace(arn), r
		}
	}
	t.Fatalf("no Arn in %q", r.stdout)
	return "", r
}

// TestKeyringSessionsFollowTheStoredKey: a session cached on a keyring
// profile's keys is served only while those keys are stored: after add
// with other keys, or with another keyring directory, the session is the
// new keys'. The cache id used to be the backend and profile alone.
func TestKeyringSessionsFollowTheStoredKey(t *testing.T) {
	t.Parallel()
	k := newKeyringFixture(t)
	mfaSession := []string{"--session-token-duration", "1h"}
	role := []string{"--role-arn", k.reader.ARN, "--role-session-name", "kr"}

	arn, r := k.whoami(t, nil, mfaSession...)
	require.Equal(t, k.alice.ARN, arn, "stderr: %s", r.stderr)
	arn, r = k.whoami(t, nil, role...)
	require.Equal(t, "arn:aws:sts::123456789012:assumed-role/Reader/kr", arn, "stderr: %s", r.stderr)
	k.srv.ResetRequests()
	arn, _ = k.whoami(t, nil, mfaSession...)
	assert.Equal(t, k.alice.ARN, arn)
	assert.Zero(t, k.srv.CountRequests("GetSessionToken"), "a warm run is served from the cache")

	// Other keys for dev: bob's.
	k.add(t, k.bob.id, k.bob.secret)
	arn, r = k.whoami(t, nil, mfaSession...)
	assert.Equal(t, "arn:aws:iam::123456789012:user/bob", arn, "alice's session served after add of bob's keys; stderr: %s", r.stderr)
	_, r = k.whoami(t, nil, role...)
	assert.NotEqual(t, 0, r.code, "bob may not assume Reader: alice's cached role session was served")

	// Another keyring directory, holding alice's keys again.
	other := []string{envKeyringFileDir + "=" + filepath.Join(t.TempDir(), "keyring")}
	k.add(t, k.alice.AccessKeyID, k.alice.SecretAccessKey, other...)
	arn, _ = k.whoami(t, other, mfaSession...)
	assert.Equal(t, k.alice.ARN, arn, "the other directory's keys")
	arn, _ = k.whoami(t, nil, mfaSession...)
	assert.Equal(t, "arn:aws:iam::123456789012:user/bob", arn, "the first directory's keys")
}

// TestKeyringWarmRunNeedsNoPassphrase documents what a wrong passphrase
// does: a warm run reads no key, so it neither asks for the passphrase nor
// checks it (the passphrase guards the keys at rest; cached sessions are
// the cache directory's); the first run that needs the keys refuses it,
// exit 2.
func TestKeyringWarmRunNeedsNoPassphrase(t *testing.T) {
	t.Parallel()
	k := newKeyringFixture(t)
	arn, r := k.whoami(t, nil, "--session-token-duration", "1h")
	require.Equal(t, k.alice.ARN, arn, "stderr: %s", r.stderr)
	wrong := []string{envKeyringPassphrase + "=wrong horse"}
	arn, r = k.whoami(t, wrong, "--session-token-duration", "1h")
	assert.Equal(t, k.alice.ARN, arn, "a warm run serves the cached session; stderr: %s", r.stderr)
	_, r = k.whoami(t, wrong, "--session-token-duration", "2h")
	assert.Equal(t, exitUsage, r.code, "got exit %d, want 2; stderr: %s", r.code, r.stderr)
	assert.Contains(t, r.stderr, "wrong passphrase")
}

// TestRemoveLeavesNoSessionOnTheKeys: after remove, no session built on
// the removed keys is served, whatever flags built it (the cached
// sessions of the profile's own plan are also deleted); adding the same
// keys again starts afresh.
func TestRemoveLeavesNoSessionOnTheKeys(t *testing.T) {
	t.Parallel()
	k := newKeyringFixture(t)
	flagSets := [][]string{
		{"--session-token-duration", "1h"},
		{"--role-arn", k.reader.ARN},
		{"--role-arn", k.reader.ARN, "--session-token-duration", "2h"},
	}
	for _, args := range flagSets {
		_, r := k.whoami(t, nil, args...)
		require.Equal(t, 0, r.code, "%v: stderr: %s", args, r.stderr)
	}
	r := k.run(t, k.env, "", "remove", "dev", "--force")
	require.Equal(t, 0, r.code, "stderr: %s", r.stderr)
	for _, args := range flagSets {
		arn, r := k.whoami(t, nil, args...)
		assert.Empty(t, arn, "%v: a session on the removed keys was served", args)
		assert.Equal(t, exitUsage, r.code, "%v: stderr: %s", args, r.stderr)
		assert.Contains(t, r.stderr, `profile "dev": not in the keyring`)
	}

	k.add(t, k.alice.AccessKeyID, k.alice.SecretAccessKey)
	k.srv.ResetRequests()
	for _, args := range flagSets {
		_, r := k.whoami(t, nil, args...)
		require.Equal(t, 0, r.code, "%v: stderr: %s", args, r.stderr)
	}
	assert.Equal(t, 2, k.srv.CountRequests("AssumeRole"), "sessions from before the remove are not served again")
}
