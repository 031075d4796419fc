package main

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/awssession/awssession"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestCacheMissingDir runs every cache command on a directory that does
// not exist: none creates it, clear and list say nothing is cached.
func TestCacheMissingDir(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	writeProfiles(t, f, "")
	missing := filepath.Join(t.TempDir(), "nope")
	tests := []struct {
		args           []string
		stdout, stderr string
	}{
		{[]string{"cache", "clear"}, "", "awssession: nothing cached in " + missing + "\n"},
		{[]string{"cache", "clear", "reader"}, "", "awssession: nothing cached in " + missing + "\n"},
		{[]string{"cache", "list"}, "", "awssession: nothing cached in " + missing + "\n"},
		{[]string{"cache", "list", "--json"}, "[]\n", ""},
		{[]string{"cache", "dir"}, missing + "\n", ""},
	}
	for _, tt := range tests {
		for _, how := range []string{"flag", "environment"} {
			t.Run(strings.Join(tt.args, " ")+" by "+how, func(t *testing.T) {
				args, env := append(tt.args, "--cache-dir", missing), []string(nil)
				if how == "environment" {
					args, env = tt.args, []string{envCacheDir + "=" + missing}
				}
				r := f.run(t, env, "", args...)
				require.Equal(t, 0, r.code, "stderr: %s", r.stderr)
				assert.Equal(t, tt.stdout, r.stdout)
				assert.Equal(t, tt.stderr, r.stderr)
				_, err := os.Stat(missing)
				assert.ErrorIs(t, err, os.ErrNotExist, "%v created the directory", tt.args)
			})
		}
	}
}

// writeProfiles gives the fixture profiles: dev (alice's keys), admin (a
// role that needs MFA, on dev) and reader (a role on dev), each with
// extra lines.
func writeProfiles(t *testing.T, f *fixture, extra string) {
	t.Helper()
	config := "[profile dev]\nregion = eu-west-1\n" + extra + "\n[profile admin]\nsource_profile = dev\nrole_arn = " + f.admin.ARN +
		"\nmfa_serial = " + f.mfa.SerialNumber + "\n" + extra + "\n[profile reader]\nsource_profile = dev\nrole_arn = " + f.reader.ARN + "\n" + extra
	creds := "[dev]\naws_access_key_id = " + f.alice.AccessKeyID + "\naws_secret_access_key = " + f.alice.SecretAccessKey + "\n"
	require.NoError(t, os.WriteFile(filepath.Join(f.dir, "config"), []byte(config), 0o600))
	require.NoError(t, os.WriteFile(filepath.Join(f.dir, "credentials"), []byte(creds), 0o600))
}

// TestCacheListAndClearProfile lists the entries two profiles' sessions
// leave (an MFA session and a role for admin, a role for reader, the
// record of the MFA code), names the profiles using each and shows no
// secret; then cache clear admin forgets admin's layers only.
func TestCacheListAndClearProfile(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	// --sts-endpoint is part of every cache key: the profiles name the
	// fake STS as users name an endpoint, with endpoint_url.
	writeProfiles(t, f, "endpoint_url = "+f.srv.URL+"\n")
	var secrets []string
	for _, args := range [][]string{{"admin", "--mfa-totp-secret-env", "MFA_SEED"}, {"reader"}} {
		r := f.run(t, nil, "", append([]string{"env", "--format", "json"}, args...)...)
		require.Equal(t, 0, r.code, "stderr: %s", r.stderr)
		secrets = append(secrets, jsonField(t, r.stdout, varSecretAccessKey), jsonField(t, r.stdout, varSessionToken))
	}
	require.Equal(t, 1, f.srv.CountRequests("GetSessionToken"), "admin's MFA session")

	list := f.run(t, nil, "", "cache", "list", "--json")
	require.Equal(t, 0, list.code, "stderr: %s", list.stderr)
	var entries []cachedEntry
	require.NoError(t, json.Unmarshal([]byte(list.stdout), &entries), list.stdout)
	kinds := map[string][]string{}
	for _, e := range entries {
		kinds[e.Kind] = append(kinds[e.Kind], strings.Join(e.Sessions, "; "))
		if e.Kind != "mfa" {
			require.NotNil(t, e.STSExpiration, "%s has no expiry", e.Key)
			assert.False(t, e.Expired)
		}
		if e.Kind == "role" {
			assert.Equal(t, "123456789012", e.AccountID)
		}
	}
	assert.Equal(t, map[string][]string{
		"mfa":     {""},
		"role":    sortedPair("admin: role "+f.admin.ARN, "reader: role "+f.reader.ARN),
		"session": {"admin: MFA session"},
	}, sortedValues(kinds))

	text := f.run(t, nil, "", "cache", "list")
	require.Equal(t, 0, text.code, "stderr: %s", text.stderr)
	assert.Regexp(t, `^KIND\s+KEY\s+HANDED OUT UNTIL / CODE USED\s+ACCOUNT\s+SESSIONS\n`, text.stdout)
	assert.Equal(t, len(entries)+1, strings.Count(text.stdout, "\n"))
	for _, s := range append(secrets, f.alice.SecretAccessKey) {
		assert.NotContains(t, list.stdout+text.stdout, s, "cache list shows a secret")
	}

	cleared := f.run(t, nil, "", "cache", "clear", "admin")
	require.Equal(t, 0, cleared.code, "stderr: %s", cleared.stderr)
	assert.Contains(t, cleared.stderr, "forgot 2 cached layer(s) of profile admin")
	after := f.run(t, nil, "", "cache", "list", "--json")
	require.Equal(t, 0, after.code, "stderr: %s", after.stderr)
	var left []cachedEntry
	require.NoError(t, json.Unmarshal([]byte(after.stdout), &left))
	var leftKinds []string
	for _, e := range left {
		leftKinds = append(leftKinds, e.Kind+" "+strings.Join(e.Sessions, "; "))
	}
	assert.ElementsMatch(t, []string{"mfa ", "role reader: role " + f.reader.ARN}, leftKinds)

	again := f.run(t, nil, "", "cache", "clear", "admin")
	require.Equal(t, 0, again.code, "stderr: %s", again.stderr)
	assert.Contains(t, again.stderr, "nothing cached for profile admin")
	unknown := f.run(t, nil, "", "cache", "clear", "nosuch")
	assert.Equal(t, 2, unknown.code, "stderr: %s", unknown.stderr)
}

func sortedPair(a, b string) []string {
	if a > b {
		a, b = b, a
	}
	return []string{a, b}
}

func sortedValues(m map[string][]string) map[string][]string {
	for k, v := range m {
		if len(v) == 2 {
			m[k] = sortedPair(v[0], v[1])
		}
	}
	return m
}

// lockFiles lists the .lock files of dir by kind prefix and key.
func lockFiles(t *testing.T, dir string) []string {
	t.Helper()
	matches, err := filepath.Glob(filepath.Join(dir, "*.lock"))
	require.NoError(t, err)
	var names []string
	for _, m := range matches {
		names = append(names, filepath.Base(m))
	}
	return names
}

// TestCacheClearLocks, through the command: cache clear PROFILE and cache
// clear remove the lock files of the entries they forget, except one a
// live process holds (this test, here); the record of a recent MFA code
// and its lock stay.
func TestCacheClearLocks(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	writeProfiles(t, f, "endpoint_url = "+f.srv.URL+"\n")
	dir := filepath.Join(f.dir, "cache")
	for _, args := range [][]string{{"admin", "--mfa-totp-secret-env", "MFA_SEED"}, {"reader"}} {
		r := f.binary(t, nil, "", append([]string{"env"}, args...)...)
		require.Equal(t, 0, r.code, "stderr: %s", r.stderr)
	}
	readerKey := f.readerKey(t)
	readerLock := readerKey + ".lock"
	require.Contains(t, lockFiles(t, dir), readerLock)
	cache, err := awssession.NewFileCache(dir)
	require.NoError(t, err)
	unlock, err := cache.Lock(context.Background(), readerKey)
	require.NoError(t, err)

	r := f.binary(t, nil, "", "cache", "clear", "admin")
	require.Equal(t, 0, r.code, "stderr: %s", r.stderr)
	for _, l := range lockFiles(t, dir) {
		assert.True(t, l == readerLock || strings.HasPrefix(l, "mfa-"), "cache clear admin left %s", l)
	}
	r = f.binary(t, nil, "", "cache", "clear")
	require.Equal(t, 0, r.code, "stderr: %s", r.stderr)
	assert.Contains(t, lockFiles(t, dir), readerLock, "a held lock stays")
	unlock()
	r = f.binary(t, nil, "", "cache", "clear")
	require.Equal(t, 0, r.code, "stderr: %s", r.stderr)
	for _, l := range lockFiles(t, dir) {
		assert.True(t, strings.HasPrefix(l, "mfa-"), "cache clear left %s", l)
	}
	r = f.binary(t, nil, "", "env", "reader")
	assert.Equal(t, 0, r.code, "a session after the clear: stderr: %s", r.stderr)
}

// TestHandedOutUntilEverywhere: explain, list and cache list name the
// same time for a cached role, the one the session hands it out until
// (STS's expiry less the credentials cache's minute), in JSON and text.
func TestHandedOutUntilEverywhere(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	writeProfiles(t, f, "endpoint_url = "+f.srv.URL+"\n")
	r := f.binary(t, nil, "", "env", "reader", "--json")
	require.Equal(t, 0, r.code, "stderr: %s", r.stderr)
	handedOut, err := time.Parse(time.RFC3339, jsonField(t, r.stdout, varExpiration))
	require.NoError(t, err)

	var plan explained
	r = f.binary(t, nil, "", "explain", "reader", "--json")
	require.Equal(t, 0, r.code, "stderr: %s", r.stderr)
	require.NoError(t, json.Unmarshal([]byte(r.stdout), &plan))
	require.NotNil(t, plan.Layers[0].Expires)
	want := plan.Layers[0].Expires.Truncate(time.Second)
	assert.True(t, want.Equal(handedOut), "explain %s, env %s", want, handedOut)

	e := f.readerEntry(t)
	require.NotNil(t, e.HandedOutUntil)
	assert.True(t, want.Equal(e.HandedOutUntil.Truncate(time.Second)), "cache list %s, explain %s", e.HandedOutUntil, want)
	assert.True(t, e.STSExpiration.After(*e.HandedOutUntil), "STS's own expiry is later")

	var profiles []listedProfile
	r = f.binary(t, nil, "", "list", "--json")
	require.Equal(t, 0, r.code, "stderr: %s", r.stderr)
	require.NoError(t, json.Unmarshal([]byte(r.stdout), &profiles))
	for _, p := range profiles {
		if p.Profile == "reader" {
			require.Len(t, p.Cached, 1)
			assert.True(t, want.Equal(p.Cached[0].HandedOutUntil.Truncate(time.Second)), "list %s, explain %s", p.Cached[0].HandedOutUntil, want)
		}
	}

	shown := want.Local().Format(time.DateTime)
	for _, args := range [][]string{{"explain", "reader"}, {"list"}, {"cache", "list"}} {
		r := f.binary(t, nil, "", args...)
		require.Equal(t, 0, r.code, "stderr: %s", r.stderr)
		assert.Contains(t, r.stdout, shown, "%v shows the time explain does", args)
	}
}

// readerEntry is cache list's entry for the role of profile reader.
func (f *fixture) readerEntry(t *testing.T) cachedEntry {
	t.Helper()
	var entries []cachedEntry
	r := f.binary(t, nil, "", "cache", "list", "--json")
	require.Equal(t, 0, r.code, "stderr: %s", r.stderr)
	require.NoError(t, json.Unmarshal([]byte(r.stdout), &entries))
	for _, e := range entries {
		if slices.Contains(e.Sessions, "reader: role "+f.reader.ARN) {
			return e
		}
	}
	t.Fatalf("no entry for reader's role in %s", r.stdout)
	return cachedEntry{}
}

// readerKey is the cache key of profile reader's role.
func (f *fixture) readerKey(t *testing.T) string {
	t.Helper()
	return f.readerEntry(t).Key
}
