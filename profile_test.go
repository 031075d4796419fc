package awssession_test

import (
	"context"
	"testing"
	"time"

	"github.com/awssession/awssession"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func (f *fixture) profiles(t *testing.T) awssession.Option {
	return f.writeConfig(t, `
[profile admin]
role_arn = `+f.admin.ARN+`
source_profile = base
mfa_serial = `+f.device.SerialNumber+`
role_session_name = alice-admin

[profile admin-long]
role_arn = `+f.admin.ARN+`
source_profile = base
mfa_serial = `+f.device.SerialNumber+`
duration_seconds = 7200

[profile open]
role_arn = `+f.open.ARN+`
source_profile = base
`, `
[base]
aws_access_key_id = `+f.alice.AccessKeyID+`
aws_secret_access_key = `+f.alice.SecretAccessKey+`
`)
}

func TestProfileWithRoleAndMFA(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := context.Background()
	tokens, calls := counted(awssession.TOTP(f.device.Secret))
	cfg, err := awssession.CreateSession(ctx, f.base(f.profiles(t), awssession.WithProfile("admin"),
		awssession.WithMFA(f.device.SerialNumber, tokens))...)
	require.NoError(t, err)
	assert.Empty(t, f.srv.Requests())
	id, err := awssession.CallerIdentity(ctx, cfg)
	require.NoError(t, err)
	assert.Equal(t, "arn:aws:sts::"+f.srv.Account()+":assumed-role/Admin/alice-admin", id.ARN)
	reqs := f.srv.Requests()
	require.Equal(t, []string{"AssumeRole", "GetCallerIdentity"}, actions(f.srv), "the SDK's profile hop goes to our endpoint")
	assert.Equal(t, f.alice.AccessKeyID, reqs[0].AccessKeyID, "source_profile signs")
	assert.Equal(t, f.device.SerialNumber, reqs[0].Params.Get("SerialNumber"))
	assert.Equal(t, "3600", reqs[0].Params.Get("DurationSeconds"), "1 h, not the SDK's 15 min")
	assert.Equal(t, int32(1), calls.Load())
}

func TestProfileDurationSeconds(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := context.Background()
	cfg, err := awssession.CreateSession(ctx, f.base(f.profiles(t), awssession.WithProfile("admin-long"),
		awssession.WithMFA(f.device.SerialNumber, awssession.TOTP(f.device.Secret)))...)
	require.NoError(t, err)
	_, err = cfg.Credentials.Retrieve(ctx)
	require.NoError(t, err)
	assert.Equal(t, "7200", f.srv.Requests()[0].Params.Get("DurationSeconds"))
}

func TestProfileMFAWithoutTokensIsAClearError(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	_, err := awssession.CreateSession(context.Background(), f.base(f.profiles(t), awssession.WithProfile("admin"))...)
	require.ErrorIs(t, err, awssession.ErrInvalidInput)
	assert.Contains(t, err.Error(), "WithMFA")
	assert.Contains(t, err.Error(), f.device.SerialNumber)
	assert.NotContains(t, err.Error(), "AssumeRoleTokenProvider", "no SDK plumbing error")
	assert.Empty(t, f.srv.Requests())
}

// A profile role is the source; our hops chain on it.
func TestProfileRoleThenOurRole(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := context.Background()
	cfg, err := awssession.CreateSession(ctx, f.base(f.profiles(t), awssession.WithProfile("admin"),
		awssession.WithMFA(f.device.SerialNumber, awssession.TOTP(f.device.Secret)),
		awssession.WithAssumeRole(awssession.AssumeRole{RoleARN: f.auditor.ARN, RoleSessionName: "audit"}))...)
	require.NoError(t, err)
	id, err := awssession.CallerIdentity(ctx, cfg)
	require.NoError(t, err)
	assert.Equal(t, "arn:aws:sts::"+f.srv.Account()+":assumed-role/Auditor/audit", id.ARN)
	reqs := f.srv.Requests()
	require.Len(t, reqs, 3)
	assert.NotEmpty(t, reqs[0].Params.Get("SerialNumber"), "MFA goes to the profile's own role")
	assert.Empty(t, reqs[1].Params.Get("SerialNumber"), "and only there")
}

func TestProfileWithoutMFA(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := context.Background()
	cfg, err := awssession.CreateSession(ctx, f.base(f.profiles(t), awssession.WithProfile("open"))...)
	require.NoError(t, err)
	id, err := awssession.CallerIdentity(ctx, cfg)
	require.NoError(t, err)
	assert.Contains(t, id.ARN, ":assumed-role/Open/")
}

func TestProfileFromEnvironment(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	opt := f.profiles(t)
	ctx := context.Background()
	cfg, err := awssession.CreateSession(ctx, f.base(opt, f.extraEnv("AWS_PROFILE=base"),
		awssession.WithAssumeRole(awssession.AssumeRole{RoleARN: f.open.ARN}))...)
	require.NoError(t, err)
	_, err = cfg.Credentials.Retrieve(ctx)
	require.NoError(t, err)
	assert.Equal(t, f.alice.AccessKeyID, f.srv.Requests()[0].AccessKeyID)
}

// WithMFA with an empty serial takes the profile's mfa_serial, so callers
// need not repeat it.
func TestProfileMFASerialFromProfile(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := context.Background()
	cfg, err := awssession.CreateSession(ctx, f.base(f.profiles(t), awssession.WithProfile("admin"),
		awssession.WithMFA("", awssession.TOTP(f.device.Secret)))...)
	require.NoError(t, err)
	_, err = cfg.Credentials.Retrieve(ctx)
	require.NoError(t, err)
	assert.Equal(t, f.device.SerialNumber, f.srv.Requests()[0].Params.Get("SerialNumber"))

	_, err = awssession.CreateSession(ctx, f.base(f.profiles(t), awssession.WithProfile("open"),
		awssession.WithMFA("", awssession.TOTP(f.device.Secret)))...)
	require.ErrorIs(t, err, awssession.ErrInvalidInput)
	assert.Contains(t, err.Error(), "names no MFA device")
}

// A role profile with nothing to sign its AssumeRole call is refused
// before the SDK can fall back to the EC2 instance role over the network.
func TestProfileRoleWithoutSource(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	opt := f.writeConfig(t, "[profile p]\nrole_arn = "+f.open.ARN+"\n", "")
	_, err := awssession.CreateSession(context.Background(), f.base(opt, awssession.WithProfile("p"))...)
	require.ErrorIs(t, err, awssession.ErrInvalidInput)
	assert.Contains(t, err.Error(), `profile "p": source_profile`)
	assert.Empty(t, f.srv.Requests())
}

// chainProfiles writes the chain: base holds keys, admin is a role
// on base with MFA, deep is a role on admin.
func (f *fixture) chainProfiles(t *testing.T, baseExtra string) awssession.Option {
	return f.writeConfig(t, `
[profile base]
`+baseExtra+`
[profile admin]
role_arn = `+f.admin.ARN+`
source_profile = base
mfa_serial = `+f.device.SerialNumber+`

[profile deep]
role_arn = `+f.auditor.ARN+`
source_profile = admin
`, `
[base]
aws_access_key_id = `+f.alice.AccessKeyID+`
aws_secret_access_key = `+f.alice.SecretAccessKey+`
`)
}

// TestProfileChainSharesLayers: admin, then deep (a role on admin) with
// one cache: the admin hop (and the MFA session under it) is one cache
// entry whichever profile asked for it, so the second profile asks for no
// code.
func TestProfileChainSharesLayers(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		gst  []awssession.Option
		want []string
	}{
		{"code on the admin hop", nil, []string{"AssumeRole", "AssumeRole"}},
		{"MFA session at the base", []awssession.Option{awssession.WithGetSessionToken(0)}, []string{"GetSessionToken", "AssumeRole", "AssumeRole"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixture(t)
			ctx := context.Background()
			files, cache := f.chainProfiles(t, ""), newFileCache(t)
			tokens, prompts := counted(f.serverTOTP())
			for _, profile := range []string{"admin", "deep", "admin", "deep"} {
				cfg, err := awssession.CreateSession(ctx, f.base(append(tc.gst, files, awssession.WithProfile(profile), awssession.WithCache(cache),
					awssession.WithProfileMFA(tokens))...)...)
				require.NoError(t, err)
				_, err = cfg.Credentials.Retrieve(ctx)
				require.NoError(t, err)
			}
			assert.Equal(t, tc.want, actions(f.srv))
			assert.Equal(t, int32(1), prompts.Load(), "one MFA code in total")
		})
	}
}

// TestProfileMFASessionOnKeysOnlyProfile: mfa_serial on a profile that
// holds only keys gets an MFA session, never the long-term keys.
func TestProfileMFASessionOnKeysOnlyProfile(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := context.Background()
	files := f.chainProfiles(t, "mfa_serial = "+f.device.SerialNumber+"\n")
	cfg, err := awssession.CreateSession(ctx, f.base(files, awssession.WithProfile("base"), awssession.WithProfileMFA(f.serverTOTP()))...)
	require.NoError(t, err)
	creds, err := cfg.Credentials.Retrieve(ctx)
	require.NoError(t, err)
	assert.NotEqual(t, f.alice.AccessKeyID, creds.AccessKeyID)
	assert.NotEmpty(t, creds.SessionToken)
	reqs := f.srv.Requests()
	require.Len(t, reqs, 1)
	assert.Equal(t, "GetSessionToken", reqs[0].Action)
	assert.Equal(t, f.device.SerialNumber, reqs[0].Params.Get("SerialNumber"))
	assert.Equal(t, "43200", reqs[0].Params.Get("DurationSeconds"))

	_, err = awssession.CreateSession(ctx, f.base(files, awssession.WithProfile("base"))...)
	assert.ErrorIs(t, err, awssession.ErrInvalidInput, "a device without codes is an error, not the keys")
}

// TestExplainProfileChain shows every hop of a chain, MFA on the hop whose
// profile names the device, or on the MFA session at the base.
func TestExplainProfileChain(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	files := f.chainProfiles(t, "")
	p, err := awssession.Explain(context.Background(), f.base(files, awssession.WithProfile("deep"), awssession.WithProfileMFA(f.serverTOTP()))...)
	require.NoError(t, err)
	assert.Equal(t, "deep", p.Profile)
	assert.Equal(t, "base", p.BaseProfile)
	assert.Equal(t, "keys", p.BaseCredentials)
	assert.True(t, p.LongTermKeys)
	require.Len(t, p.Layers, 2)
	assert.Equal(t, awssession.PlannedLayer{Kind: awssession.LayerAssumeRole, Name: `profile "admin"`, Profile: "admin", RoleARN: f.admin.ARN,
		Duration: time.Hour, MFASerial: f.device.SerialNumber, Calls: true, Prompts: true}, p.Layers[0])
	assert.Equal(t, awssession.PlannedLayer{Kind: awssession.LayerAssumeRole, Name: `profile "deep"`, Profile: "deep", RoleARN: f.auditor.ARN,
		Duration: time.Hour, Chained: true, Calls: true}, p.Layers[1])

	p, err = awssession.Explain(context.Background(), f.base(files, awssession.WithProfile("deep"), awssession.WithProfileMFA(f.serverTOTP()),
		awssession.WithGetSessionToken(0))...)
	require.NoError(t, err)
	require.Len(t, p.Layers, 3)
	assert.Equal(t, awssession.LayerGetSessionToken, p.Layers[0].Kind)
	assert.Equal(t, f.device.SerialNumber, p.Layers[0].MFASerial)
	assert.Empty(t, p.Layers[1].MFASerial, "the MFA session sends the code; no hop above does")
	assert.True(t, p.Layers[1].Chained)
	assert.Empty(t, f.srv.Requests())
}

// TestProfileDuration900 sends duration_seconds = 900 as 900 (the SDK
// drops 15 min and less for its own default).
func TestProfileDuration900(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := context.Background()
	files := f.writeConfig(t, "[profile a]\nrole_arn = "+f.open.ARN+"\nsource_profile = base\nduration_seconds = 900\n",
		"[base]\naws_access_key_id = "+f.alice.AccessKeyID+"\naws_secret_access_key = "+f.alice.SecretAccessKey+"\n")
	cfg, err := awssession.CreateSession(ctx, f.base(files, awssession.WithProfile("a"))...)
	require.NoError(t, err)
	_, err = cfg.Credentials.Retrieve(ctx)
	require.NoError(t, err)
	assert.Equal(t, "900", f.srv.Requests()[0].Params.Get("DurationSeconds"))
	assert.Regexp(t, `^awssession-\d{8}t\d{6}z$`, f.srv.Requests()[0].Params.Get("RoleSessionName"), "the same generated name as for --role-arn")
}

// TestSDKParserPanicIsBadInput: config v1.33.15's parser panics on a value
// that is a lone quote; every way in (a profile's plan, a session on
// static keys, whose LoadDefaultConfig reads the same file, the profile
// list) gets an input error naming the file instead of a crash.
func TestSDKParserPanicIsBadInput(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	files := f.writeConfig(t, "[profile dev]\nregion = \"\n", "")
	for name, call := range map[string]func() error{
		"Explain": func() error {
			_, err := awssession.Explain(context.Background(), f.base(files, awssession.WithProfile("dev"))...)
			return err
		},
		"CreateSession, static keys": func() error {
			_, err := awssession.CreateSession(context.Background(), f.base(files, f.aliceKeys())...)
			return err
		},
		"ExplainProfiles": func() error {
			plans, err := awssession.ExplainProfiles(context.Background(), []string{"dev"}, f.base(files)...)
			if err == nil {
				err = plans[0].Err
			}
			return err
		},
	} {
		var err error
		require.NotPanics(t, func() { err = call() }, name)
		require.ErrorIs(t, err, awssession.ErrInvalidInput, name)
		assert.Contains(t, err.Error(), "lone quote", name)
		assert.Contains(t, err.Error(), "config", name)
	}
}
