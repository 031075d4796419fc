package awssession_test

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/smithy-go"
	"github.com/awssession/awssession"
	"github.com/awssession/awssession/ststest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestStaticKeys(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := context.Background()
	cfg, err := awssession.CreateSession(ctx, f.base(f.aliceKeys())...)
	require.NoError(t, err)
	creds, err := cfg.Credentials.Retrieve(ctx)
	require.NoError(t, err)
	assert.Equal(t, f.alice.AccessKeyID, creds.AccessKeyID)
	assert.Equal(t, "us-east-1", cfg.Region)
	assert.Empty(t, f.srv.Requests(), "static keys need no STS call")

	id, err := awssession.CallerIdentity(ctx, cfg)
	require.NoError(t, err)
	assert.Equal(t, f.alice.ARN, id.ARN)
	assert.Equal(t, f.srv.Account(), id.Account)
	assert.Equal(t, []string{"GetCallerIdentity"}, actions(f.srv), "CallerIdentity must reach the session's STS endpoint")
}

func TestGetSessionTokenWithMFA(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := context.Background()
	tokens, calls := counted(awssession.TOTP(f.device.Secret))
	cfg, err := awssession.CreateSession(ctx, f.base(f.aliceKeys(),
		awssession.WithMFA(f.device.SerialNumber, tokens),
		awssession.WithGetSessionToken(0))...)
	require.NoError(t, err)
	assert.Empty(t, f.srv.Requests(), "CreateSession makes no network call")

	creds, err := cfg.Credentials.Retrieve(ctx)
	require.NoError(t, err)
	assert.True(t, strings.HasPrefix(creds.AccessKeyID, "ASIA"), "got %s, want an ASIA key", creds.AccessKeyID)
	assert.NotEmpty(t, creds.SessionToken)
	assert.WithinDuration(t, f.srv.Now().Add(12*time.Hour), creds.Expires, 2*time.Minute, "12 h less the refresh window")
	reqs := f.srv.Requests()
	require.Len(t, reqs, 1)
	assert.Equal(t, "GetSessionToken", reqs[0].Action)
	assert.Equal(t, "43200", reqs[0].Params.Get("DurationSeconds"))
	assert.Equal(t, f.device.SerialNumber, reqs[0].Params.Get("SerialNumber"))
	assert.Len(t, reqs[0].Params.Get("TokenCode"), 6)
	assert.Equal(t, int32(1), calls.Load())

	id, err := awssession.CallerIdentity(ctx, cfg)
	require.NoError(t, err)
	assert.Equal(t, f.alice.ARN, id.ARN, "GetSessionToken credentials act as the user")
}

func TestAssumeRoleWithMFA(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := context.Background()
	cfg, err := awssession.CreateSession(ctx, f.base(f.aliceKeys(),
		awssession.WithMFA(f.device.SerialNumber, awssession.TOTP(f.device.Secret)),
		awssession.WithAssumeRole(awssession.AssumeRole{RoleARN: f.admin.ARN, RoleSessionName: "alice"}))...)
	require.NoError(t, err)
	id, err := awssession.CallerIdentity(ctx, cfg)
	require.NoError(t, err)
	assert.Equal(t, "arn:aws:sts::"+f.srv.Account()+":assumed-role/Admin/alice", id.ARN)

	reqs := f.srv.Requests()
	require.Equal(t, []string{"AssumeRole", "GetCallerIdentity"}, actions(f.srv))
	p := reqs[0].Params
	assert.Equal(t, f.admin.ARN, p.Get("RoleArn"))
	assert.Equal(t, "3600", p.Get("DurationSeconds"), "role sessions default to 1 h, not the SDK's 15 min")
	assert.Equal(t, f.device.SerialNumber, p.Get("SerialNumber"))
	assert.Equal(t, f.alice.AccessKeyID, reqs[0].AccessKeyID)
	creds, err := cfg.Credentials.Retrieve(ctx)
	require.NoError(t, err)
	assert.Equal(t, f.srv.Account(), creds.AccountID)
}

func TestRoleThatRequiresMFAWithoutMFA(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := context.Background()
	cfg, err := awssession.CreateSession(ctx, f.base(f.aliceKeys(),
		awssession.WithAssumeRole(awssession.AssumeRole{RoleARN: f.admin.ARN}))...)
	require.NoError(t, err)
	_, err = cfg.Credentials.Retrieve(ctx)
	var ae smithy.APIError
	require.ErrorAs(t, err, &ae)
	assert.Equal(t, "AccessDenied", ae.ErrorCode())
	assert.False(t, errors.Is(err, awssession.ErrMFAFailed), "a missing MFA context is not a rejected code")
}

func TestGetSessionTokenThenTwoRoles(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := context.Background()
	tokens, calls := counted(awssession.TOTP(f.device.Secret))
	cfg, err := awssession.CreateSession(ctx, f.base(f.aliceKeys(),
		awssession.WithMFA(f.device.SerialNumber, tokens),
		awssession.WithGetSessionToken(2*time.Hour),
		awssession.WithAssumeRole(awssession.AssumeRole{RoleARN: f.admin.ARN, RoleSessionName: "hop1"}),
		awssession.WithAssumeRole(awssession.AssumeRole{RoleARN: f.auditor.ARN, RoleSessionName: "hop2"}))...)
	require.NoError(t, err)
	id, err := awssession.CallerIdentity(ctx, cfg)
	require.NoError(t, err)
	assert.Equal(t, "arn:aws:sts::"+f.srv.Account()+":assumed-role/Auditor/hop2", id.ARN)

	reqs := f.srv.Requests()
	require.Equal(t, []string{"GetSessionToken", "AssumeRole", "AssumeRole", "GetCallerIdentity"}, actions(f.srv))
	assert.Equal(t, "7200", reqs[0].Params.Get("DurationSeconds"))
	assert.Equal(t, f.device.SerialNumber, reqs[0].Params.Get("SerialNumber"), "MFA goes to GetSessionToken")
	assert.Empty(t, reqs[1].Params.Get("SerialNumber"), "the MFA session carries MFA; no second code")
	assert.Empty(t, reqs[2].Params.Get("SerialNumber"))
	assert.Equal(t, f.alice.AccessKeyID, reqs[0].AccessKeyID)
	assert.True(t, strings.HasPrefix(reqs[1].AccessKeyID, "ASIA"), "hop 1 is signed by the session")
	assert.NotEqual(t, reqs[1].AccessKeyID, reqs[2].AccessKeyID, "hop 2 is signed by hop 1")
	assert.Equal(t, int32(1), calls.Load())
}

// With GetSessionToken and MFA below three roles, refreshing every role asks
// for no new code. Role credentials live 30 s, inside the refresh window,
// so every Retrieve refreshes all three hops (a forced refresh of each)
// while the 12 h MFA session below is reused.
func TestOneCodeForSessionAndThreeRolesAcrossRefreshes(t *testing.T) {
	t.Parallel()
	f := newFixture(t, ststest.WithRoleCredentialLifetime(30*time.Second))
	ctx := context.Background()
	tokens, calls := counted(awssession.TOTP(f.device.Secret))
	cfg, err := awssession.CreateSession(ctx, f.base(f.aliceKeys(),
		awssession.WithMFA(f.device.SerialNumber, tokens),
		awssession.WithGetSessionToken(0),
		awssession.WithAssumeRole(awssession.AssumeRole{RoleARN: f.admin.ARN}),
		awssession.WithAssumeRole(awssession.AssumeRole{RoleARN: f.auditor.ARN}),
		awssession.WithAssumeRole(awssession.AssumeRole{RoleARN: f.readOnly.ARN}))...)
	require.NoError(t, err)
	var keys []string
	for range 3 {
		c, err := cfg.Credentials.Retrieve(ctx)
		require.NoError(t, err)
		keys = append(keys, c.AccessKeyID)
	}
	assert.Equal(t, 1, f.srv.CountRequests("GetSessionToken"))
	assert.Equal(t, 9, f.srv.CountRequests("AssumeRole"), "three refreshes of three roles")
	assert.Equal(t, int32(1), calls.Load(), "one MFA code in all")
	assert.NotEqual(t, keys[0], keys[1], "each Retrieve got fresh role credentials")
	for _, r := range f.srv.Requests() {
		if r.Action == "AssumeRole" {
			assert.Empty(t, r.Params.Get("TokenCode"), "no role hop sends a code")
		}
	}
}

func TestConcurrentRetrieveMakesOneAssumeRole(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := context.Background()
	cfg, err := awssession.CreateSession(ctx, f.base(f.aliceKeys(),
		awssession.WithAssumeRole(awssession.AssumeRole{RoleARN: f.open.ARN}))...)
	require.NoError(t, err)
	var wg sync.WaitGroup
	keys := make([]string, 100)
	errs := make([]error, 100)
	start := make(chan struct{})
	for i := range 100 {
		wg.Go(func() {
			<-start
			c, err := cfg.Credentials.Retrieve(ctx)
			keys[i], errs[i] = c.AccessKeyID, err
		})
	}
	close(start)
	wg.Wait()
	for i := range 100 {
		require.NoError(t, errs[i])
		assert.Equal(t, keys[0], keys[i])
	}
	assert.Equal(t, []string{"AssumeRole"}, actions(f.srv))
}

func TestStaticTokenUsedTwice(t *testing.T) {
	t.Parallel()
	f := newFixture(t, ststest.WithCredentialLifetime(30*time.Second))
	ctx := context.Background()
	cfg, err := awssession.CreateSession(ctx, f.base(f.aliceKeys(),
		awssession.WithMFA(f.device.SerialNumber, awssession.StaticToken(f.srv.TOTPCode(f.device.SerialNumber))),
		awssession.WithAssumeRole(awssession.AssumeRole{RoleARN: f.admin.ARN}))...)
	require.NoError(t, err)
	_, err = cfg.Credentials.Retrieve(ctx)
	require.NoError(t, err)
	// The credentials are inside the refresh window, so this refreshes and
	// needs a second code, which a static token cannot give.
	_, err = cfg.Credentials.Retrieve(ctx)
	require.ErrorIs(t, err, awssession.ErrMFATokenUsed)
	assert.Equal(t, []string{"AssumeRole"}, actions(f.srv), "a used code is never sent again")
}

func TestWrongMFACode(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := context.Background()
	good := f.srv.TOTPCode(f.device.SerialNumber)
	wrong := "000000"
	if good == wrong {
		wrong = "111111"
	}
	cfg, err := awssession.CreateSession(ctx, f.base(f.aliceKeys(),
		awssession.WithMFA(f.device.SerialNumber, awssession.StaticToken(wrong)),
		awssession.WithGetSessionToken(0))...)
	require.NoError(t, err)
	_, err = cfg.Credentials.Retrieve(ctx)
	require.ErrorIs(t, err, awssession.ErrMFAFailed)
	var mfaErr *awssession.MFAError
	require.ErrorAs(t, err, &mfaErr)
	assert.Contains(t, mfaErr.Hint, "already used")
	var ae smithy.APIError
	require.ErrorAs(t, err, &ae)
	assert.Equal(t, "AccessDenied", ae.ErrorCode())
	assert.NotContains(t, err.Error(), wrong)
	assert.Equal(t, []string{"GetSessionToken"}, actions(f.srv), "a rejected code is not retried")
}

func TestForeignSerialGetsHint(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	bob := f.srv.AddUser("bob")
	bobDevice := f.srv.AddMFADevice("bob")
	ctx := context.Background()
	cfg, err := awssession.CreateSession(ctx, f.base(f.aliceKeys(),
		awssession.WithMFA(bobDevice.SerialNumber, awssession.TOTP(bobDevice.Secret)),
		awssession.WithGetSessionToken(0))...)
	require.NoError(t, err)
	_, err = cfg.Credentials.Retrieve(ctx)
	var mfaErr *awssession.MFAError
	require.ErrorAs(t, err, &mfaErr)
	assert.Contains(t, mfaErr.Hint, "not an MFA device of the signing user")
	_ = bob
}

func TestChainedDurationOverOneHour(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := context.Background()
	opts := f.base(f.aliceKeys(),
		awssession.WithAssumeRole(awssession.AssumeRole{RoleARN: f.open.ARN}),
		awssession.WithAssumeRole(awssession.AssumeRole{RoleARN: f.open.ARN, Duration: 2 * time.Hour}))

	_, err := awssession.CreateSession(ctx, opts...)
	require.ErrorIs(t, err, awssession.ErrInvalidInput)
	assert.Contains(t, err.Error(), "AssumeRole[1].Duration")
	assert.Contains(t, err.Error(), "1 hour limit")
	assert.Empty(t, f.srv.Requests())

	cfg, err := awssession.CreateSession(ctx, append(opts, awssession.ClampDurations)...)
	require.NoError(t, err)
	_, err = cfg.Credentials.Retrieve(ctx)
	require.ErrorContains(t, err, "not authorized", "Open trusts alice, not its own sessions")
	reqs := f.srv.Requests()
	require.Len(t, reqs, 2)
	assert.Equal(t, "3600", reqs[1].Params.Get("DurationSeconds"), "clamped to 1 h")
}

func TestDefaultChainFromEnvironment(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := context.Background()
	cfg, err := awssession.CreateSession(ctx, f.base(f.extraEnv("AWS_ACCESS_KEY_ID="+f.alice.AccessKeyID, "AWS_SECRET_ACCESS_KEY="+f.alice.SecretAccessKey),
		awssession.WithMFA(f.device.SerialNumber, awssession.TOTP(f.device.Secret)),
		awssession.WithGetSessionToken(time.Hour))...)
	require.NoError(t, err)
	_, err = cfg.Credentials.Retrieve(ctx)
	require.NoError(t, err)
	reqs := f.srv.Requests()
	require.Len(t, reqs, 1)
	assert.Equal(t, f.alice.AccessKeyID, reqs[0].AccessKeyID)
}

func TestRefreshAfterFailureSucceeds(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := context.Background()
	cfg, err := awssession.CreateSession(ctx, f.base(f.aliceKeys(),
		awssession.WithAssumeRole(awssession.AssumeRole{RoleARN: f.open.ARN}))...)
	require.NoError(t, err)
	f.srv.InjectFault(ststest.Fault{Count: 3, Status: 503, Code: "ServiceUnavailable", Message: "down"})
	_, err = cfg.Credentials.Retrieve(ctx)
	require.Error(t, err)
	assert.Len(t, f.srv.Requests(), 3, "the SDK's retryer tries 3 times")
	c, err := cfg.Credentials.Retrieve(ctx)
	require.NoError(t, err)
	assert.True(t, strings.HasPrefix(c.AccessKeyID, "ASIA"))
	var _ aws.CredentialsProvider = cfg.Credentials
}

// The config's retryer governs every STS client the session makes.
func TestRetryerAppliesToEverySTSClient(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := context.Background()
	cfg, err := awssession.CreateSession(ctx, f.base(f.aliceKeys(),
		awssession.WithConfigOptions(config.WithRetryMaxAttempts(1)),
		awssession.WithGetSessionToken(0),
		awssession.WithAssumeRole(awssession.AssumeRole{RoleARN: f.open.ARN}))...)
	require.NoError(t, err)
	f.srv.InjectFault(ststest.Unavailable(1).ForAction("AssumeRole"))
	_, err = cfg.Credentials.Retrieve(ctx)
	require.Error(t, err)
	assert.Equal(t, []string{"GetSessionToken", "AssumeRole"}, actions(f.srv), "one attempt, as configured")
}
