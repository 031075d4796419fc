package main

import (
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestCache shows the cache is on by default: a second run within the
// session's lifetime makes no STS call and asks for no MFA code;
// --no-cache and cache clear bring STS back.
func TestCache(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	session := f.aliceArgs("--mfa-serial", f.mfa.SerialNumber, "--session-token-duration", "1h", "--role-arn", f.admin.ARN)
	first := f.run(t, nil, "", append(append([]string{"env", "--format", "json"}, session...), "--mfa-token", f.srv.TOTPCode(f.mfa.SerialNumber))...)
	require.Equal(t, 0, first.code, "stderr: %s", first.stderr)
	require.Equal(t, 2, f.srv.CountRequests(""))

	// No code anywhere, no terminal, empty stdin: only the cache can serve.
	second := f.run(t, nil, "", append([]string{"env", "--format", "json"}, session...)...)
	require.Equal(t, 0, second.code, "stderr: %s", second.stderr)
	assert.Equal(t, jsonField(t, first.stdout, "AWS_ACCESS_KEY_ID"), jsonField(t, second.stdout, "AWS_ACCESS_KEY_ID"))
	assert.Equal(t, 2, f.srv.CountRequests(""), "got new STS calls, want the cached session")
	assert.NotContains(t, second.stderr, "MFA code for")

	noCache := f.run(t, nil, "", append([]string{"env", "--no-cache"}, session...)...)
	assert.NotEqual(t, 0, noCache.code, "--no-cache should need a new MFA code")
	assert.Contains(t, noCache.stderr, "MFA code for")

	dir := f.run(t, nil, "", "cache", "dir")
	require.Equal(t, 0, dir.code, "stderr: %s", dir.stderr)
	assert.Equal(t, filepath.Join(f.dir, "cache")+"\n", dir.stdout)
	cleared := f.run(t, nil, "", "cache", "clear")
	require.Equal(t, 0, cleared.code, "stderr: %s", cleared.stderr)
	assert.Contains(t, cleared.stderr, "cleared "+filepath.Join(f.dir, "cache"))
	plan := f.run(t, nil, "", append([]string{"explain", "--json"}, session...)...)
	require.Equal(t, 0, plan.code, "stderr: %s", plan.stderr)
	var e explained
	require.NoError(t, json.Unmarshal([]byte(plan.stdout), &e))
	for _, l := range e.Layers {
		assert.True(t, l.CallsSTS && !l.Cached, "after cache clear, %s should call STS", l.Name)
	}

	elsewhere := f.run(t, nil, "", append([]string{"env", "--cache-dir", t.TempDir()}, session...)...)
	assert.NotEqual(t, 0, elsewhere.code, "a different --cache-dir holds nothing")
}

// TestExplain shows the plan before and after a run, with no STS call of
// its own.
func TestExplain(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	session := f.aliceArgs("--mfa-serial", f.mfa.SerialNumber, "--session-token-duration", "2h",
		"--role-arn", f.admin.ARN, "--role-arn", f.deep.ARN, "--external-id", "ext-42", "--duration", "30m")
	before := f.run(t, nil, "", append([]string{"explain"}, session...)...)
	require.Equal(t, 0, before.code, "stderr: %s", before.stderr)
	assert.Equal(t, 0, f.srv.CountRequests(""), "explain called STS")
	// Compare with runs of blanks as one: tabwriter pads the columns.
	lines := map[string]bool{}
	for _, l := range strings.Split(before.stdout, "\n") {
		lines[strings.Join(strings.Fields(l), " ")] = true
	}
	for _, want := range []string{
		"source static keys " + f.alice.AccessKeyID,
		"region eu-west-1",
		"cache " + filepath.Join(f.dir, "cache"),
		"# layer duration details next run",
		"1 MFA session 2h MFA " + f.mfa.SerialNumber + " calls STS, MFA code from a prompt on the terminal",
		"2 role of --role-arn #1 30m " + f.admin.ARN + ", chained calls STS",
		"3 role of --role-arn #2 30m " + f.deep.ARN + ", chained calls STS",
	} {
		assert.True(t, lines[want], "got explain output\n%s\nwant the line %q", before.stdout, want)
	}
	assert.Empty(t, before.stderr, "explain must not prompt")

	run := f.run(t, nil, "", append([]string{"env", "--mfa-totp-secret-env", "MFA_SEED"}, session...)...)
	require.Equal(t, 0, run.code, "stderr: %s", run.stderr)

	after := f.run(t, nil, "", append([]string{"explain", "--json", "--mfa-totp-secret-env", "MFA_SEED"}, session...)...)
	require.Equal(t, 0, after.code, "stderr: %s", after.stderr)
	var e explained
	require.NoError(t, json.Unmarshal([]byte(after.stdout), &e), after.stdout)
	require.Len(t, e.Layers, 3)
	top := e.Layers[2]
	assert.True(t, top.Cached)
	assert.False(t, top.CallsSTS)
	require.NotNil(t, top.Expires)
	assert.WithinRange(t, *top.Expires, f.srv.Now().Add(25*time.Minute), f.srv.Now().Add(30*time.Minute))
	for _, l := range e.Layers[:2] {
		assert.False(t, l.CallsSTS, "%s: a layer above is cached", l.Name)
	}
	assert.Equal(t, "the TOTP seed in $MFA_SEED", e.Layers[0].MFACodeFrom)
	assert.Equal(t, 1800, top.DurationSeconds)

	text := f.run(t, nil, "", append([]string{"explain", "--no-cache"}, session...)...)
	require.Equal(t, 0, text.code, "stderr: %s", text.stderr)
	assert.Contains(t, text.stdout, "cache   off")
	assert.True(t, strings.Count(text.stdout, "calls STS") == 3, text.stdout)

	bad := f.run(t, nil, "", append([]string{"explain", "--duration", "2h"}, session...)...)
	assert.Equal(t, 2, bad.code, "explain checks as a run does; stderr: %s", bad.stderr)
}
