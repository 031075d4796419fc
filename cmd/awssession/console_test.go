package main

import (
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestConsole prints sign-in URLs for a role, a role on an MFA session and
// IAM user keys (GetFederationToken), and checks each token at ststest's
// federation endpoint. The --debug log never holds the URL or the token.
func TestConsole(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	home := "https://eu-west-1.console.aws.amazon.com/console/home?region=eu-west-1"
	tests := []struct {
		name             string
		args             []string
		arn              string
		issuer, dest     string
		duration         time.Duration // sent to the endpoint
		federationTokens int
	}{
		{"role", f.aliceArgs("--role-arn", f.reader.ARN, "--role-session-name", "console"),
			"arn:aws:sts::123456789012:assumed-role/Reader/console", "awssession", home, 0, 0},
		{"role, console duration", f.aliceArgs("--role-arn", f.reader.ARN, "--role-session-name", "console", "--console-duration", "2h"),
			"arn:aws:sts::123456789012:assumed-role/Reader/console", "awssession", home, 2 * time.Hour, 0},
		{"role on an MFA session, destination, no issuer", f.aliceArgs("--mfa-serial", f.mfa.SerialNumber, "--mfa-totp-secret-env", "MFA_SEED",
			"--session-token-duration", "1h", "--role-arn", f.admin.ARN, "--role-session-name", "console",
			"--destination", "https://console.aws.amazon.com/s3/home", "--issuer", "", "--console-region", "us-east-1"),
			"arn:aws:sts::123456789012:assumed-role/Admin/console", "", "https://console.aws.amazon.com/s3/home", 0, 0},
		{"user keys", f.aliceArgs("--federation-name", "alice-console", "--issuer", "https://sso.example.com/"),
			"arn:aws:sts::123456789012:federated-user/alice-console", "https://sso.example.com/", home, 0, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := f.srv.CountRequests("GetFederationToken")
			r := f.run(t, nil, "", append([]string{"--debug", "console", "--print", "--federation-endpoint", f.srv.FederationURL()}, tt.args...)...)
			require.Equal(t, 0, r.code, "stderr: %s", r.stderr)
			token := checkSigninURL(t, f.srv.FederationURL(), r.stdout)
			sess, ok := f.srv.SigninSession(token)
			require.True(t, ok, "ststest did not issue the sign-in token")
			assert.Equal(t, tt.arn, sess.ARN)
			assert.Equal(t, tt.duration, sess.SessionDuration)
			assert.Equal(t, tt.federationTokens, f.srv.CountRequests("GetFederationToken")-before)
			u, err := url.Parse(strings.TrimSpace(r.stdout))
			require.NoError(t, err)
			assert.Equal(t, tt.issuer, u.Query().Get("Issuer"))
			assert.Equal(t, tt.dest, u.Query().Get("Destination"))

			assert.Contains(t, r.stderr, "level=DEBUG", "--debug logs the session")
			assert.NotContains(t, r.stderr, token)
			assert.NotContains(t, r.stderr, "SigninToken")
			assert.NotContains(t, r.stderr, f.srv.FederationURL()+"?")
		})
	}
}

// checkSigninURL checks that out is one login URL of endpoint and returns
// its sign-in token.
func checkSigninURL(t *testing.T, endpoint, out string) string {
	t.Helper()
	require.True(t, strings.HasSuffix(out, "\n") && strings.Count(out, "\n") == 1, "got %q, want one line", out)
	u, err := url.Parse(strings.TrimSuffix(out, "\n"))
	require.NoError(t, err)
	require.Equal(t, endpoint, u.Scheme+"://"+u.Host+u.Path)
	assert.Equal(t, "login", u.Query().Get("Action"))
	token := u.Query().Get("SigninToken")
	require.NotEmpty(t, token)
	return token
}
