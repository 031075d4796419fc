package ststest_test

import (
	"errors"
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/service/sso"
	"github.com/aws/aws-sdk-go-v2/service/ssooidc"
	"github.com/aws/smithy-go"
	"github.com/stretchr/testify/require"

	"github.com/awssession/awssession/ststest"
)

// ssoFixture is a server with user alice, a manual clock, and the real
// SDK clients of SSO OIDC and the portal pointed at it.
type ssoFixture struct {
	srv    *ststest.Server
	clock  *ststest.Clock
	alice  ststest.User
	oidc   *ssooidc.Client
	portal *sso.Client
}

func newSSOFixture(t *testing.T, opts ...ststest.ServerOption) *ssoFixture {
	t.Helper()
	clock := ststest.NewClock(time.Now())
	srv := ststest.NewServer(t, append([]ststest.ServerOption{ststest.WithClock(clock.Now)}, opts...)...)
	cfg := aws.Config{Region: "us-east-1", BaseEndpoint: aws.String(srv.URL), RetryMaxAttempts: 1}
	return &ssoFixture{srv: srv, clock: clock, alice: srv.AddUser("alice"),
		oidc: ssooidc.NewFromConfig(cfg), portal: sso.NewFromConfig(cfg)}
}

// register registers a client for the device flow with scopes.
func (f *ssoFixture) register(t *testing.T, scopes ...string) *ssooidc.RegisterClientOutput {
	t.Helper()
	out, err := f.oidc.RegisterClient(ctxT(t), &ssooidc.RegisterClientInput{
		ClientName: aws.String("test"), ClientType: aws.String("public"), Scopes: scopes,
	})
	require.NoError(t, err)
	return out
}

// deviceToken runs the device flow as alice and returns the tokens.
func (f *ssoFixture) deviceToken(t *testing.T, client *ssooidc.RegisterClientOutput) *ssooidc.CreateTokenOutput {
	t.Helper()
	auth, err := f.oidc.StartDeviceAuthorization(ctxT(t), &ssooidc.StartDeviceAuthorizationInput{
		ClientId: client.ClientId, ClientSecret: client.ClientSecret, StartUrl: aws.String(f.srv.SSOStartURL()),
	})
	require.NoError(t, err)
	require.NoError(t, f.srv.ApproveDevice(aws.ToString(auth.UserCode), "alice"))
	out, err := f.oidc.CreateToken(ctxT(t), &ssooidc.CreateTokenInput{
		ClientId: client.ClientId, ClientSecret: client.ClientSecret,
		GrantType: aws.String("urn:ietf:params:oauth:grant-type:device_code"), DeviceCode: auth.DeviceCode,
	})
	require.NoError(t, err)
	return out
}

// requireErrorType checks that err is an API error of this type (the
// x-amzn-ErrorType) with this HTTP status.
func requireErrorType(t *testing.T, err error, typ string, status int) {
	t.Helper()
	require.Error(t, err, "got success, want %s", typ)
	var apiErr smithy.APIError
	require.True(t, errors.As(err, &apiErr), "got %v, want an API error", err)
	require.Equal(t, typ, apiErr.ErrorCode(), "got %q, want %q (%v)", apiErr.ErrorCode(), typ, err)
	var respErr *awshttp.ResponseError
	require.True(t, errors.As(err, &respErr), "got %v, want an *awshttp.ResponseError", err)
	require.Equal(t, status, respErr.HTTPStatusCode(), "got status %d, want %d", respErr.HTTPStatusCode(), status)
}

// noRedirects is an HTTP client that returns redirects instead of
// following them, as a test reads the code from a Location.
var noRedirects = &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}

// redirectQuery follows nothing: it GETs rawURL and returns the query of
// the 302's Location.
func redirectQuery(t *testing.T, rawURL string) url.Values {
	t.Helper()
	resp, err := noRedirects.Get(rawURL)
	require.NoError(t, err)
	require.NoError(t, resp.Body.Close())
	require.Equal(t, http.StatusFound, resp.StatusCode, "got %d, want a redirect", resp.StatusCode)
	loc, err := url.Parse(resp.Header.Get("Location"))
	require.NoError(t, err)
	return loc.Query()
}
