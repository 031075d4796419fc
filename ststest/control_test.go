package ststest_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ssooidc"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/awssession/awssession/ststest"
)

// TestControlEndpoints drives the server over HTTP as a test in another
// language does: approve a device code, read a login session, read the
// request log, which holds no secrets.
func TestControlEndpoints(t *testing.T) {
	t.Parallel()
	f := newSSOFixture(t)
	client := f.register(t, "sso:account:access")
	auth, err := f.oidc.StartDeviceAuthorization(ctxT(t), &ssooidc.StartDeviceAuthorizationInput{
		ClientId: client.ClientId, ClientSecret: client.ClientSecret, StartUrl: aws.String(f.srv.SSOStartURL())})
	require.NoError(t, err)

	approve := func(code, user string) (int, string) {
		resp, err := http.Post(f.srv.URL+"/ststest/sso/approve?"+url.Values{"user_code": {code}, "user": {user}}.Encode(), "", nil)
		require.NoError(t, err)
		body, _ := io.ReadAll(resp.Body)
		require.NoError(t, resp.Body.Close())
		return resp.StatusCode, string(body)
	}
	status, body := approve("NOPE-NOPE", "alice")
	assert.Equal(t, http.StatusBadRequest, status)
	assert.Contains(t, body, "no device authorization")
	status, _ = approve(aws.ToString(auth.UserCode), "alice")
	assert.Equal(t, http.StatusNoContent, status)
	tok, err := f.oidc.CreateToken(ctxT(t), &ssooidc.CreateTokenInput{ClientId: client.ClientId, ClientSecret: client.ClientSecret,
		GrantType: aws.String(deviceGrant), DeviceCode: auth.DeviceCode})
	require.NoError(t, err)

	get := func(path string) (int, string) {
		resp, err := http.Get(f.srv.URL + path)
		require.NoError(t, err)
		body, _ := io.ReadAll(resp.Body)
		require.NoError(t, resp.Body.Close())
		return resp.StatusCode, string(body)
	}
	status, body = get("/ststest/login-session?user=alice")
	assert.Equal(t, http.StatusOK, status)
	assert.Equal(t, f.alice.ARN, body)
	status, _ = get("/ststest/login-session?user=nobody")
	assert.Equal(t, http.StatusNotFound, status)

	status, body = get("/ststest/requests")
	require.Equal(t, http.StatusOK, status)
	var log []struct {
		Action string `json:"action"`
		Status int    `json:"status"`
	}
	require.NoError(t, json.Unmarshal([]byte(body), &log))
	var actions []string
	for _, r := range log {
		actions = append(actions, r.Action)
		assert.Equal(t, http.StatusOK, r.Status)
	}
	assert.Equal(t, []string{"sso-oidc:RegisterClient", "sso-oidc:StartDeviceAuthorization", "sso-oidc:CreateToken"}, actions)
	for _, secret := range []string{aws.ToString(client.ClientSecret), aws.ToString(auth.DeviceCode), aws.ToString(tok.AccessToken)} {
		assert.NotContains(t, body, secret)
		for _, r := range f.srv.Requests() {
			for _, vs := range r.Params {
				assert.NotContains(t, vs, secret, "Params of %s", r.Action)
			}
		}
	}
}

// TestSSOFaults: injected faults apply to the REST-JSON operations by
// their recorded action.
func TestSSOFaults(t *testing.T) {
	t.Parallel()
	f := newSSOFixture(t)
	f.srv.InjectFault(ststest.ServerError(1).ForAction("sso-oidc:RegisterClient"))
	_, err := f.oidc.RegisterClient(ctxT(t), &ssooidc.RegisterClientInput{ClientName: aws.String("x"), ClientType: aws.String("public")})
	requireErrorType(t, err, "InternalFailure", http.StatusInternalServerError)
	f.register(t)
	reqs := f.srv.Requests()
	require.Len(t, reqs, 2)
	assert.True(t, reqs[0].Fault)
	assert.Equal(t, "InternalFailure", reqs[0].ErrorCode)
}
