package awssession_test

import (
	"context"
	"errors"
	"testing"

	"github.com/awssession/awssession"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// WithProfileMFA supplies codes when the profile names a device and is
// silent when it does not: one option for a tool that runs any profile.
func TestWithProfileMFA(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		profile   string
		wantCodes int32
		wantRole  string
	}{
		{"admin", 1, "Admin"}, // role_arn with mfa_serial
		{"open", 0, "Open"},   // role_arn, no mfa_serial
	} {
		t.Run(tc.profile, func(t *testing.T) {
			f := newFixture(t)
			ctx := context.Background()
			tokens, calls := counted(awssession.TOTP(f.device.Secret))
			cfg, err := awssession.CreateSession(ctx, f.base(f.profiles(t), awssession.WithProfile(tc.profile),
				awssession.WithProfileMFA(tokens))...)
			require.NoError(t, err)
			id, err := awssession.CallerIdentity(ctx, cfg)
			require.NoError(t, err)
			assert.Contains(t, id.ARN, ":assumed-role/"+tc.wantRole+"/")
			assert.Equal(t, tc.wantCodes, calls.Load(), "codes asked for")
			sent := f.srv.Requests()[0].Params.Get("SerialNumber")
			if tc.wantCodes == 0 {
				assert.Empty(t, sent, "no MFA device sent")
			} else {
				assert.Equal(t, f.device.SerialNumber, sent)
			}
		})
	}
}

// On a profile whose role needs no code, WithProfileMFA is no MFA at all;
// a GetSessionToken layer above it still works, without a device.
func TestWithProfileMFAAndOurLayers(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := context.Background()
	tokens, calls := counted(awssession.TOTP(f.device.Secret))
	cfg, err := awssession.CreateSession(ctx, f.base(f.profiles(t), awssession.WithProfile("base"),
		awssession.WithProfileMFA(tokens), awssession.WithGetSessionToken(0),
		awssession.WithAssumeRole(awssession.AssumeRole{RoleARN: f.open.ARN}))...)
	require.NoError(t, err)
	_, err = cfg.Credentials.Retrieve(ctx)
	require.NoError(t, err)
	assert.Equal(t, []string{"GetSessionToken", "AssumeRole"}, actions(f.srv))
	assert.Zero(t, calls.Load())
}

func TestWithProfileMFARefusals(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	tokens := awssession.TOTP(f.device.Secret)
	for _, tc := range []struct {
		name      string
		opts      []awssession.Option
		field     string
		conflicts bool
	}{
		{"with static keys", f.base(f.aliceKeys(), awssession.WithProfileMFA(tokens), awssession.WithGetSessionToken(0)), "WithProfileMFA", true},
		{"with WithMFA", f.base(awssession.WithProfile("open"), awssession.WithProfileMFA(tokens), awssession.WithMFA(f.device.SerialNumber, tokens)), "WithProfileMFA", true},
		{"no tokens", f.base(awssession.WithProfile("open"), awssession.WithProfileMFA(nil)), "WithProfileMFA.Tokens", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := awssession.CreateSession(context.Background(), append(tc.opts, f.profiles(t))...)
			require.ErrorIs(t, err, awssession.ErrInvalidInput)
			assert.Equal(t, tc.conflicts, errors.Is(err, awssession.ErrConflictingOptions))
			var ie *awssession.InputError
			require.ErrorAs(t, err, &ie)
			assert.Equal(t, tc.field, ie.Field)
		})
	}
	assert.Empty(t, f.srv.Requests())
}
