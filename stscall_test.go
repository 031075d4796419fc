package awssession_test

import (
	"context"
	"errors"
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

// TestPlainHTTPRoutesAreRefused: every way of choosing an endpoint of a
// service a session calls for credentials follows one rule (https, or
// http to loopback only), read from the session's environment and
// profile, and the error names the route. Nothing is sent: the plan is
// refused before any client exists. Hosts are under .invalid, so nothing
// could be sent even if the rule failed.
func TestPlainHTTPRoutesAreRefused(t *testing.T) {
	t.Parallel()
	keys := "[base]\naws_access_key_id = AKIAIOSFODNN7EXAMPLE\naws_secret_access_key = secret\n"
	const bad = "http://sts.example.invalid"
	role := awssession.WithAssumeRole(awssession.AssumeRole{RoleARN: "arn:aws:iam::123456789012:role/R"})
	for _, tc := range []struct {
		name   string
		env    []string
		config string
		extra  []awssession.Option
		want   string
	}{
		{"AWS_ENDPOINT_URL_STS", []string{"AWS_ENDPOINT_URL_STS=" + bad}, "[profile base]\n", nil, "AWS_ENDPOINT_URL_STS"},
		{"AWS_ENDPOINT_URL", []string{"AWS_ENDPOINT_URL=" + bad}, "[profile base]\n", nil, "AWS_ENDPOINT_URL"},
		{"endpoint_url in the profile", nil, "[profile base]\nendpoint_url = " + bad + "\n", nil, `profile "base": endpoint_url`},
		{"[services] section", nil, "[profile base]\nservices = s\n[services s]\nsts =\n  endpoint_url = " + bad + "\n", nil, "[services s] sts endpoint_url"},
		{"web identity from the environment", []string{"AWS_ENDPOINT_URL_STS=" + bad, "AWS_WEB_IDENTITY_TOKEN_FILE=/nonexistent", "AWS_ROLE_ARN=arn:aws:iam::123456789012:role/R"},
			"", []awssession.Option{}, "AWS_ENDPOINT_URL_STS"},
		{"web identity profile", []string{"AWS_ENDPOINT_URL=" + bad}, "[profile base]\nweb_identity_token_file = /nonexistent\nrole_arn = arn:aws:iam::123456789012:role/R\n",
			nil, "AWS_ENDPOINT_URL"},
		{"SSO", []string{"AWS_ENDPOINT_URL_SSO=" + bad}, "[profile base]\nsso_session = s\nsso_account_id = 123456789012\nsso_role_name = R\n" +
			"[sso-session s]\nsso_region = us-east-1\nsso_start_url = https://example.awsapps.com/start\n", nil, "AWS_ENDPOINT_URL_SSO"},
		{"SSO OIDC", []string{"AWS_ENDPOINT_URL_SSO_OIDC=" + bad}, "[profile base]\nsso_session = s\nsso_account_id = 123456789012\nsso_role_name = R\n" +
			"[sso-session s]\nsso_region = us-east-1\nsso_start_url = https://example.awsapps.com/start\n", nil, "AWS_ENDPOINT_URL_SSO_OIDC"},
		{"Sign-In", []string{"AWS_ENDPOINT_URL_SIGNIN=" + bad}, "[profile base]\nlogin_session = arn:aws:iam::123456789012:user/alice\nregion = us-east-1\n", nil, "AWS_ENDPOINT_URL_SIGNIN"},
		{"container", []string{"AWS_CONTAINER_CREDENTIALS_FULL_URI=http://creds.example.invalid/x"}, "", []awssession.Option{}, "AWS_CONTAINER_CREDENTIALS_FULL_URI"},
		{"instance metadata", []string{"AWS_EC2_METADATA_SERVICE_ENDPOINT=http://imds.example.invalid"}, "", []awssession.Option{}, "AWS_EC2_METADATA_SERVICE_ENDPOINT"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			f := &fixture{configDir: t.TempDir()}
			creds := keys
			if strings.Contains(tc.config, "sso_") || strings.Contains(tc.config, "login_session") {
				creds = "" // the base's own credentials
			}
			opts := []awssession.Option{awssession.WithEnvironment(tc.env), f.writeConfig(t, tc.config, creds), awssession.WithRegion("us-east-1")}
			if tc.extra == nil {
				opts = append(opts, awssession.WithProfile("base"), role)
			}
			_, err := awssession.CreateSession(context.Background(), opts...)
			require.ErrorIs(t, err, awssession.ErrInvalidInput)
			var in *awssession.InputError
			require.True(t, errors.As(err, &in))
			assert.Contains(t, in.Field, tc.want)
			assert.Contains(t, in.Reason, "clear text")
		})
	}
}

// TestEndpointsComeFromTheSessionsEnvironment: AWS_ENDPOINT_URL_STS given
// in WithEnvironment is where the calls go, and the process's own value is
// not (it used to win: keys meant for a local fake went elsewhere). Not
// parallel: it sets the process environment.
func TestEndpointsComeFromTheSessionsEnvironment(t *testing.T) {
	ours, theirs := newFixture(t), ststest.NewServer(t)
	t.Setenv("AWS_ENDPOINT_URL_STS", theirs.URL)
	t.Setenv("AWS_ENDPOINT_URL", theirs.URL)
	cfg, err := awssession.CreateSession(context.Background(), ours.aliceKeys(), awssession.WithRegion("us-east-1"),
		awssession.WithEnvironment(append(ours.env, "AWS_ENDPOINT_URL_STS="+ours.srv.URL)),
		awssession.WithAssumeRole(awssession.AssumeRole{RoleARN: ours.open.ARN}))
	require.NoError(t, err)
	_, err = cfg.Credentials.Retrieve(context.Background())
	require.NoError(t, err)
	id, err := awssession.CallerIdentity(context.Background(), cfg)
	require.NoError(t, err)
	assert.Contains(t, id.ARN, "assumed-role/Open/")
	assert.Equal(t, []string{"AssumeRole", "GetCallerIdentity"}, actions(ours.srv))
	assert.Empty(t, theirs.Requests(), "the process environment's endpoint got requests")
}

// TestSTSTimeoutBoundsEachCall: a server that accepts and never answers
// fails the call at WithSTSTimeout, with no deadline of the caller's own.
func TestSTSTimeoutBoundsEachCall(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	f.srv.InjectFault(ststest.Latency(10, time.Hour))
	cfg, err := awssession.CreateSession(context.Background(), f.base(f.aliceKeys(), awssession.WithSTSTimeout(100*time.Millisecond),
		awssession.WithAssumeRole(awssession.AssumeRole{RoleARN: f.open.ARN}))...)
	require.NoError(t, err)
	_, err = cfg.Credentials.Retrieve(context.Background())
	assert.ErrorIs(t, err, context.DeadlineExceeded)
}

// TestEveryUseOfTheSessionsSTSIsRouted: a session with no STS layer
// (keys alone) still refuses a plain-http STS endpoint of its environment
// when a call is made later through its config (CallerIdentity), before
// anything is sent to the host (under .invalid).
func TestEveryUseOfTheSessionsSTSIsRouted(t *testing.T) {
	t.Parallel()
	cfg, err := awssession.CreateSession(context.Background(), awssession.WithStaticCredentials("AKIAIOSFODNN7EXAMPLE", "secret", ""),
		awssession.WithRegion("us-east-1"), awssession.WithEnvironment([]string{"AWS_ENDPOINT_URL_STS=http://sts.example.invalid"}))
	require.NoError(t, err)
	_, err = awssession.CallerIdentity(context.Background(), cfg)
	require.ErrorIs(t, err, awssession.ErrInvalidInput)
	assert.Contains(t, err.Error(), "AWS_ENDPOINT_URL_STS")
	assert.NotContains(t, err.Error(), "lookup", "a request was attempted")
}

// TestMalformedSourceAnswersAreRefused: what a source answers passes the
// same shape check as STS's answers: a credential_process printing a
// 100 KB session token is refused before it signs or is printed.
func TestMalformedSourceAnswersAreRefused(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	script := filepath.Join(t.TempDir(), "creds.sh")
	require.NoError(t, os.WriteFile(script, []byte("#!/bin/sh\nprintf '{\"Version\":1,\"AccessKeyId\":\"ASIAIOSFODNN7EXAMPLE\",\"SecretAccessKey\":\"s\",\"SessionToken\":\"%s\"}' \"$(head -c 100000 /dev/zero | tr '\\0' t)\"\n"), 0o700))
	files := f.writeConfig(t, "[profile p]\ncredential_process = "+script+"\n", "")
	cfg, err := awssession.CreateSession(context.Background(), f.base(files, awssession.WithProfile("p"))...)
	require.NoError(t, err)
	_, err = cfg.Credentials.Retrieve(context.Background())
	require.Error(t, err)
	assert.Contains(t, err.Error(), "oversized")
}
