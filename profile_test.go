package awssession_test

import (
	"context"
	"testing"

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
	f := newFixture(t)
	ctx := context.Background()
	cfg, err := awssession.CreateSession(ctx, f.base(f.profiles(t), awssession.WithProfile("open"))...)
	require.NoError(t, err)
	id, err := awssession.CallerIdentity(ctx, cfg)
	require.NoError(t, err)
	assert.Contains(t, id.ARN, ":assumed-role/Open/")
}

func TestProfileFromEnvironment(t *testing.T) {
	f := newFixture(t)
	opt := f.profiles(t)
	t.Setenv("AWS_PROFILE", "base")
	ctx := context.Background()
	cfg, err := awssession.CreateSession(ctx, f.base(opt,
		awssession.WithAssumeRole(awssession.AssumeRole{RoleARN: f.open.ARN}))...)
	require.NoError(t, err)
	_, err = cfg.Credentials.Retrieve(ctx)
	require.NoError(t, err)
	assert.Equal(t, f.alice.AccessKeyID, f.srv.Requests()[0].AccessKeyID)
}

// WithMFA with an empty serial takes the profile's mfa_serial, so callers
// need not repeat it.
func TestProfileMFASerialFromProfile(t *testing.T) {
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
	f := newFixture(t)
	opt := f.writeConfig(t, "[profile p]\nrole_arn = "+f.open.ARN+"\n", "")
	_, err := awssession.CreateSession(context.Background(), f.base(opt, awssession.WithProfile("p"))...)
	require.ErrorIs(t, err, awssession.ErrInvalidInput)
	assert.Contains(t, err.Error(), `profile "p": source_profile`)
	assert.Empty(t, f.srv.Requests())
}
