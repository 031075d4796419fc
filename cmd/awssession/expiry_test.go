package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// debugLine is one cache event of the --debug log.
type debugLine struct {
	msg, layer, key, reason string
	expires                 time.Time
}

var debugLineRE = regexp.MustCompile(`msg="?(cache [a-z ]+?)"? layer=(\S+) key=(\S+)(?: expires=(\S+))?(?: reason="?([^"\n]*)"?)?`)

// cacheEvents returns the cache lines of a --debug log, in order.
func cacheEvents(t *testing.T, log string) []debugLine {
	t.Helper()
	var out []debugLine
	for _, m := range debugLineRE.FindAllStringSubmatch(log, -1) {
		l := debugLine{msg: m[1], layer: m[2], key: m[3], reason: m[5]}
		if m[4] != "" {
			var err error
			l.expires, err = time.Parse(time.RFC3339Nano, m[4])
			require.NoError(t, err, "expires=%s", m[4])
		}
		out = append(out, l)
	}
	return out
}

// TestOneExpiry runs a session once, then on the warm cache reads its end
// from every place that shows it: env's AWS_CREDENTIAL_EXPIRATION (the
// warm path), credential-process's Expiration, explain's cached-until
// (JSON and text) and the --debug log's cache hit. All name one time, to
// the second: the time the session's credentials cache hands them out
// until.
func TestOneExpiry(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	session := f.aliceArgs("--mfa-serial", f.mfa.SerialNumber, "--mfa-totp-secret-env", "MFA_SEED", "--role-arn", f.admin.ARN)
	run := func(args ...string) result {
		t.Helper()
		r := f.run(t, nil, "", append(args, session...)...)
		require.Equal(t, 0, r.code, "%v: stderr: %s", args, r.stderr)
		return r
	}
	cold := run("--debug", "env", "--format", "json")
	var stored time.Time
	for _, e := range cacheEvents(t, cold.stderr) {
		if e.msg == "cache store" && e.layer == "AssumeRole[0]" {
			stored = e.expires
		}
	}
	require.False(t, stored.IsZero(), "no cache store line for the role in\n%s", cold.stderr)

	times := map[string]time.Time{"--debug cache store": stored}
	parse := func(name, value string) {
		t.Helper()
		v, err := time.Parse(time.RFC3339Nano, value)
		require.NoError(t, err, "%s: %q", name, value)
		times[name] = v
	}
	parse("env AWS_CREDENTIAL_EXPIRATION (cold)", jsonField(t, cold.stdout, varExpiration))
	parse("env AWS_CREDENTIAL_EXPIRATION (warm)", jsonField(t, run("env", "--format", "json").stdout, varExpiration))
	parse("env --debug AWS_CREDENTIAL_EXPIRATION", jsonField(t, run("--debug", "env", "--format", "json").stdout, varExpiration))
	parse("credential-process Expiration", jsonString(t, run("credential-process").stdout, "Expiration"))
	var plan explained
	require.NoError(t, json.Unmarshal([]byte(run("explain", "--json").stdout), &plan))
	require.Len(t, plan.Layers, 2)
	require.NotNil(t, plan.Layers[1].Expires)
	times["explain --json expires"] = *plan.Layers[1].Expires
	text := run("explain").stdout
	m := regexp.MustCompile(`cached until (\S+ \S+) \(`).FindAllStringSubmatch(text, -1)
	require.Len(t, m, 2, text)
	local, err := time.ParseInLocation(time.DateTime, m[1][1], time.Local)
	require.NoError(t, err)
	times["explain cached until"] = local
	warm := run("--debug", "credential-process")
	var hits int
	for _, e := range cacheEvents(t, warm.stderr) {
		if e.msg == "cache hit" && e.layer == "AssumeRole[0]" {
			times["--debug cache hit"], hits = e.expires, hits+1
		}
	}
	require.Equal(t, 1, hits, "want one cache hit line in\n%s", warm.stderr)

	want := times["explain --json expires"].Truncate(time.Second)
	for name, got := range times {
		assert.True(t, got.Truncate(time.Second).Equal(want), "%s says %s, explain --json %s", name, got.UTC(), want.UTC())
	}
}

// TestDebugCacheClaims checks that --debug never says a layer is cached
// and then that it misses: on a cold cache, a warm one, and one whose
// role entry is about to expire (the MFA session under it is a hit, the
// role is called for again), and that explain said beforehand what the
// log then shows.
func TestDebugCacheClaims(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	session := f.aliceArgs("--mfa-serial", f.mfa.SerialNumber, "--mfa-totp-secret-env", "MFA_SEED", "--role-arn", f.admin.ARN)
	tests := []struct {
		name    string
		prepare func(t *testing.T, roleKey string)
		// hits are the layers the log reports as served by the cache;
		// calls the STS actions the run makes.
		hits, calls []string
	}{
		{"cold", nil, nil, []string{"GetSessionToken", "AssumeRole"}},
		{"warm", nil, []string{"AssumeRole[0]"}, nil},
		{"role about to expire", func(t *testing.T, roleKey string) {
			expireSoon(t, filepath.Join(f.dir, "cache", roleKey+".json"))
		}, []string{"GetSessionToken"}, []string{"AssumeRole"}},
	}
	var roleKey string
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.prepare != nil {
				tt.prepare(t, roleKey)
			}
			var plan explained
			e := f.run(t, nil, "", append([]string{"explain", "--json"}, session...)...)
			require.Equal(t, 0, e.code, "stderr: %s", e.stderr)
			require.NoError(t, json.Unmarshal([]byte(e.stdout), &plan))
			before := f.srv.Requests()
			r := f.run(t, nil, "", append([]string{"--debug", "env"}, session...)...)
			require.Equal(t, 0, r.code, "stderr: %s", r.stderr)
			var calls []string
			for _, req := range f.srv.Requests()[len(before):] {
				calls = append(calls, req.Action)
			}
			assert.Equal(t, tt.calls, calls)

			hit := map[string]bool{}
			var hits []string
			for _, ev := range cacheEvents(t, r.stderr) {
				switch {
				case strings.HasPrefix(ev.msg, "cache hit"):
					hit[ev.layer] = true
					hits = append(hits, ev.layer)
				case ev.msg == "cache miss":
					assert.False(t, hit[ev.layer], "%s: logged as cached, then as a miss (%s):\n%s", ev.layer, ev.reason, r.stderr)
				case ev.msg == "cache store" && ev.layer == "AssumeRole[0]":
					roleKey = ev.key
				}
			}
			assert.Equal(t, tt.hits, hits)
			for _, l := range plan.Layers {
				if l.Cached {
					assert.True(t, hit[l.Name] || servedAbove(plan, l.Name), "explain said %s is cached; the run did not use it:\n%s", l.Name, r.stderr)
				}
			}
		})
	}
}

// servedAbove reports whether a layer above name is cached: then name
// is not looked up at all.
func servedAbove(plan explained, name string) bool {
	above := false
	for _, l := range plan.Layers {
		if above && l.Cached {
			return true
		}
		above = above || l.Name == name
	}
	return false
}

// expireSoon rewrites a cache entry to expire in two minutes, inside the
// refresh window.
func expireSoon(t *testing.T, path string) {
	t.Helper()
	b, err := os.ReadFile(path)
	require.NoError(t, err)
	var entry map[string]any
	require.NoError(t, json.Unmarshal(b, &entry))
	entry["expiration"] = time.Now().Add(2 * time.Minute).UTC().Format(time.RFC3339Nano)
	b, err = json.Marshal(entry)
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(path, b, 0o600))
}
