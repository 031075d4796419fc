package awssession_test

import (
	"context"
	"log/slog"
	"runtime/pprof"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/awssession/awssession"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// countingProvider is a source whose calls are counted.
type countingProvider struct {
	creds aws.Credentials
	calls atomic.Int32
}

func (p *countingProvider) Retrieve(context.Context) (aws.Credentials, error) {
	p.calls.Add(1)
	return p.creds, nil
}

// TestWithSource: any provider can be the base of a session, alone or in
// place of the credentials of a profile chain's empty base profile (keys
// kept in a keyring), with that profile's mfa_serial and roles.
func TestWithSource(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := context.Background()
	src := &countingProvider{creds: aws.Credentials{AccessKeyID: f.alice.AccessKeyID, SecretAccessKey: f.alice.SecretAccessKey}}
	cache := newFileCache(t)

	cfg, err := awssession.CreateSession(ctx, f.base(awssession.WithSource(src, "test:alice"), awssession.WithCache(cache),
		awssession.WithAssumeRole(awssession.AssumeRole{RoleARN: f.open.ARN}))...)
	require.NoError(t, err)
	id, err := awssession.CallerIdentity(ctx, cfg)
	require.NoError(t, err)
	assert.Contains(t, id.ARN, ":assumed-role/Open/")

	files := f.writeConfig(t, "[profile base]\nmfa_serial = "+f.device.SerialNumber+"\n[profile admin]\nsource_profile = base\nrole_arn = "+f.admin.ARN+"\n", "")
	plan, err := awssession.Explain(ctx, f.base(files, awssession.WithProfile("admin"), awssession.WithSource(src, "test:alice"),
		awssession.WithProfileMFA(f.serverTOTP()))...)
	require.NoError(t, err)
	assert.Equal(t, "", plan.BaseCredentials)
	require.Len(t, plan.Layers, 2, "the base's mfa_serial asks for an MFA session")
	assert.Equal(t, awssession.LayerGetSessionToken, plan.Layers[0].Kind)

	for range 2 {
		cfg, err = awssession.CreateSession(ctx, f.base(files, awssession.WithProfile("admin"), awssession.WithSource(src, "test:alice"),
			awssession.WithProfileMFA(f.serverTOTP()), awssession.WithCache(cache))...)
		require.NoError(t, err)
		id, err = awssession.CallerIdentity(ctx, cfg)
		require.NoError(t, err)
		assert.Contains(t, id.ARN, ":assumed-role/Admin/")
	}
	assert.Equal(t, int32(2), src.calls.Load(), "the second run is served from the cache without the source")

	// A profile that holds its own keys takes no stand-in.
	own := f.writeConfig(t, "[profile k]\n", "[k]\naws_access_key_id = "+f.alice.AccessKeyID+"\naws_secret_access_key = x\n")
	_, err = awssession.CreateSession(ctx, f.base(own, awssession.WithProfile("k"), awssession.WithSource(src, "test:alice"))...)
	assert.ErrorIs(t, err, awssession.ErrConflictingOptions)
}

// TestWrongSecretMissesTheCache: the cache binds a session to the secret
// of the keys that made it, so a caller who knows only the access key ID
// gets no session from the cache (and STS then refuses its signature).
func TestWrongSecretMissesTheCache(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := context.Background()
	cache := newFileCache(t)
	role := awssession.WithAssumeRole(awssession.AssumeRole{RoleARN: f.open.ARN})
	cfg, err := awssession.CreateSession(ctx, f.base(f.aliceKeys(), role, awssession.WithCache(cache))...)
	require.NoError(t, err)
	_, err = cfg.Credentials.Retrieve(ctx)
	require.NoError(t, err)

	wrong := awssession.WithStaticCredentials(f.alice.AccessKeyID, "not-the-secret-key-of-alice-00000000000", "")
	_, ok, err := awssession.PeekSession(ctx, f.base(wrong, role, awssession.WithCache(cache))...)
	require.NoError(t, err)
	assert.False(t, ok, "peek with a wrong secret")
	cfg, err = awssession.CreateSession(ctx, f.base(wrong, role, awssession.WithCache(cache))...)
	require.NoError(t, err)
	_, err = cfg.Credentials.Retrieve(ctx)
	assert.ErrorContains(t, err, "SignatureDoesNotMatch")

	_, ok, err = awssession.PeekSession(ctx, f.base(f.aliceKeys(), role, awssession.WithCache(cache))...)
	require.NoError(t, err)
	assert.True(t, ok, "the right secret still finds it")
}

// TestSessionsStartNoGoroutine: a session's Credentials are the SDK's
// aws.CredentialsCache, and creating and using 100 sessions leaves no
// goroutine of the package behind (the previous design ran a clock
// goroutine per session).
func TestSessionsStartNoGoroutine(t *testing.T) {
	// Not parallel: it looks at every goroutine of the process.
	f := newFixture(t)
	ctx := context.Background()
	cfg, err := awssession.CreateSession(ctx, f.base(f.aliceKeys())...)
	require.NoError(t, err)
	assert.IsType(t, (*aws.CredentialsCache)(nil), cfg.Credentials)

	for range 100 {
		cfg, err := awssession.CreateSession(ctx, f.base(f.aliceKeys(), awssession.WithAssumeRole(awssession.AssumeRole{RoleARN: f.open.ARN}))...)
		require.NoError(t, err)
		_, err = cfg.Credentials.Retrieve(ctx)
		require.NoError(t, err)
	}
	// Every goroutine now alive, with its stack: none may run code of the
	// package (HTTP connections to the test server have goroutines of
	// their own, in net/http, that end on their own time).
	var dump strings.Builder
	require.NoError(t, pprof.Lookup("goroutine").WriteTo(&dump, 2))
	for _, g := range strings.Split(dump.String(), "\n\n") {
		if strings.Contains(g, "github.com/awssession/awssession.") && !strings.Contains(g, "testing.tRunner") { // tests (paused ones too) run in tRunner
			t.Errorf("a goroutine of the package outlives its sessions:\n%s", g)
		}
	}
}

// TestDefaultMFASession: an MFA session goes under roles that would take
// the code when the source is long-term keys, unless a role asks for more
// than the 1 h STS allows above session credentials (then a note says why
// the code stays on the role); never on temporary keys.
func TestDefaultMFASession(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	var logs strings.Builder
	logger := awssession.WithLogger(slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelInfo})))
	mfa := awssession.WithMFA(f.device.SerialNumber, f.serverTOTP())
	kinds := func(p awssession.Plan) (k []string) {
		for _, l := range p.Layers {
			k = append(k, string(l.Kind)+"/"+l.MFASerial)
		}
		return k
	}
	for _, tc := range []struct {
		name string
		opts []awssession.Option
		want []string
	}{
		{"keys and an MFA role", []awssession.Option{f.aliceKeys(), mfa, awssession.WithAssumeRole(awssession.AssumeRole{RoleARN: f.admin.ARN})},
			[]string{"GetSessionToken/" + f.device.SerialNumber, "AssumeRole/"}},
		{"a role of 2 h", []awssession.Option{f.aliceKeys(), mfa, awssession.WithAssumeRole(awssession.AssumeRole{RoleARN: f.admin.ARN, Duration: 2 * time.Hour})},
			[]string{"AssumeRole/" + f.device.SerialNumber}},
		{"temporary keys", []awssession.Option{awssession.WithStaticCredentials("ASIAIOSFODNN7EXAMPLE", "s", "t"), mfa, awssession.WithAssumeRole(awssession.AssumeRole{RoleARN: f.admin.ARN})},
			[]string{"AssumeRole/" + f.device.SerialNumber}},
		{"no MFA", []awssession.Option{f.aliceKeys(), awssession.WithAssumeRole(awssession.AssumeRole{RoleARN: f.open.ARN})},
			[]string{"AssumeRole/"}},
	} {
		p, err := awssession.Explain(context.Background(), f.base(append(tc.opts, awssession.WithDefaultMFASession(0))...)...)
		require.NoError(t, err, tc.name)
		assert.Equal(t, tc.want, kinds(p), tc.name)
	}
	_, err := awssession.CreateSession(context.Background(), f.base(f.aliceKeys(), mfa, logger, awssession.WithDefaultMFASession(0),
		awssession.WithAssumeRole(awssession.AssumeRole{RoleARN: f.admin.ARN, Duration: 2 * time.Hour}))...)
	require.NoError(t, err)
	assert.Contains(t, logs.String(), "role "+f.admin.ARN+" asks for 2h0m0s, over the 1 h STS allows")
}

// TestWithProfileSource: the lookup is asked for the base profile's keys
// only when that profile holds none.
func TestWithProfileSource(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	files := f.writeConfig(t, "[profile empty]\n[profile admin]\nsource_profile = empty\nrole_arn = "+f.open.ARN+"\n"+
		"[profile own]\nsource_profile = keys\nrole_arn = "+f.open.ARN+"\n", "[keys]\naws_access_key_id = "+f.alice.AccessKeyID+"\naws_secret_access_key = "+f.alice.SecretAccessKey+"\n")
	var asked []string
	lookup := awssession.WithProfileSource(func(profile string) (aws.CredentialsProvider, string, bool) {
		asked = append(asked, profile)
		return &countingProvider{creds: aws.Credentials{AccessKeyID: f.alice.AccessKeyID, SecretAccessKey: f.alice.SecretAccessKey}}, "test:" + profile, true
	})
	for _, profile := range []string{"admin", "own"} {
		cfg, err := awssession.CreateSession(context.Background(), f.base(files, lookup, awssession.WithProfile(profile))...)
		require.NoError(t, err)
		id, err := awssession.CallerIdentity(context.Background(), cfg)
		require.NoError(t, err, profile)
		assert.Contains(t, id.ARN, ":assumed-role/Open/", profile)
	}
	assert.Equal(t, []string{"empty"}, asked)
}
