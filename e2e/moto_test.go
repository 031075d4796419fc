//go:build linux

package e2e

import (
	"errors"
	"fmt"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/smithy-go"
	"github.com/stretchr/testify/require"

	"github.com/awssession/awssession"
)

// TestMoto runs the original scenarios against one moto_server: the world
// is set up once, then moto's authentication is turned on so that only
// the right credentials, correctly signed, list the bucket. The subtests
// share the server and its authentication switch: none may run in parallel.
// What moto does not check, and which tests check it instead, is in the
// package documentation (doc.go).
func TestMoto(t *testing.T) {
	w := newWorld(t)
	w.moto.setAuth(t, true)

	t.Run("AssumeRoleWithMFA", w.testAssumeRoleWithMFA)
	t.Run("SessionTokenWithMFA", w.testSessionTokenWithMFA)
	t.Run("ProfileWithMFA", w.testProfileWithMFA)
	t.Run("CLI", w.testCLI)
	t.Run("Keyring", w.testKeyring)
	t.Run("WhatMotoDoesNotCheck", w.testWhatMotoDoesNotCheck)
}

// userOptions are the options of a session whose source is the user's
// keys, with ~/.aws out of the way.
func (w *world) userOptions(t *testing.T) []awssession.Option {
	return []awssession.Option{
		awssession.WithStaticCredentials(w.accessKeyID, w.secretAccessKey, ""),
		awssession.WithRegion(region),
		awssession.WithSTSEndpoint(w.moto.URL),
		sharedFiles(t, "", ""),
	}
}

// testAssumeRoleWithMFA is "assume a role that requires MFA": the user's
// keys cannot list buckets, the role session they get can.
func (w *world) testAssumeRoleWithMFA(t *testing.T) {
	ctx := testContext(t)
	user := aws.Config{
		Region:      region,
		Credentials: credentials.NewStaticCredentialsProvider(w.accessKeyID, w.secretAccessKey, ""),
	}
	_, err := w.listBuckets(ctx, user)
	var apiErr smithy.APIError
	require.Truef(t, errors.As(err, &apiErr) && apiErr.ErrorCode() == "AccessDenied",
		"got %v for the user's own keys listing buckets, want AccessDenied: the role must be what lists them", err)

	cfg, err := awssession.CreateSession(ctx, append(w.userOptions(t),
		awssession.WithAssumeRole(awssession.AssumeRole{RoleARN: w.roleARN}),
		awssession.WithMFA(w.devices["assume"].serial, awssession.TOTP(w.devices["assume"].seed)),
	)...)
	require.NoError(t, err)
	w.requireListsBucket(t, ctx, cfg)
	w.requireRoleSession(t, ctx, cfg)
}

// testSessionTokenWithMFA is "a session token with MFA". moto's
// GetSessionToken returns a fixed example key pair that its own
// authentication does not know, so this scenario runs with authentication
// off and checks instead that the session's keys are the new temporary
// ones, not the user's.
func (w *world) testSessionTokenWithMFA(t *testing.T) {
	w.moto.setAuth(t, false)
	t.Cleanup(func() { w.moto.setAuth(t, true) })
	ctx := testContext(t)

	cfg, err := awssession.CreateSession(ctx, append(w.userOptions(t),
		awssession.WithGetSessionToken(0),
		awssession.WithMFA(w.devices["session"].serial, awssession.TOTP(w.devices["session"].seed)),
	)...)
	require.NoError(t, err)
	w.requireListsBucket(t, ctx, cfg)
	creds, err := cfg.Credentials.Retrieve(ctx)
	require.NoError(t, err)
	require.NotEqual(t, w.accessKeyID, creds.AccessKeyID, "got the user's own key, want GetSessionToken's")
	require.NotEmpty(t, creds.SessionToken, "got no session token, want GetSessionToken's")
	require.True(t, creds.CanExpire, "got credentials that never expire, want GetSessionToken's")
}

// testProfileWithMFA is the same role reached through a shared-config
// profile with role_arn, source_profile and mfa_serial: the SDK's own
// profile resolution, with the code from WithMFA.
func (w *world) testProfileWithMFA(t *testing.T) {
	ctx := testContext(t)
	configText := fmt.Sprintf(`[profile e2e-admin]
role_arn = %s
source_profile = e2e-user
mfa_serial = %s
region = %s
`, w.roleARN, w.devices["profile"].serial, region)
	credentialsText := fmt.Sprintf(`[e2e-user]
aws_access_key_id = %s
aws_secret_access_key = %s
`, w.accessKeyID, w.secretAccessKey)

	cfg, err := awssession.CreateSession(ctx,
		awssession.WithProfile("e2e-admin"),
		awssession.WithMFA(w.devices["profile"].serial, awssession.TOTP(w.devices["profile"].seed)),
		awssession.WithSTSEndpoint(w.moto.URL),
		sharedFiles(t, configText, credentialsText),
	)
	require.NoError(t, err)
	require.Equal(t, region, cfg.Region, "got region %q, want the profile's %q", cfg.Region, region)
	w.requireListsBucket(t, ctx, cfg)
	w.requireRoleSession(t, ctx, cfg)
}
