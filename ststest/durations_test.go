package ststest_test

import (
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/aws-sdk-go-v2/service/sts/types"
	"github.com/stretchr/testify/require"

	"github.com/awssession/awssession/ststest"
)

const (
	msgRoleMax  = "The requested DurationSeconds exceeds the MaxSessionDuration set for this role."
	msgChaining = "The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role chaining."
)

func durationMessage(value, rule string) string {
	return "1 validation error detected: Value '" + value + "' at 'durationSeconds' failed to satisfy constraint: Member must have value " + rule
}

func TestDurations(t *testing.T) {
	f := newFixture(t)
	root := f.srv.AddRootKey()
	long := f.srv.AddRole("Long", ststest.Trust{Principals: []string{f.alice.ARN}, MaxSessionDuration: 12 * time.Hour})
	short := f.srv.AddRole("Short", ststest.Trust{Principals: []string{f.alice.ARN}})
	chainTarget := f.srv.AddRole("ChainTarget", ststest.Trust{Principals: []string{long.ARN}, MaxSessionDuration: 12 * time.Hour})
	gstCreds := f.mfaSession(t)
	roleCreds, err := clientFor(f.srv, f.alice).AssumeRole(ctxT(t), &sts.AssumeRoleInput{RoleArn: aws.String(long.ARN), RoleSessionName: aws.String("hop")})
	require.NoError(t, err)

	alice, rootClient := clientFor(f.srv, f.alice), clientFor(f.srv, root)
	gst := func(c *sts.Client, seconds *int32) (*types.Credentials, error) {
		out, err := c.GetSessionToken(ctxT(t), &sts.GetSessionTokenInput{DurationSeconds: seconds})
		if err != nil {
			return nil, err
		}
		return out.Credentials, nil
	}
	gft := func(c *sts.Client, seconds *int32) (*types.Credentials, error) {
		out, err := c.GetFederationToken(ctxT(t), &sts.GetFederationTokenInput{Name: aws.String("fed"), DurationSeconds: seconds})
		if err != nil {
			return nil, err
		}
		return out.Credentials, nil
	}
	ar := func(c *sts.Client, role string) func(*sts.Client, *int32) (*types.Credentials, error) {
		return func(_ *sts.Client, seconds *int32) (*types.Credentials, error) {
			out, err := c.AssumeRole(ctxT(t), &sts.AssumeRoleInput{RoleArn: aws.String(role), RoleSessionName: aws.String("dur"), DurationSeconds: seconds})
			if err != nil {
				return nil, err
			}
			return out.Credentials, nil
		}
	}
	tests := []struct {
		name        string
		call        func(*sts.Client, *int32) (*types.Credentials, error)
		client      *sts.Client
		seconds     *int32
		want        time.Duration // lifetime of the credentials, when they are issued
		wantCode    string
		wantMessage string
		wantStatus  int
	}{
		{"GetSessionToken default 12 h", gst, alice, nil, 12 * time.Hour, "", "", 0},
		{"GetSessionToken 36 h", gst, alice, aws.Int32(129600), 36 * time.Hour, "", "", 0},
		{"GetSessionToken below 900", gst, alice, aws.Int32(899), 0, "ValidationError", durationMessage("899", "greater than or equal to 900"), 400},
		{"GetSessionToken above 36 h", gst, alice, aws.Int32(129601), 0, "ValidationError", durationMessage("129601", "less than or equal to 129600"), 400},
		{"GetSessionToken by root capped at 1 h", gst, rootClient, aws.Int32(7200), time.Hour, "", "", 0},
		{"GetSessionToken by root default is 1 h", gst, rootClient, nil, time.Hour, "", "", 0},
		{"GetSessionToken with session credentials", gst, clientForCreds(f.srv, gstCreds), nil, 0, "AccessDenied", "Cannot call GetSessionToken with session credentials", 403},
		{"GetFederationToken default 12 h", gft, alice, nil, 12 * time.Hour, "", "", 0},
		{"GetFederationToken by root capped at 1 h", gft, rootClient, aws.Int32(43200), time.Hour, "", "", 0},
		{"GetFederationToken above 36 h", gft, alice, aws.Int32(129601), 0, "ValidationError", durationMessage("129601", "less than or equal to 129600"), 400},
		{"GetFederationToken with session credentials", gft, clientForCreds(f.srv, roleCreds.Credentials), nil, 0, "AccessDenied", "Cannot call GetFederationToken with session credentials", 403},
		{"AssumeRole default 1 h", ar(alice, long.ARN), nil, nil, time.Hour, "", "", 0},
		{"AssumeRole 12 h", ar(alice, long.ARN), nil, aws.Int32(43200), 12 * time.Hour, "", "", 0},
		{"AssumeRole below 900", ar(alice, long.ARN), nil, aws.Int32(899), 0, "ValidationError", durationMessage("899", "greater than or equal to 900"), 400},
		{"AssumeRole above 12 h", ar(alice, long.ARN), nil, aws.Int32(43201), 0, "ValidationError", durationMessage("43201", "less than or equal to 43200"), 400},
		{"AssumeRole above the role's maximum", ar(alice, short.ARN), nil, aws.Int32(3601), 0, "ValidationError", msgRoleMax, 400},
		{"AssumeRole after GetSessionToken, 1 h", ar(clientForCreds(f.srv, gstCreds), long.ARN), nil, aws.Int32(3600), time.Hour, "", "", 0},
		{"AssumeRole after GetSessionToken, over 1 h", ar(clientForCreds(f.srv, gstCreds), long.ARN), nil, aws.Int32(3601), 0, "ValidationError", msgChaining, 400},
		{"role chaining, 1 h", ar(clientForCreds(f.srv, roleCreds.Credentials), chainTarget.ARN), nil, aws.Int32(3600), time.Hour, "", "", 0},
		{"role chaining, over 1 h", ar(clientForCreds(f.srv, roleCreds.Credentials), chainTarget.ARN), nil, aws.Int32(7200), 0, "ValidationError", msgChaining, 400},
		{"AssumeRole by root", ar(rootClient, long.ARN), nil, nil, 0, "AccessDenied", "Roles may not be assumed by root accounts.", 403},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			creds, err := tt.call(tt.client, tt.seconds)
			if tt.wantCode != "" {
				requireAPIError(t, err, tt.wantCode, tt.wantMessage, tt.wantStatus)
				return
			}
			require.NoError(t, err)
			want := f.clock.Now().Add(tt.want).UTC().Truncate(time.Millisecond)
			got := aws.ToTime(creds.Expiration)
			require.True(t, want.Equal(got), "got expiration %v, want %v", got, want)
		})
	}
}

func TestAddRoleRefusesOutOfRangeMaxSessionDuration(t *testing.T) {
	srv := ststest.NewServer(t)
	for _, d := range []time.Duration{59 * time.Minute, 12*time.Hour + time.Second} {
		require.Panics(t, func() { srv.AddRole("R", ststest.Trust{MaxSessionDuration: d}) }, "MaxSessionDuration %v", d)
	}
}
