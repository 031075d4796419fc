package awssession_test

import (
	"context"
	"crypto/sha1"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/awssession/awssession"
	"github.com/awssession/awssession/ststest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The tests of this file each show one way the session used to leave its
// source to the SDK (which read the process environment and sent calls
// where it liked) and now plans, routes and times it itself.

// webIdentityRole adds a role that trusts the server's OIDC issuer and
// writes a token for it into a file.
func webIdentityRole(t *testing.T, f *fixture) (ststest.Role, string) {
	t.Helper()
	role := f.srv.AddRole("Pod", ststest.Trust{Principals: []string{f.srv.OIDCProviderARN()}})
	file := filepath.Join(t.TempDir(), "token")
	require.NoError(t, os.WriteFile(file, []byte(f.srv.WebIdentityToken("system:serviceaccount:ci:runner", "sts.amazonaws.com")), 0o600))
	return role, file
}

// TestWebIdentityFromTheSessionsEnvironment: web identity named in
// WithEnvironment (not in the process environment) is the source; it used
// to fall back to the EC2 instance metadata service.
func TestWebIdentityFromTheSessionsEnvironment(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	role, token := webIdentityRole(t, f)
	opts := []awssession.Option{awssession.WithRegion("us-east-1"), f.extraEnv("AWS_WEB_IDENTITY_TOKEN_FILE="+token,
		"AWS_ROLE_ARN="+role.ARN, "AWS_ROLE_SESSION_NAME=runner", "AWS_ENDPOINT_URL_STS="+f.srv.URL)}
	plan, err := awssession.Explain(context.Background(), opts...)
	require.NoError(t, err)
	assert.Equal(t, awssession.SourceWebIdentity, plan.SourceLayer.Kind)
	assert.Equal(t, role.ARN, plan.SourceLayer.RoleARN)
	assert.Equal(t, f.srv.URL, plan.SourceLayer.Endpoint)
	cfg, err := awssession.CreateSession(context.Background(), opts...)
	require.NoError(t, err)
	id, err := awssession.CallerIdentity(context.Background(), cfg)
	require.NoError(t, err)
	assert.Equal(t, "arn:aws:sts::123456789012:assumed-role/Pod/runner", id.ARN)
	assert.Equal(t, []string{"AssumeRoleWithWebIdentity", "GetCallerIdentity"}, actions(f.srv))
}

// TestWebIdentityProfileTakesTheSTSEndpoint: a web identity profile's
// AssumeRoleWithWebIdentity goes to WithSTSEndpoint (it went to
// sts.us-east-1.amazonaws.com), and a role chained on it too.
func TestWebIdentityProfileTakesTheSTSEndpoint(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	role, token := webIdentityRole(t, f)
	next := f.srv.AddRole("Next", ststest.Trust{Principals: []string{role.ARN}})
	files := f.writeConfig(t, "[profile pod]\nweb_identity_token_file = "+token+"\nrole_arn = "+role.ARN+
		"\n[profile next]\nsource_profile = pod\nrole_arn = "+next.ARN+"\n", "")
	cfg, err := awssession.CreateSession(context.Background(), f.base(files, awssession.WithProfile("next"))...)
	require.NoError(t, err)
	id, err := awssession.CallerIdentity(context.Background(), cfg)
	require.NoError(t, err)
	assert.Contains(t, id.ARN, ":assumed-role/Next/")
	assert.Equal(t, []string{"AssumeRoleWithWebIdentity", "AssumeRole", "GetCallerIdentity"}, actions(f.srv))
}

// slowCode is a person who takes d to type the code.
func slowCode(f *fixture, d time.Duration) awssession.TokenProvider {
	return func(ctx context.Context, serial string) (string, error) {
		select {
		case <-time.After(d):
			return f.srv.TOTPCode(serial), nil
		case <-ctx.Done():
			return "", ctx.Err()
		}
	}
}

// TestTimeoutNeverRunsWhileAPersonTypes: the STS timeout bounds each
// request, not the time a person takes for the code of the MFA session
// below a role (the role's timed call used to wait for it, prompt
// included, and failed with "context deadline exceeded").
func TestTimeoutNeverRunsWhileAPersonTypes(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	cfg, err := awssession.CreateSession(context.Background(), f.base(f.aliceKeys(), awssession.WithSTSTimeout(50*time.Millisecond),
		awssession.WithMFA(f.device.SerialNumber, slowCode(f, 300*time.Millisecond)), awssession.WithGetSessionToken(time.Hour),
		awssession.WithAssumeRole(awssession.AssumeRole{RoleARN: f.admin.ARN}))...)
	require.NoError(t, err)
	_, err = cfg.Credentials.Retrieve(context.Background())
	require.NoError(t, err)
	assert.Equal(t, []string{"GetSessionToken", "AssumeRole"}, actions(f.srv))
}

// TestEveryCallIsTimed: the account check of WithExpectedAccount, the
// console's GetFederationToken and CallerIdentity are bounded by
// WithSTSTimeout (they took as long as a slow STS liked). The test's own
// context has no deadline that could be mistaken for the session's.
func TestEveryCallIsTimed(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name, action string
		run          func(context.Context, *fixture, aws.Config) error
	}{
		{"expected account", "GetCallerIdentity", func(ctx context.Context, _ *fixture, cfg aws.Config) error {
			_, err := cfg.Credentials.Retrieve(ctx)
			return err
		}},
		{"console", "GetFederationToken", func(ctx context.Context, f *fixture, cfg aws.Config) error {
			_, err := awssession.ConsoleURL(ctx, cfg, awssession.WithFederationEndpoint(f.srv.URL+"/federation"))
			return err
		}},
		{"CallerIdentity", "GetCallerIdentity", func(ctx context.Context, _ *fixture, cfg aws.Config) error {
			_, err := awssession.CallerIdentity(ctx, cfg)
			return err
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			f := newFixture(t)
			opts := f.base(f.aliceKeys(), awssession.WithSTSTimeout(100*time.Millisecond))
			if tc.name == "expected account" {
				opts = append(opts, awssession.WithExpectedAccount(f.srv.Account()))
			}
			cfg, err := awssession.CreateSession(context.Background(), opts...)
			require.NoError(t, err)
			f.srv.InjectFault(ststest.Latency(1, time.Hour).ForAction(tc.action))
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			err = tc.run(ctx, f, cfg)
			require.ErrorIs(t, err, context.DeadlineExceeded)
			assert.NoError(t, ctx.Err())
			var call *awssession.CallError
			require.ErrorAs(t, err, &call)
			assert.Equal(t, tc.action, call.Call)
		})
	}
}

// TestRegionFromConfigOptionsIsEveryonesRegion: a region given through
// WithConfigOptions is the one CreateSession, Explain and PeekSession all
// report (Explain and PeekSession reported the environment's).
func TestRegionFromConfigOptionsIsEveryonesRegion(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	opts := []awssession.Option{f.aliceKeys(), f.extraEnv("AWS_REGION=us-west-2"), awssession.WithSTSEndpoint(f.srv.URL),
		awssession.WithConfigOptions(config.WithRegion("eu-west-1"))}
	cfg, err := awssession.CreateSession(context.Background(), opts...)
	require.NoError(t, err)
	plan, err := awssession.Explain(context.Background(), opts...)
	require.NoError(t, err)
	peeked, ok, err := awssession.PeekSession(context.Background(), opts...)
	require.NoError(t, err)
	require.True(t, ok)
	assert.Equal(t, []string{"eu-west-1", "eu-west-1", "eu-west-1"}, []string{cfg.Region, plan.Region, peeked.Region})
}

// TestMissingKeysFailBeforeTheCode: a profile whose base keys the
// WithProfileSource provider cannot supply (a keyring without the item)
// fails without asking for an MFA code; it asked twice and burned the
// code first.
func TestMissingKeysFailBeforeTheCode(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	files := f.writeConfig(t, "[profile base]\nmfa_serial = "+f.device.SerialNumber+"\n[profile admin]\nsource_profile = base\nrole_arn = "+f.admin.ARN+"\n", "")
	missing := errors.New("the keyring holds no keys for profile base")
	lookup := awssession.WithProfileSource(func(string) (aws.CredentialsProvider, string, bool) {
		return aws.CredentialsProviderFunc(func(context.Context) (aws.Credentials, error) { return aws.Credentials{}, missing }), "test:base", true
	})
	for _, opts := range [][]awssession.Option{
		{awssession.WithGetSessionToken(time.Hour)},
		{awssession.WithDefaultMFASession(0)},
		{}, // the code goes to AssumeRole
	} {
		tokens, asked := counted(f.serverTOTP())
		cfg, err := awssession.CreateSession(context.Background(), f.base(append(opts, files, lookup, awssession.WithProfile("admin"),
			awssession.WithProfileMFA(tokens))...)...)
		require.NoError(t, err)
		_, err = cfg.Credentials.Retrieve(context.Background())
		require.ErrorIs(t, err, missing)
		assert.Zero(t, asked.Load(), "an MFA code was asked for a session that cannot be built")
		assert.Empty(t, f.srv.Requests())
	}
}

// TestSourceLayerIsExplained: the source is a layer Explain shows: its
// kind, profile, where its credentials live (the SSO token where the AWS
// CLI keeps it: the SHA-1 of the session's name), its region and whether
// a sign-in is needed first.
func TestSourceLayerIsExplained(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	files := f.writeConfig(t, "[profile proc]\ncredential_process = /bin/false\n"+
		"[profile sso]\nsso_session = corp\nsso_account_id = 123456789012\nsso_role_name = Admin\n"+
		"[sso-session corp]\nsso_region = eu-central-1\nsso_start_url = https://corp.awsapps.com/start\n"+
		"[profile console]\nlogin_session = arn:aws:iam::123456789012:user/alice\nregion = eu-west-1\n", "")
	for _, tc := range []struct {
		profile string
		want    awssession.PlannedSource
	}{
		{"proc", awssession.PlannedSource{Kind: awssession.SourceProcess, Profile: "proc", From: "/bin/false", Region: "us-east-1", Used: true}},
		{"sso", awssession.PlannedSource{Kind: awssession.SourceSSO, Profile: "sso", Session: "corp", Region: "eu-central-1", SignInNeeded: true, Used: true,
			From: filepath.Join(f.configDir, ".aws", "sso", "cache", fmt.Sprintf("%x.json", sha1.Sum([]byte("corp"))))}},
		{"console", awssession.PlannedSource{Kind: awssession.SourceLogin, Profile: "console", Session: "arn:aws:iam::123456789012:user/alice",
			Region: "us-east-1", SignInNeeded: true, Used: true}},
	} {
		plan, err := awssession.Explain(context.Background(), f.base(files, awssession.WithProfile(tc.profile))...)
		require.NoError(t, err, tc.profile)
		got := plan.SourceLayer
		got.Name = ""
		if tc.want.Kind == awssession.SourceLogin {
			got.From = "" // a SHA-256 under the home directory
		}
		assert.Equal(t, tc.want, got, tc.profile)
	}
}
