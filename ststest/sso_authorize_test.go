package ststest_test

import (
	"crypto/sha256"
	"encoding/base64"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sso"
	"github.com/aws/aws-sdk-go-v2/service/ssooidc"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/awssession/awssession/ststest"
)

// pkce returns a verifier of 64 unreserved characters and its S256
// challenge, as the AWS CLI makes them.
func pkce(seed string) (verifier, challenge string) {
	verifier = strings.Repeat(seed, 64)[:64]
	sum := sha256.Sum256([]byte(verifier))
	return verifier, base64.RawURLEncoding.EncodeToString(sum[:])
}

// pkceClient registers a client for the authorization code grant as the
// AWS CLI does.
func (f *ssoFixture) pkceClient(t *testing.T) *ssooidc.RegisterClientOutput {
	t.Helper()
	out, err := f.oidc.RegisterClient(ctxT(t), &ssooidc.RegisterClientInput{
		ClientName: aws.String("botocore-client-dev"), ClientType: aws.String("public"),
		GrantTypes: []string{"authorization_code", "refresh_token"}, RedirectUris: []string{"http://127.0.0.1/oauth/callback"},
		IssuerUrl: aws.String(f.srv.SSOStartURL()), Scopes: []string{"sso:account:access"},
	})
	require.NoError(t, err)
	return out
}

// authorizeURL is the /authorize URL the AWS CLI opens; set overrides
// parameters ("" deletes one).
func authorizeURL(srv *ststest.Server, clientID, redirect, challenge string, set ...string) string {
	q := url.Values{"response_type": {"code"}, "client_id": {clientID}, "redirect_uri": {redirect},
		"state": {"state-1"}, "code_challenge_method": {"S256"}, "scopes": {"sso:account:access"}, "code_challenge": {challenge}}
	for i := 0; i+1 < len(set); i += 2 {
		if set[i+1] == "" {
			q.Del(set[i])
		} else {
			q.Set(set[i], set[i+1])
		}
	}
	return srv.URL + "/authorize?" + q.Encode()
}

// TestSSOAuthorizationCode runs the authorization code flow with PKCE as
// the AWS CLI does, with WithAutoApprove standing in for the person: the
// redirect on any loopback port carries code and state; the code is good
// once, with its redirect URI and verifier, before it expires.
func TestSSOAuthorizationCode(t *testing.T) {
	t.Parallel()
	f := newSSOFixture(t, ststest.WithAutoApprove("alice"))
	f.srv.AssignSSO("alice", f.srv.Account(), "Admin")
	client := f.pkceClient(t)
	id := aws.ToString(client.ClientId)
	redirect := "http://127.0.0.1:49152/oauth/callback"
	exchange := func(code, verifier, redirectURI string) (*ssooidc.CreateTokenOutput, error) {
		in := &ssooidc.CreateTokenInput{ClientId: client.ClientId, ClientSecret: client.ClientSecret,
			GrantType: aws.String("authorization_code"), Code: aws.String(code), RedirectUri: aws.String(redirectURI)}
		if verifier != "" {
			in.CodeVerifier = aws.String(verifier)
		}
		return f.oidc.CreateToken(ctxT(t), in)
	}
	newCode := func(seed string) (code, verifier string) {
		verifier, challenge := pkce(seed)
		q := redirectQuery(t, authorizeURL(f.srv, id, redirect, challenge))
		require.Equal(t, "state-1", q.Get("state"))
		require.NotEmpty(t, q.Get("code"), "redirect %v", q)
		return q.Get("code"), verifier
	}

	code, verifier := newCode("a")
	tok, err := exchange(code, verifier, redirect)
	require.NoError(t, err)
	assert.Equal(t, int32(3600), tok.ExpiresIn)
	assert.NotEmpty(t, aws.ToString(tok.RefreshToken))
	_, err = f.portal.ListAccounts(ctxT(t), &sso.ListAccountsInput{AccessToken: tok.AccessToken})
	require.NoError(t, err)

	// Used twice: refused, and the tokens it yielded are revoked.
	_, err = exchange(code, verifier, redirect)
	requireErrorType(t, err, "InvalidGrantException", http.StatusBadRequest)
	_, err = f.portal.ListAccounts(ctxT(t), &sso.ListAccountsInput{AccessToken: tok.AccessToken})
	requireErrorType(t, err, "UnauthorizedException", http.StatusUnauthorized)

	code, verifier = newCode("b")
	_, err = exchange(code, strings.Repeat("x", 64), redirect)
	requireErrorType(t, err, "InvalidGrantException", http.StatusBadRequest)
	_, err = exchange(code, verifier, redirect)
	requireErrorType(t, err, "InvalidGrantException", http.StatusBadRequest) // spent by the failed try

	code, verifier = newCode("c")
	_, err = exchange(code, verifier, "http://127.0.0.1:49153/oauth/callback")
	requireErrorType(t, err, "InvalidGrantException", http.StatusBadRequest)

	code, _ = newCode("d")
	_, err = exchange(code, "", redirect)
	requireErrorType(t, err, "InvalidRequestException", http.StatusBadRequest)

	code, verifier = newCode("e")
	f.clock.Advance(5 * time.Minute)
	_, err = exchange(code, verifier, redirect)
	requireErrorType(t, err, "ExpiredTokenException", http.StatusBadRequest)
	assert.Equal(t, 5, f.srv.CountRequests("sso-oidc:Authorize"))
}

// TestSSOAuthorizeRefusals: a redirect URI the client did not register
// gets an error page, never a redirect; other faults go to the client.
func TestSSOAuthorizeRefusals(t *testing.T) {
	t.Parallel()
	f := newSSOFixture(t, ststest.WithAutoApprove("alice"))
	id := aws.ToString(f.pkceClient(t).ClientId)
	deviceClient := aws.ToString(f.register(t).ClientId)
	// A redirect URI registered, but not the authorization code grant.
	noGrant, err := f.oidc.RegisterClient(ctxT(t), &ssooidc.RegisterClientInput{
		ClientName: aws.String("device-only"), ClientType: aws.String("public"),
		GrantTypes: []string{"urn:ietf:params:oauth:grant-type:device_code"}, RedirectUris: []string{"http://127.0.0.1/oauth/callback"},
		IssuerUrl: aws.String(f.srv.SSOStartURL()), Scopes: []string{"sso:account:access"},
	})
	require.NoError(t, err)
	_, challenge := pkce("a")
	redirect := "http://127.0.0.1:5000/oauth/callback"
	for _, tc := range []struct {
		name, url string
		wantError string // "" for an error page
	}{
		{"unregistered redirect", authorizeURL(f.srv, id, "http://127.0.0.1:5000/other", challenge), ""},
		{"localhost for 127.0.0.1", authorizeURL(f.srv, id, "http://localhost:5000/oauth/callback", challenge), ""},
		{"unknown client", authorizeURL(f.srv, "nobody", redirect, challenge), ""},
		{"device-flow client (no redirect URI)", authorizeURL(f.srv, deviceClient, redirect, challenge), ""},
		{"client without the authorization code grant", authorizeURL(f.srv, aws.ToString(noGrant.ClientId), redirect, challenge), "unauthorized_client"},
		{"plain PKCE", authorizeURL(f.srv, id, redirect, challenge, "code_challenge_method", "plain"), "invalid_request"},
		{"no challenge", authorizeURL(f.srv, id, redirect, challenge, "code_challenge", ""), "invalid_request"},
		{"implicit flow", authorizeURL(f.srv, id, redirect, challenge, "response_type", "token"), "unsupported_response_type"},
		{"unregistered scope", authorizeURL(f.srv, id, redirect, challenge, "scopes", "sso:account:access codewhisperer:completions"), "invalid_scope"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			resp, err := noRedirects.Get(tc.url)
			require.NoError(t, err)
			require.NoError(t, resp.Body.Close())
			if tc.wantError == "" {
				assert.Equal(t, http.StatusBadRequest, resp.StatusCode)
				assert.Empty(t, resp.Header.Get("Location"))
				return
			}
			require.Equal(t, http.StatusFound, resp.StatusCode)
			loc, err := url.Parse(resp.Header.Get("Location"))
			require.NoError(t, err)
			assert.Equal(t, "127.0.0.1:5000", loc.Host)
			assert.Equal(t, tc.wantError, loc.Query().Get("error"))
			assert.Equal(t, "state-1", loc.Query().Get("state"))
		})
	}
}

var csrfRE = regexp.MustCompile(`name="csrf_token" value="([^"]+)"`)

// pageFormToken GETs a page and returns its status and its form's token.
func pageFormToken(t *testing.T, pageURL string) (int, string) {
	t.Helper()
	resp, err := noRedirects.Get(pageURL)
	require.NoError(t, err)
	defer resp.Body.Close()
	var body strings.Builder
	_, err = io.Copy(&body, resp.Body)
	require.NoError(t, err)
	m := csrfRE.FindStringSubmatch(body.String())
	if m == nil {
		return resp.StatusCode, ""
	}
	return resp.StatusCode, m[1]
}

// postPage posts a form as a browser does, from origin ("" sends none).
func postPage(t *testing.T, target, origin string, form url.Values) *http.Response {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, target, strings.NewReader(form.Encode()))
	require.NoError(t, err)
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if origin != "" {
		req.Header.Set("Origin", origin)
	}
	resp, err := noRedirects.Do(req)
	require.NoError(t, err)
	require.NoError(t, resp.Body.Close())
	return resp
}

// postDevicePage answers the device verification page as a person does.
func postDevicePage(t *testing.T, srv *ststest.Server, userCode, user, decision string, wantStatus int) {
	t.Helper()
	status, token := pageFormToken(t, srv.URL+"/device?user_code="+url.QueryEscape(userCode))
	require.Equal(t, http.StatusOK, status)
	resp := postPage(t, srv.URL+"/device", srv.URL, url.Values{"csrf_token": {token}, "user_code": {userCode}, "user": {user}, "decision": {decision}})
	require.Equal(t, wantStatus, resp.StatusCode)
}

// TestSSODevicePage approves a device authorization on the page, and shows
// that a form is good once and only from the server's own origin.
func TestSSODevicePage(t *testing.T) {
	t.Parallel()
	f := newSSOFixture(t)
	client := f.register(t)
	auth, err := f.oidc.StartDeviceAuthorization(ctxT(t), &ssooidc.StartDeviceAuthorizationInput{
		ClientId: client.ClientId, ClientSecret: client.ClientSecret, StartUrl: aws.String(f.srv.SSOStartURL())})
	require.NoError(t, err)
	code := aws.ToString(auth.UserCode)
	form := func() url.Values {
		_, token := pageFormToken(t, aws.ToString(auth.VerificationUriComplete))
		require.NotEmpty(t, token)
		return url.Values{"csrf_token": {token}, "user_code": {strings.ToLower(code)}, "user": {"alice"}, "decision": {"allow"}}
	}

	cross := postPage(t, f.srv.URL+"/device", "http://evil.invalid", form())
	assert.Equal(t, http.StatusBadRequest, cross.StatusCode)
	unknown := form()
	unknown.Set("user_code", "AAAA-AAAA")
	assert.Equal(t, http.StatusBadRequest, postPage(t, f.srv.URL+"/device", "", unknown).StatusCode)

	good := form()
	assert.Equal(t, http.StatusOK, postPage(t, f.srv.URL+"/device", f.srv.URL, good).StatusCode)
	assert.Equal(t, http.StatusBadRequest, postPage(t, f.srv.URL+"/device", f.srv.URL, good).StatusCode, "a form is good once")
	_, err = f.oidc.CreateToken(ctxT(t), &ssooidc.CreateTokenInput{ClientId: client.ClientId, ClientSecret: client.ClientSecret,
		GrantType: aws.String(deviceGrant), DeviceCode: auth.DeviceCode})
	require.NoError(t, err)

	status, _ := pageFormToken(t, f.srv.SSOStartURL())
	assert.Equal(t, http.StatusOK, status)
}

// TestSSOAuthorizePage: without WithAutoApprove the authorize page asks;
// Allow redirects with a code, Deny with access_denied.
func TestSSOAuthorizePage(t *testing.T) {
	t.Parallel()
	f := newSSOFixture(t)
	id := aws.ToString(f.pkceClient(t).ClientId)
	_, challenge := pkce("a")
	redirect := "http://127.0.0.1:5000/oauth/callback"
	for decision, want := range map[string]string{"allow": "code", "deny": "error"} {
		status, token := pageFormToken(t, authorizeURL(f.srv, id, redirect, challenge))
		require.Equal(t, http.StatusOK, status)
		resp := postPage(t, f.srv.URL+"/authorize", f.srv.URL, url.Values{"csrf_token": {token}, "user": {"alice"}, "decision": {decision}})
		require.Equal(t, http.StatusFound, resp.StatusCode)
		loc, err := url.Parse(resp.Header.Get("Location"))
		require.NoError(t, err)
		assert.True(t, strings.HasPrefix(loc.String(), redirect+"?"), "redirect %s", loc)
		assert.NotEmpty(t, loc.Query().Get(want), "redirect %s", loc)
		assert.Equal(t, "state-1", loc.Query().Get("state"))
	}
}
