package ststest_test

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ssooidc"
	"github.com/aws/aws-sdk-go-v2/service/ssooidc/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/awssession/awssession/ststest"
)

const deviceGrant = "urn:ietf:params:oauth:grant-type:device_code"

// TestSSODeviceFlowPolling polls a device authorization as RFC 8628 says
// a client must: pending until approved, SlowDown when polled sooner than
// the interval (which then grows by 5 s), tokens once, then InvalidGrant.
func TestSSODeviceFlowPolling(t *testing.T) {
	t.Parallel()
	f := newSSOFixture(t)
	client := f.register(t, "sso:account:access")
	auth, err := f.oidc.StartDeviceAuthorization(ctxT(t), &ssooidc.StartDeviceAuthorizationInput{
		ClientId: client.ClientId, ClientSecret: client.ClientSecret, StartUrl: aws.String(f.srv.SSOStartURL() + "#/"),
	})
	require.NoError(t, err)
	assert.Equal(t, int32(1), auth.Interval)
	assert.Equal(t, int32(600), auth.ExpiresIn)
	assert.Regexp(t, `^[A-Z2-7]{4}-[A-Z2-7]{4}$`, aws.ToString(auth.UserCode))
	assert.Equal(t, f.srv.URL+"/device", aws.ToString(auth.VerificationUri))
	assert.Equal(t, f.srv.URL+"/device?user_code="+aws.ToString(auth.UserCode), aws.ToString(auth.VerificationUriComplete))

	poll := func() (*ssooidc.CreateTokenOutput, error) {
		return f.oidc.CreateToken(ctxT(t), &ssooidc.CreateTokenInput{ClientId: client.ClientId, ClientSecret: client.ClientSecret,
			GrantType: aws.String(deviceGrant), DeviceCode: auth.DeviceCode})
	}
	_, err = poll()
	requireErrorType(t, err, "AuthorizationPendingException", http.StatusBadRequest)
	var pending *types.AuthorizationPendingException
	require.ErrorAs(t, err, &pending)
	assert.Equal(t, "authorization_pending", aws.ToString(pending.Error_))

	_, err = poll() // at once: sooner than the 1 s interval
	requireErrorType(t, err, "SlowDownException", http.StatusBadRequest)
	f.clock.Advance(2 * time.Second) // the interval is now 6 s
	_, err = poll()
	requireErrorType(t, err, "SlowDownException", http.StatusBadRequest)
	f.clock.Advance(11 * time.Second) // and now 11 s
	_, err = poll()
	requireErrorType(t, err, "AuthorizationPendingException", http.StatusBadRequest)

	require.NoError(t, f.srv.ApproveDevice(aws.ToString(auth.UserCode), "alice"))
	tok, err := poll() // approved: no interval applies
	require.NoError(t, err)
	assert.Equal(t, "Bearer", aws.ToString(tok.TokenType))
	assert.Equal(t, int32(3600), tok.ExpiresIn)
	assert.NotEmpty(t, aws.ToString(tok.RefreshToken))
	_, err = poll()
	requireErrorType(t, err, "InvalidGrantException", http.StatusBadRequest)
	assert.Equal(t, 6, f.srv.CountRequests("sso-oidc:CreateToken"))
	assert.Equal(t, 1, f.srv.CountRequests("sso-oidc:StartDeviceAuthorization"))
}

// TestSSODeviceFlowErrors covers the other answers of the device flow.
func TestSSODeviceFlowErrors(t *testing.T) {
	t.Parallel()
	f := newSSOFixture(t)
	client := f.register(t, "sso:account:access")
	start := func(startURL string) (*ssooidc.StartDeviceAuthorizationOutput, error) {
		return f.oidc.StartDeviceAuthorization(ctxT(t), &ssooidc.StartDeviceAuthorizationInput{
			ClientId: client.ClientId, ClientSecret: client.ClientSecret, StartUrl: aws.String(startURL)})
	}
	token := func(secret, grant, deviceCode string) error {
		_, err := f.oidc.CreateToken(ctxT(t), &ssooidc.CreateTokenInput{ClientId: client.ClientId, ClientSecret: aws.String(secret),
			GrantType: aws.String(grant), DeviceCode: aws.String(deviceCode)})
		return err
	}
	secret := aws.ToString(client.ClientSecret)

	_, err := start("https://d-0000000000.awsapps.com/start")
	requireErrorType(t, err, "InvalidRequestException", http.StatusBadRequest)

	expiring, err := start(f.srv.SSOStartURL())
	require.NoError(t, err)
	requireErrorType(t, token("wrong", deviceGrant, aws.ToString(expiring.DeviceCode)), "InvalidClientException", http.StatusUnauthorized)
	requireErrorType(t, token(secret, "password", aws.ToString(expiring.DeviceCode)), "UnsupportedGrantTypeException", http.StatusBadRequest)
	requireErrorType(t, token(secret, deviceGrant, "not-a-device-code"), "InvalidGrantException", http.StatusBadRequest)
	f.clock.Advance(10 * time.Minute)
	requireErrorType(t, token(secret, deviceGrant, aws.ToString(expiring.DeviceCode)), "ExpiredTokenException", http.StatusBadRequest)
	assert.ErrorContains(t, f.srv.ApproveDevice(aws.ToString(expiring.UserCode), "alice"), "expired")

	denied, err := start(f.srv.SSOStartURL())
	require.NoError(t, err)
	assert.ErrorContains(t, f.srv.ApproveDevice(aws.ToString(denied.UserCode), "mallory"), `no IAM Identity Center user "mallory"`)
	assert.ErrorContains(t, f.srv.ApproveDevice(aws.ToString(denied.UserCode), "<root>"), `no IAM Identity Center user "<root>"`, "the root is no Identity Center user")
	assert.Panics(t, func() { f.srv.AssignSSO("<root>", f.srv.Account(), "Admin") })
	postDevicePage(t, f.srv, aws.ToString(denied.UserCode), "alice", "deny", http.StatusOK)
	requireErrorType(t, token(secret, deviceGrant, aws.ToString(denied.DeviceCode)), "AccessDeniedException", http.StatusBadRequest)

	// A client registered for the authorization code grant only.
	authOnly, err := f.oidc.RegisterClient(ctxT(t), &ssooidc.RegisterClientInput{ClientName: aws.String("pkce"), ClientType: aws.String("public"),
		GrantTypes: []string{"authorization_code", "refresh_token"}, RedirectUris: []string{"http://127.0.0.1/oauth/callback"}})
	require.NoError(t, err)
	_, err = f.oidc.StartDeviceAuthorization(ctxT(t), &ssooidc.StartDeviceAuthorizationInput{
		ClientId: authOnly.ClientId, ClientSecret: authOnly.ClientSecret, StartUrl: aws.String(f.srv.SSOStartURL())})
	requireErrorType(t, err, "UnauthorizedClientException", http.StatusBadRequest)

	// Registration: a confidential client, a bad scope, a redirect URI in clear text to another host.
	for _, in := range []struct {
		typ  string
		body ssooidc.RegisterClientInput
	}{
		{"InvalidClientMetadataException", ssooidc.RegisterClientInput{ClientType: aws.String("confidential")}},
		{"InvalidScopeException", ssooidc.RegisterClientInput{Scopes: []string{"not a scope"}}},
		{"InvalidRedirectUriException", ssooidc.RegisterClientInput{GrantTypes: []string{"authorization_code"}, RedirectUris: []string{"http://example.invalid/cb"}}},
		{"InvalidRequestException", ssooidc.RegisterClientInput{IssuerUrl: aws.String("https://d-0000000000.awsapps.com/start")}},
	} {
		in.body.ClientName = aws.String("bad")
		if in.body.ClientType == nil {
			in.body.ClientType = aws.String("public")
		}
		_, err := f.oidc.RegisterClient(ctxT(t), &in.body)
		requireErrorType(t, err, in.typ, http.StatusBadRequest)
	}
}

// TestSSOInvalidRequestOnTheWire sends what the SDK's validation never
// lets through: members missing from the body.
func TestSSOInvalidRequestOnTheWire(t *testing.T) {
	t.Parallel()
	srv := ststest.NewServer(t)
	resp, err := http.Post(srv.URL+"/token", "application/json", bytes.NewReader([]byte(`{"grantType":"refresh_token"}`)))
	require.NoError(t, err)
	body, _ := io.ReadAll(resp.Body)
	require.NoError(t, resp.Body.Close())
	assert.Equal(t, http.StatusBadRequest, resp.StatusCode)
	assert.Equal(t, "InvalidRequestException", resp.Header.Get("X-Amzn-Errortype"))
	var e struct {
		Error       string `json:"error"`
		Description string `json:"error_description"`
	}
	require.NoError(t, json.Unmarshal(body, &e))
	assert.Equal(t, "invalid_request", e.Error)
	assert.NotEmpty(t, e.Description)
	assert.Equal(t, []string{"refresh_token"}, srv.Requests()[0].Params["grantType"])
}

// TestSSOTokenWithoutScopes: a client registered without scopes gets a
// token for the whole 8 h session and no refresh token.
func TestSSOTokenWithoutScopes(t *testing.T) {
	t.Parallel()
	f := newSSOFixture(t)
	tok := f.deviceToken(t, f.register(t))
	assert.Equal(t, int32(8*3600), tok.ExpiresIn)
	assert.Nil(t, tok.RefreshToken)
}

// TestSSORefresh: refresh tokens rotate, access tokens keep the configured
// lifetime and never outlive the session, and the session's end stops
// refreshes.
func TestSSORefresh(t *testing.T) {
	t.Parallel()
	f := newSSOFixture(t, ststest.WithSSOTokenLifetime(30*time.Minute), ststest.WithSSOSessionDuration(2*time.Hour))
	client := f.register(t, "sso:account:access")
	tok := f.deviceToken(t, client)
	assert.Equal(t, int32(1800), tok.ExpiresIn)
	refresh := func(token *string) (*ssooidc.CreateTokenOutput, error) {
		return f.oidc.CreateToken(ctxT(t), &ssooidc.CreateTokenInput{ClientId: client.ClientId, ClientSecret: client.ClientSecret,
			GrantType: aws.String("refresh_token"), RefreshToken: token})
	}
	f.clock.Advance(100 * time.Minute)
	next, err := refresh(tok.RefreshToken)
	require.NoError(t, err)
	assert.Equal(t, int32(1200), next.ExpiresIn, "capped at the session's end")
	assert.NotEqual(t, aws.ToString(tok.RefreshToken), aws.ToString(next.RefreshToken))
	_, err = refresh(tok.RefreshToken)
	requireErrorType(t, err, "InvalidGrantException", http.StatusBadRequest)

	other := f.register(t, "sso:account:access")
	_, err = f.oidc.CreateToken(ctxT(t), &ssooidc.CreateTokenInput{ClientId: other.ClientId, ClientSecret: other.ClientSecret,
		GrantType: aws.String("refresh_token"), RefreshToken: next.RefreshToken})
	requireErrorType(t, err, "InvalidGrantException", http.StatusBadRequest)

	f.clock.Advance(20 * time.Minute)
	_, err = refresh(next.RefreshToken)
	requireErrorType(t, err, "InvalidGrantException", http.StatusBadRequest)
}
