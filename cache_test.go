package awssession_test

import (
	"context"
	"errors"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/awssession/awssession"
	"github.com/awssession/awssession/ststest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func newFileCache(t *testing.T) *awssession.FileCache {
	t.Helper()
	c, err := awssession.NewFileCache(filepath.Join(t.TempDir(), "cache"))
	require.NoError(t, err)
	return c
}

// entries lists the credential entries in a cache directory.
func entries(t *testing.T, dir string) []string {
	t.Helper()
	m, err := filepath.Glob(filepath.Join(dir, "*.json"))
	require.NoError(t, err)
	return m
}

func (f *fixture) mfaChain(tokens awssession.TokenProvider, c awssession.Cache, roles ...awssession.AssumeRole) []awssession.Option {
	opts := f.base(f.aliceKeys(), awssession.WithMFA(f.device.SerialNumber, tokens), awssession.WithGetSessionToken(0), awssession.WithCache(c))
	for _, r := range roles {
		opts = append(opts, awssession.WithAssumeRole(r))
	}
	return opts
}

func TestCacheWarmSessionMakesNoCall(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := context.Background()
	cache := newFileCache(t)
	role := awssession.AssumeRole{RoleARN: f.admin.ARN}

	cfg, err := awssession.CreateSession(ctx, f.mfaChain(awssession.TOTP(f.device.Secret), cache, role)...)
	require.NoError(t, err)
	first, err := cfg.Credentials.Retrieve(ctx)
	require.NoError(t, err)
	require.Equal(t, []string{"GetSessionToken", "AssumeRole"}, actions(f.srv))

	f.srv.ResetRequests()
	tokens, calls := counted(awssession.TOTP(f.device.Secret))
	cfg, err = awssession.CreateSession(ctx, f.mfaChain(tokens, cache, role)...)
	require.NoError(t, err)
	second, err := cfg.Credentials.Retrieve(ctx)
	require.NoError(t, err)
	assert.Empty(t, f.srv.Requests(), "a warm cache makes no STS call")
	assert.Zero(t, calls.Load(), "and asks for no MFA code")
	assert.Equal(t, first.AccessKeyID, second.AccessKeyID)
	assert.Equal(t, first.SessionToken, second.SessionToken)
	assert.WithinDuration(t, first.Expires, second.Expires, 2*time.Minute)
}

func TestCacheMissesWhenTheChainDiffers(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := context.Background()
	cache := newFileCache(t)
	warm := func(tokens awssession.TokenProvider, roles ...awssession.AssumeRole) {
		t.Helper()
		f.srv.ResetRequests()
		cfg, err := awssession.CreateSession(ctx, f.mfaChain(tokens, cache, roles...)...)
		require.NoError(t, err)
		_, err = cfg.Credentials.Retrieve(ctx)
		require.NoError(t, err)
	}
	totp := awssession.TOTP(f.device.Secret)
	warm(totp, awssession.AssumeRole{RoleARN: f.admin.ARN})

	tokens, calls := counted(totp)
	warm(tokens, awssession.AssumeRole{RoleARN: f.open.ARN})
	assert.Equal(t, []string{"AssumeRole"}, actions(f.srv), "another role misses; the MFA session below still hits")
	warm(tokens, awssession.AssumeRole{RoleARN: f.admin.ARN, Duration: 30 * time.Minute})
	assert.Equal(t, []string{"AssumeRole"}, actions(f.srv), "another duration misses")
	warm(tokens, awssession.AssumeRole{RoleARN: f.admin.ARN, RoleSessionName: "other"})
	assert.Equal(t, []string{"AssumeRole"}, actions(f.srv), "another session name misses")
	warm(tokens, awssession.AssumeRole{RoleARN: f.admin.ARN})
	assert.Empty(t, actions(f.srv), "the first chain still hits")
	assert.Zero(t, calls.Load())
}

func TestCachePermissions(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := context.Background()
	dir := filepath.Join(t.TempDir(), "cache")
	require.NoError(t, os.Mkdir(dir, 0o755))
	cache, err := awssession.NewFileCache(dir)
	require.NoError(t, err)
	fi, err := os.Stat(dir)
	require.NoError(t, err)
	assert.Equal(t, os.FileMode(0o700), fi.Mode().Perm(), "a loose directory is tightened")

	cfg, err := awssession.CreateSession(ctx, f.base(f.aliceKeys(), awssession.WithCache(cache),
		awssession.WithAssumeRole(awssession.AssumeRole{RoleARN: f.open.ARN}))...)
	require.NoError(t, err)
	_, err = cfg.Credentials.Retrieve(ctx)
	require.NoError(t, err)
	files, err := os.ReadDir(dir)
	require.NoError(t, err)
	require.NotEmpty(t, files)
	for _, e := range files {
		fi, err := e.Info()
		require.NoError(t, err)
		assert.Equal(t, os.FileMode(0o600), fi.Mode().Perm(), e.Name())
		assert.False(t, strings.HasPrefix(e.Name(), ".tmp-"), "no temporary file left")
	}
	for _, e := range entries(t, dir) {
		b, err := os.ReadFile(e)
		require.NoError(t, err)
		assert.NotContains(t, string(b), f.alice.SecretAccessKey, "long-term keys are never stored")
	}
}

// A bad entry of any kind is a miss that one STS call repairs.
func TestCacheRecoversFromBadEntries(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := context.Background()
	valid := func(exp time.Time) string {
		return `{"version":1,"accessKeyId":"ASIAXXXXXXXXXXXXXXXX","secretAccessKey":"s","sessionToken":"t","expiration":"` + exp.UTC().Format(time.RFC3339) + `"}`
	}
	tests := []struct {
		name    string
		content string
		mode    os.FileMode
		dir     bool
	}{
		{name: "empty", content: ""},
		{name: "garbage", content: "\x00\xff\xfegarbage"},
		{name: "truncated", content: valid(time.Now().Add(time.Hour))[:60]},
		{name: "JSON array", content: `[1,2,3]`},
		{name: "JSON null", content: `null`},
		{name: "foreign version", content: strings.Replace(valid(time.Now().Add(time.Hour)), `"version":1`, `"version":99`, 1)},
		{name: "missing secret", content: strings.Replace(valid(time.Now().Add(time.Hour)), `"secretAccessKey":"s",`, ``, 1)},
		{name: "no expiration", content: `{"version":1,"accessKeyId":"A","secretAccessKey":"s","sessionToken":"t"}`},
		{name: "expired", content: valid(time.Now().Add(-time.Hour))},
		{name: "inside refresh window", content: valid(time.Now().Add(2 * time.Minute))},
		{name: "expires further out than any STS session", content: valid(time.Date(9999, 1, 1, 0, 0, 0, 0, time.UTC))},
		{name: "another account than the role's", content: strings.Replace(valid(time.Now().Add(time.Hour)), `{`, `{"accountId":"999999999999",`, 1)},
		{name: "unknown field", content: strings.Replace(valid(time.Now().Add(time.Hour)), `{`, `{"evil":true,`, 1)},
		{name: "trailing data", content: valid(time.Now().Add(time.Hour)) + `{}`},
		{name: "a NUL in the secret", content: strings.Replace(valid(time.Now().Add(time.Hour)), `"secretAccessKey":"s"`, `"secretAccessKey":"s\u0000x"`, 1)},
		{name: "an oversized token", content: strings.Replace(valid(time.Now().Add(time.Hour)), `"sessionToken":"t"`, `"sessionToken":"`+strings.Repeat("t", 70<<10)+`"`, 1)},
		{name: "a key ID AWS never issues", content: strings.Replace(valid(time.Now().Add(time.Hour)), `ASIAXXXXXXXXXXXXXXXX`, `asia;rm -rf`, 1)},
		{name: "readable by others", content: valid(time.Now().Add(time.Hour)), mode: 0o644},
		{name: "directory in its place", dir: true},
	}
	require.GreaterOrEqual(t, len(tests), 8)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cache := newFileCache(t)
			opts := f.base(f.aliceKeys(), awssession.WithCache(cache), awssession.WithAssumeRole(awssession.AssumeRole{RoleARN: f.open.ARN}))
			cfg, err := awssession.CreateSession(ctx, opts...)
			require.NoError(t, err)
			_, err = cfg.Credentials.Retrieve(ctx)
			require.NoError(t, err)
			files := entries(t, cache.Dir())
			require.Len(t, files, 1)
			if tt.dir {
				require.NoError(t, os.Remove(files[0]))
				require.NoError(t, os.Mkdir(files[0], 0o700))
			} else {
				mode := tt.mode
				if mode == 0 {
					mode = 0o600
				}
				require.NoError(t, os.WriteFile(files[0], []byte(tt.content), mode))
				require.NoError(t, os.Chmod(files[0], mode))
			}

			f.srv.ResetRequests()
			cfg, err = awssession.CreateSession(ctx, opts...)
			require.NoError(t, err)
			c, err := cfg.Credentials.Retrieve(ctx)
			if tt.dir {
				// Unreadable and unwritable: the session still works.
				require.NoError(t, err)
				assert.Equal(t, []string{"AssumeRole"}, actions(f.srv))
				return
			}
			require.NoError(t, err)
			assert.Equal(t, []string{"AssumeRole"}, actions(f.srv), "one STS call repairs the entry")
			assert.True(t, strings.HasPrefix(c.AccessKeyID, "ASIA"))
			assert.NotEqual(t, "ASIAXXXXXXXXXXXXXXXX", c.AccessKeyID)
			fi, err := os.Stat(files[0])
			require.NoError(t, err)
			assert.Equal(t, os.FileMode(0o600), fi.Mode().Perm(), "the repaired entry is private")

			f.srv.ResetRequests()
			cfg, err = awssession.CreateSession(ctx, opts...)
			require.NoError(t, err)
			_, err = cfg.Credentials.Retrieve(ctx)
			require.NoError(t, err)
			assert.Empty(t, f.srv.Requests(), "and it is used afterwards")
		})
	}
}

func TestExplainAndInvalidate(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := context.Background()
	cache := newFileCache(t)
	opts := f.mfaChain(awssession.TOTP(f.device.Secret), cache, awssession.AssumeRole{RoleARN: f.admin.ARN})

	plan, err := awssession.Explain(ctx, opts...)
	require.NoError(t, err)
	require.Len(t, plan.Layers, 2)
	assert.Equal(t, awssession.LayerGetSessionToken, plan.Layers[0].Kind)
	assert.Equal(t, f.device.SerialNumber, plan.Layers[0].MFASerial)
	assert.True(t, plan.Layers[0].Prompts, "cold: the MFA session prompts")
	assert.True(t, plan.Layers[1].Calls)
	assert.Equal(t, 12*time.Hour, plan.Layers[0].Duration)
	assert.Equal(t, time.Hour, plan.Layers[1].Duration)
	assert.True(t, plan.Layers[1].Chained)
	assert.Equal(t, "us-east-1", plan.Region)

	cfg, err := awssession.CreateSession(ctx, opts...)
	require.NoError(t, err)
	_, err = cfg.Credentials.Retrieve(ctx)
	require.NoError(t, err)
	f.srv.ResetRequests()

	plan, err = awssession.Explain(ctx, opts...)
	require.NoError(t, err)
	assert.True(t, plan.Layers[0].Cached)
	assert.True(t, plan.Layers[1].Cached)
	assert.False(t, plan.Layers[0].Calls || plan.Layers[0].Prompts || plan.Layers[1].Calls)
	assert.WithinDuration(t, time.Now().Add(time.Hour), plan.Layers[1].Expires, 2*time.Minute)

	require.NoError(t, awssession.InvalidateSession(ctx, opts...))
	plan, err = awssession.Explain(ctx, opts...)
	require.NoError(t, err)
	assert.False(t, plan.Layers[1].Cached)
	assert.Empty(t, f.srv.Requests(), "Explain and InvalidateSession make no network call")

	require.NoError(t, cache.Clear())
	left := entries(t, cache.Dir())
	require.Len(t, left, 1, "only the record of the MFA code just used stays")
	assert.True(t, strings.HasPrefix(filepath.Base(left[0]), "mfa-"))
}

func TestClampToRoleMaximum(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := context.Background()
	short := f.srv.AddRole("Short", ststest.Trust{Principals: []string{f.alice.ARN}, MaxSessionDuration: time.Hour})
	opts := f.base(f.aliceKeys(), awssession.WithAssumeRole(awssession.AssumeRole{RoleARN: short.ARN, Duration: 4 * time.Hour}))

	cfg, err := awssession.CreateSession(ctx, opts...)
	require.NoError(t, err)
	_, err = cfg.Credentials.Retrieve(ctx)
	require.ErrorContains(t, err, "exceeds the MaxSessionDuration", "refused by default")
	assert.Len(t, f.srv.Requests(), 1)

	f.srv.ResetRequests()
	cfg, err = awssession.CreateSession(ctx, append(opts, awssession.ClampDurations)...)
	require.NoError(t, err)
	_, err = cfg.Credentials.Retrieve(ctx)
	require.NoError(t, err)
	reqs := f.srv.Requests()
	require.Len(t, reqs, 2)
	assert.Equal(t, "14400", reqs[0].Params.Get("DurationSeconds"))
	assert.Equal(t, "3600", reqs[1].Params.Get("DurationSeconds"))
}

// brokenCache fails every operation, like a cache on a full or read-only
// disk.
type brokenCache struct{}

func (brokenCache) Get(context.Context, string) ([]byte, error) {
	return nil, errors.New("disk on fire")
}
func (brokenCache) Put(context.Context, string, []byte) error { return errors.New("disk on fire") }
func (brokenCache) Delete(context.Context, string) error      { return errors.New("disk on fire") }
func (brokenCache) Lock(context.Context, string) (func(), error) {
	return nil, errors.New("disk on fire")
}

func TestBrokenCacheDoesNotBreakTheSession(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := context.Background()
	var logs strings.Builder
	cfg, err := awssession.CreateSession(ctx, append(f.mfaChain(awssession.TOTP(f.device.Secret), brokenCache{},
		awssession.AssumeRole{RoleARN: f.admin.ARN}), awssession.WithLogger(slog.New(slog.NewTextHandler(&logs, nil))))...)
	require.NoError(t, err)
	_, err = cfg.Credentials.Retrieve(ctx)
	require.NoError(t, err)
	assert.Equal(t, []string{"GetSessionToken", "AssumeRole"}, actions(f.srv))
	assert.Contains(t, logs.String(), "level=WARN msg=\"credential cache lock failed")
	assert.Contains(t, logs.String(), "cannot store credentials")
}

// A process holding the entry's lock (here: this test) makes the others
// wait, until their context ends.
func TestCacheWaitHonoursContext(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	cache := newFileCache(t)
	opts := f.base(f.aliceKeys(), awssession.WithCache(cache), awssession.WithAssumeRole(awssession.AssumeRole{RoleARN: f.open.ARN}))
	plan, err := awssession.Explain(context.Background(), opts...)
	require.NoError(t, err)
	require.Len(t, plan.Layers, 1)
	unlock, err := cache.Lock(context.Background(), plan.Layers[0].CacheKey)
	require.NoError(t, err)
	defer unlock()

	cfg, err := awssession.CreateSession(context.Background(), opts...)
	require.NoError(t, err)
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	_, err = cfg.Credentials.Retrieve(ctx)
	require.ErrorIs(t, err, context.DeadlineExceeded)
	assert.Empty(t, f.srv.Requests(), "no STS call while another process holds the entry")
}
