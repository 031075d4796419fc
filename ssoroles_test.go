package awssession_test

import (
	"bytes"
	"context"
	"crypto/sha1"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sso"
	"github.com/aws/aws-sdk-go-v2/service/ssooidc"
	"github.com/awssession/awssession"
	"github.com/awssession/awssession/ststest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// ssoToken is an SSO token file as the AWS CLI writes it.
type ssoToken struct {
	StartURL              string `json:"startUrl"`
	Region                string `json:"region"`
	AccessToken           string `json:"accessToken"`
	ExpiresAt             string `json:"expiresAt"`
	ClientID              string `json:"clientId"`
	ClientSecret          string `json:"clientSecret"`
	RegistrationExpiresAt string `json:"registrationExpiresAt"`
	RefreshToken          string `json:"refreshToken"`
}

// signInSSO signs user in to the server's Identity Center with the SDK's
// device flow (approved as a person would) and returns the token as the
// AWS CLI keeps it.
func signInSSO(t *testing.T, srv *ststest.Server, user string) ssoToken {
	t.Helper()
	ctx := context.Background()
	oidc := ssooidc.NewFromConfig(aws.Config{Region: "us-east-1", BaseEndpoint: aws.String(srv.URL)})
	client, err := oidc.RegisterClient(ctx, &ssooidc.RegisterClientInput{ClientName: aws.String("test"), ClientType: aws.String("public"),
		Scopes: []string{"sso:account:access"}})
	require.NoError(t, err)
	auth, err := oidc.StartDeviceAuthorization(ctx, &ssooidc.StartDeviceAuthorizationInput{ClientId: client.ClientId,
		ClientSecret: client.ClientSecret, StartUrl: aws.String(srv.SSOStartURL())})
	require.NoError(t, err)
	require.NoError(t, srv.ApproveDevice(aws.ToString(auth.UserCode), user))
	tok, err := oidc.CreateToken(ctx, &ssooidc.CreateTokenInput{ClientId: client.ClientId, ClientSecret: client.ClientSecret,
		GrantType: aws.String("urn:ietf:params:oauth:grant-type:device_code"), DeviceCode: auth.DeviceCode})
	require.NoError(t, err)
	return ssoToken{StartURL: srv.SSOStartURL(), Region: "us-east-1", AccessToken: aws.ToString(tok.AccessToken),
		ExpiresAt: time.Now().Add(time.Duration(tok.ExpiresIn) * time.Second).UTC().Format(time.RFC3339),
		ClientID:  aws.ToString(client.ClientId), ClientSecret: aws.ToString(client.ClientSecret),
		RegistrationExpiresAt: time.Unix(client.ClientSecretExpiresAt, 0).UTC().Format(time.RFC3339), RefreshToken: aws.ToString(tok.RefreshToken)}
}

// ssoTokenPath is where the AWS CLI keeps the token of session under home.
func ssoTokenPath(home, session string) string {
	h := sha1.Sum([]byte(session))
	return filepath.Join(home, ".aws", "sso", "cache", hex.EncodeToString(h[:])+".json")
}

func writeSSOToken(t *testing.T, home, session string, tok ssoToken) {
	t.Helper()
	b, err := json.Marshal(tok)
	require.NoError(t, err)
	path := ssoTokenPath(home, session)
	require.NoError(t, os.MkdirAll(filepath.Dir(path), 0o700))
	require.NoError(t, os.WriteFile(path, b, 0o600))
}

// ssoRolesFixture is alice with assignments in the fake Identity Center,
// signed in to the session "corp", and the options that reach it.
type ssoRolesFixture struct {
	*fixture
	token ssoToken
	opts  []awssession.Option
}

func newSSORolesFixture(t *testing.T, extraConfig string) *ssoRolesFixture {
	t.Helper()
	f := &ssoRolesFixture{fixture: newFixture(t)}
	f.writeConfig(t, "# mine\n[sso-session corp]\nsso_start_url = "+f.srv.SSOStartURL()+"\nsso_region = us-east-1\n"+extraConfig, "")
	f.token = signInSSO(t, f.srv, "alice")
	writeSSOToken(t, f.configDir, "corp", f.token)
	f.opts = []awssession.Option{f.extraEnv("AWS_ENDPOINT_URL_SSO="+f.srv.URL, "AWS_ENDPOINT_URL_SSO_OIDC="+f.srv.URL)}
	return f
}

// portalCalls counts the portal's list calls.
func portalCalls(srv *ststest.Server) int {
	return srv.CountRequests("sso:ListAccounts") + srv.CountRequests("sso:ListAccountRoles")
}

// TestSSORolesReadsEveryPage: 46 accounts (three pages of ListAccounts)
// and 25 roles in one of them (two pages of ListAccountRoles), sorted.
func TestSSORolesReadsEveryPage(t *testing.T) {
	t.Parallel()
	f := newSSORolesFixture(t, "")
	var want []awssession.SSORole
	for i := range 45 {
		id := fmt.Sprintf("1000000000%02d", 45-i)
		f.srv.AssignSSO("alice", id, "Admin")
		want = append([]awssession.SSORole{{AccountID: id, AccountName: "ststest-" + id, RoleName: "Admin"}}, want...)
	}
	var many []awssession.SSORole
	for i := range 25 {
		role := fmt.Sprintf("Set%02d", i)
		f.srv.AssignSSO("alice", "999999999999", role)
		many = append(many, awssession.SSORole{AccountID: "999999999999", AccountName: "ststest-999999999999", RoleName: role})
	}
	want = append(want, many...)
	got, err := awssession.SSORoles(context.Background(), "corp", f.opts...)
	require.NoError(t, err)
	assert.Equal(t, want, got)
	assert.Equal(t, 3, f.srv.CountRequests("sso:ListAccounts"))
	assert.Equal(t, 45+2, f.srv.CountRequests("sso:ListAccountRoles"))
}

// TestSSORolesNeedsASignIn: no token, an expired one that cannot be
// renewed, and one the portal refuses (signed out) each ask for a sign-in,
// the first two before any request.
func TestSSORolesNeedsASignIn(t *testing.T) {
	t.Parallel()
	f := newSSORolesFixture(t, "")
	f.srv.AssignSSO("alice", "123456789012", "Admin")
	require.NoError(t, os.Remove(ssoTokenPath(f.configDir, "corp")))
	_, err := awssession.SSORoles(context.Background(), "corp", f.opts...)
	require.ErrorIs(t, err, awssession.ErrSignInRequired)
	assert.ErrorContains(t, err, "awssession login")

	expired := f.token
	expired.ExpiresAt, expired.RefreshToken = time.Now().Add(-time.Minute).UTC().Format(time.RFC3339), ""
	writeSSOToken(t, f.configDir, "corp", expired)
	_, err = awssession.SSORoles(context.Background(), "corp", f.opts...)
	require.ErrorIs(t, err, awssession.ErrSignInRequired)
	assert.Zero(t, portalCalls(f.srv))
	assert.Equal(t, 1, f.srv.CountRequests("sso-oidc:CreateToken"), "want the sign-in's alone")

	writeSSOToken(t, f.configDir, "corp", f.token)
	_, err = sso.NewFromConfig(aws.Config{Region: "us-east-1", BaseEndpoint: aws.String(f.srv.URL)}).Logout(context.Background(),
		&sso.LogoutInput{AccessToken: aws.String(f.token.AccessToken)})
	require.NoError(t, err)
	_, err = awssession.SSORoles(context.Background(), "corp", f.opts...)
	require.ErrorIs(t, err, awssession.ErrSignInRequired)
	var call *awssession.CallError
	require.ErrorAs(t, err, &call)
	assert.Equal(t, "sso:ListAccounts", call.Call)
}

// TestSSORolesRenewsAnExpiredToken with its refresh token (SSO OIDC
// CreateToken at the configured endpoint) and writes it back.
func TestSSORolesRenewsAnExpiredToken(t *testing.T) {
	t.Parallel()
	f := newSSORolesFixture(t, "")
	f.srv.AssignSSO("alice", "123456789012", "Admin")
	expired := f.token
	expired.ExpiresAt = time.Now().Add(-time.Minute).UTC().Format(time.RFC3339)
	writeSSOToken(t, f.configDir, "corp", expired)
	before := f.srv.CountRequests("sso-oidc:CreateToken")
	got, err := awssession.SSORoles(context.Background(), "corp", f.opts...)
	require.NoError(t, err)
	assert.Equal(t, []awssession.SSORole{{AccountID: "123456789012", AccountName: "ststest-123456789012", RoleName: "Admin"}}, got)
	assert.Equal(t, before+1, f.srv.CountRequests("sso-oidc:CreateToken"))
	b, err := os.ReadFile(ssoTokenPath(f.configDir, "corp"))
	require.NoError(t, err)
	var renewed ssoToken
	require.NoError(t, json.Unmarshal(b, &renewed))
	assert.NotEqual(t, f.token.AccessToken, renewed.AccessToken)
}

// TestSSORolesRefusesBadInputBeforeAnyRequest: an unknown session, one
// without sso_region, and endpoints that break the route rule, each named.
func TestSSORolesRefusesBadInputBeforeAnyRequest(t *testing.T) {
	t.Parallel()
	f := newSSORolesFixture(t, "[sso-session half]\nsso_start_url = https://x.invalid/start\n"+
		"[profile far]\nservices = far\n[services far]\nsso =\n  endpoint_url = http://far.invalid\n")
	for _, tc := range []struct {
		session string
		env     []string
		field   string
	}{
		{"nope", nil, "sso_session nope"},
		{"a b", nil, "sso_session"},
		{"half", nil, "sso_session half: sso_region"},
		{"corp", []string{"AWS_ENDPOINT_URL_SSO=http://x.invalid"}, "AWS_ENDPOINT_URL_SSO"},
		{"corp", []string{"AWS_ENDPOINT_URL_SSO=", "AWS_ENDPOINT_URL=http://x.invalid"}, "AWS_ENDPOINT_URL"},
		{"corp", []string{"AWS_ENDPOINT_URL_SSO_OIDC=http://x.invalid"}, "AWS_ENDPOINT_URL_SSO_OIDC"},
		{"corp", []string{"AWS_ENDPOINT_URL_SSO=", "AWS_PROFILE=far"}, `profile "far": [services far] sso endpoint_url`},
		{"corp", []string{"AWS_PROFILE=missing"}, "AWS_PROFILE"},
	} {
		env := append([]string{"AWS_ENDPOINT_URL_SSO=" + f.srv.URL, "AWS_ENDPOINT_URL_SSO_OIDC=" + f.srv.URL}, tc.env...)
		_, err := awssession.SSORoles(context.Background(), tc.session, f.extraEnv(env...))
		var in *awssession.InputError
		require.ErrorAs(t, err, &in, "%s %v", tc.session, tc.env)
		assert.Equal(t, tc.field, in.Field)
	}
	assert.Zero(t, portalCalls(f.srv))
}

// TestSSORolesTimesEachRequest: a portal that does not answer is given up
// after WithSTSTimeout, as a *CallError naming the call.
func TestSSORolesTimesEachRequest(t *testing.T) {
	t.Parallel()
	f := newSSORolesFixture(t, "")
	f.srv.AssignSSO("alice", "123456789012", "Admin")
	f.srv.InjectFault(ststest.Latency(10, time.Hour).ForAction("sso:ListAccountRoles"))
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	_, err := awssession.SSORoles(ctx, "corp", append(f.opts, awssession.WithSTSTimeout(100*time.Millisecond))...)
	require.ErrorIs(t, err, context.DeadlineExceeded)
	assert.NoError(t, ctx.Err())
	var call *awssession.CallError
	require.ErrorAs(t, err, &call)
	assert.Equal(t, "sso:ListAccountRoles", call.Call)
}

// TestSSORolesNeverLogsTheToken: the debug log names each call, not the
// token.
func TestSSORolesNeverLogsTheToken(t *testing.T) {
	t.Parallel()
	f := newSSORolesFixture(t, "")
	f.srv.AssignSSO("alice", "123456789012", "Admin")
	var log bytes.Buffer
	logger := slog.New(slog.NewTextHandler(&log, &slog.HandlerOptions{Level: slog.LevelDebug}))
	_, err := awssession.SSORoles(context.Background(), "corp", append(f.opts, awssession.WithLogger(logger))...)
	require.NoError(t, err)
	assert.Contains(t, log.String(), "sso:ListAccountRoles")
	assert.NotContains(t, log.String(), f.token.AccessToken)
	assert.NotContains(t, log.String(), f.token.RefreshToken)
}

// TestSSORolesTakesTheProfilesServices: the [services] section of the
// profile AWS_PROFILE names sends the portal calls (the rule every session
// follows), with no endpoint variable set.
func TestSSORolesTakesTheProfilesServices(t *testing.T) {
	t.Parallel()
	f := newSSORolesFixture(t, "")
	f.writeConfig(t, "[sso-session corp]\nsso_start_url = "+f.srv.SSOStartURL()+"\nsso_region = us-east-1\n"+
		"[profile local]\nservices = local\n[services local]\nsso =\n  endpoint_url = "+f.srv.URL+"\n", "")
	f.srv.AssignSSO("alice", "123456789012", "Admin")
	got, err := awssession.SSORoles(context.Background(), "corp", f.extraEnv("AWS_PROFILE=local"))
	require.NoError(t, err)
	assert.Len(t, got, 1)
	assert.Equal(t, 1, f.srv.CountRequests("sso:ListAccounts"))
}
