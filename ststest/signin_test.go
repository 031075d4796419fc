package ststest_test

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/url"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials/logincreds"
	"github.com/aws/aws-sdk-go-v2/service/signin"
	signintypes "github.com/aws/aws-sdk-go-v2/service/signin/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/awssession/awssession/ststest"
)

// requireSigninError checks a Sign-In error's type, status and error code.
func requireSigninError(t *testing.T, err error, typ string, status int, code signintypes.OAuth2ErrorCode) {
	t.Helper()
	requireErrorType(t, err, typ, status)
	var denied *signintypes.AccessDeniedException
	var invalid *signintypes.ValidationException
	switch {
	case errors.As(err, &denied):
		assert.Equal(t, code, denied.Error_, "error member")
	case errors.As(err, &invalid):
		assert.Equal(t, code, invalid.Error_, "error member")
	default:
		t.Fatalf("got %T, want a modelled Sign-In error", err)
	}
}

// TestSigninLogin signs in as `aws login` does: PKCE, a DPoP key, and
// credentials that the STS takes for alice herself.
func TestSigninLogin(t *testing.T) {
	t.Parallel()
	f := newSigninFixture(t)
	out := f.login(t, newKey(t))
	assert.Equal(t, "aws_sigv4", aws.ToString(out.TokenType))
	assert.Equal(t, int32(900), aws.ToInt32(out.ExpiresIn))
	assert.True(t, strings.HasPrefix(aws.ToString(out.RefreshToken), "ASOR"))

	parts := strings.Split(aws.ToString(out.IdToken), ".")
	require.Len(t, parts, 3)
	payload, err := base64.RawURLEncoding.DecodeString(parts[1])
	require.NoError(t, err)
	var claims struct{ Sub, Aud string }
	require.NoError(t, json.Unmarshal(payload, &claims))
	assert.Equal(t, f.alice.ARN, claims.Sub)
	assert.Equal(t, f.srv.LoginSession("alice"), claims.Sub)
	assert.Equal(t, sameDevice, claims.Aud)

	key := out.AccessToken
	who, err := newClient(f.srv, aws.ToString(key.AccessKeyId), aws.ToString(key.SecretAccessKey), aws.ToString(key.SessionToken)).
		GetCallerIdentity(ctxT(t), nil)
	require.NoError(t, err)
	assert.Equal(t, f.alice.ARN, aws.ToString(who.Arn))
	assert.Equal(t, 1, f.srv.CountRequests("signin:Authorize"))
	assert.Equal(t, 1, f.srv.CountRequests("signin:CreateOAuth2Token"))

	short := newSigninFixture(t, ststest.WithLoginCredentialLifetime(5*time.Minute))
	assert.Equal(t, int32(300), aws.ToInt32(short.login(t, newKey(t)).ExpiresIn))
	_, err = ststest.Start(ststest.WithLoginCredentialLifetime(16 * time.Minute))
	assert.ErrorContains(t, err, "WithLoginCredentialLifetime")
}

// TestSigninLogincreds refreshes a session cached as `aws login` writes it
// with the SDK's own provider and its own DPoP proofs; the refresh token
// rotates, is bound to the key, and the old one replays its answer.
func TestSigninLogincreds(t *testing.T) {
	t.Parallel()
	f := newSigninFixture(t) // the clock stays at the real time: the SDK dates its proofs with it
	key := newKey(t)
	out := f.login(t, key)
	path := writeLoginCache(t, t.TempDir(), out, f.srv.Account(), key)

	creds, err := logincreds.New(f.client, path).Retrieve(ctxT(t))
	require.NoError(t, err)
	assert.NotEqual(t, aws.ToString(out.AccessToken.AccessKeyId), creds.AccessKeyID)
	who, err := newClient(f.srv, creds.AccessKeyID, creds.SecretAccessKey, creds.SessionToken).GetCallerIdentity(ctxT(t), nil)
	require.NoError(t, err)
	assert.Equal(t, f.alice.ARN, aws.ToString(who.Arn))
	var cache struct{ RefreshToken string }
	data, err := os.ReadFile(path)
	require.NoError(t, err)
	require.NoError(t, json.Unmarshal(data, &cache))
	assert.NotEqual(t, aws.ToString(out.RefreshToken), cache.RefreshToken)

	again, err := f.token(t, refreshBody(out.RefreshToken), dpopProof{key: key})
	require.NoError(t, err, "the old token replays its answer while those credentials last")
	assert.Equal(t, creds.AccessKeyID, aws.ToString(again.TokenOutput.AccessToken.AccessKeyId))
	assert.Equal(t, cache.RefreshToken, aws.ToString(again.TokenOutput.RefreshToken))
	assert.Nil(t, again.TokenOutput.IdToken, "refreshes carry no ID token")

	_, err = f.token(t, refreshBody(aws.String(cache.RefreshToken)), dpopProof{key: newKey(t)})
	requireSigninError(t, err, "ValidationException", http.StatusBadRequest, "INVALID_REQUEST")

	f.srv.ChangePassword("alice")
	var doc map[string]any
	require.NoError(t, json.Unmarshal(data, &doc))
	doc["accessToken"].(map[string]any)["expiresAt"] = "2020-01-01T00:00:00Z"
	data, err = json.Marshal(doc)
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(path, data, 0o600))
	_, err = logincreds.New(f.client, path).Retrieve(ctxT(t))
	assert.ErrorContains(t, err, "login session password has changed")
	_, err = f.token(t, refreshBody(aws.String(cache.RefreshToken)), dpopProof{key: key})
	requireSigninError(t, err, "AccessDeniedException", http.StatusForbidden, "USER_CREDENTIALS_CHANGED")
}

// TestSigninGrantErrors: codes are single use and short-lived, PKCE and
// the redirect URI are checked, sessions end after 12 h.
func TestSigninGrantErrors(t *testing.T) {
	t.Parallel()
	f := newSigninFixture(t)
	key := newKey(t)
	exchange := func(clientID, code, verifier, redirect string) error {
		_, err := f.token(t, signintypes.CreateOAuth2TokenRequestBody{ClientId: aws.String(clientID), GrantType: aws.String("authorization_code"),
			Code: aws.String(code), CodeVerifier: aws.String(verifier), RedirectUri: aws.String(redirect)}, dpopProof{key: key})
		return err
	}
	code, verifier := f.authorize(t, sameDevice, callback)
	require.NoError(t, exchange(sameDevice, code, verifier, callback))
	requireSigninError(t, exchange(sameDevice, code, verifier, callback), "AccessDeniedException", http.StatusUnauthorized, "AUTHCODE_EXPIRED")

	code, verifier = f.authorize(t, sameDevice, callback)
	f.clock.Advance(5 * time.Minute)
	requireSigninError(t, exchange(sameDevice, code, verifier, callback), "AccessDeniedException", http.StatusUnauthorized, "AUTHCODE_EXPIRED")

	for _, try := range map[string]func(code, verifier string) error{
		"PKCE": func(code, _ string) error { return exchange(sameDevice, code, strings.Repeat("w", 64), callback) },
		"redirect": func(code, v string) error {
			return exchange(sameDevice, code, v, "http://127.0.0.1:50124/oauth/callback")
		},
		"client":   func(code, v string) error { return exchange(crossDevice, code, v, callback) },
		"unknown":  func(_, v string) error { return exchange(sameDevice, "no-such-code", v, callback) },
		"clientId": func(code, v string) error { return exchange("arn:aws:signin:::devtools/other", code, v, callback) },
	} {
		code, verifier := f.authorize(t, sameDevice, callback)
		requireSigninError(t, try(code, verifier), "ValidationException", http.StatusBadRequest, "INVALID_REQUEST")
	}

	out := f.login(t, key)
	next, err := f.token(t, refreshBody(out.RefreshToken), dpopProof{key: key})
	require.NoError(t, err)
	f.clock.Advance(15 * time.Minute)
	_, err = f.token(t, refreshBody(out.RefreshToken), dpopProof{key: key})
	requireSigninError(t, err, "AccessDeniedException", http.StatusUnauthorized, "TOKEN_EXPIRED")

	token := next.TokenOutput.RefreshToken
	for range 47 { // 47 more quarter hours: 12 h in all
		out, err := f.token(t, refreshBody(token), dpopProof{key: key})
		require.NoError(t, err)
		token = out.TokenOutput.RefreshToken
		f.clock.Advance(15 * time.Minute)
	}
	_, err = f.token(t, refreshBody(token), dpopProof{key: key})
	requireSigninError(t, err, "AccessDeniedException", http.StatusUnauthorized, "TOKEN_EXPIRED")
}

// TestSigninDPoP refuses proofs that are missing, malformed, for another
// URL or method, out of the time window, replayed or badly signed.
func TestSigninDPoP(t *testing.T) {
	t.Parallel()
	f := newSigninFixture(t)
	key := newKey(t)
	code, verifier := f.authorize(t, sameDevice, callback)
	body := signintypes.CreateOAuth2TokenRequestBody{ClientId: aws.String(sameDevice), GrantType: aws.String("authorization_code"),
		Code: aws.String(code), CodeVerifier: aws.String(verifier), RedirectUri: aws.String(callback)}

	_, err := f.client.CreateOAuth2Token(ctxT(t), &signin.CreateOAuth2TokenInput{TokenInput: &body})
	requireSigninError(t, err, "ValidationException", http.StatusBadRequest, "INVALID_REQUEST")
	now := f.clock.Now()
	for _, p := range map[string]dpopProof{
		"typ":        {key: key, typ: "JWT"},
		"htm":        {key: key, htm: "GET"},
		"htu":        {key: key, htu: "http://127.0.0.1:1/v1/token"},
		"stale iat":  {key: key, iat: now.Add(-6 * time.Minute)},
		"future iat": {key: key, iat: now.Add(6 * time.Minute)},
		"signature":  {key: key, badSig: true},
	} {
		_, err := f.token(t, body, p)
		requireSigninError(t, err, "ValidationException", http.StatusBadRequest, "INVALID_REQUEST")
	}
	out, err := f.token(t, body, dpopProof{key: key, jti: "jti-1", iat: now.Add(-4 * time.Minute)})
	require.NoError(t, err, "refused proofs do not spend the code")
	_, err = f.token(t, refreshBody(out.TokenOutput.RefreshToken), dpopProof{key: key, jti: "jti-1"})
	requireSigninError(t, err, "ValidationException", http.StatusBadRequest, "INVALID_REQUEST")
	_, err = f.token(t, refreshBody(out.TokenOutput.RefreshToken), dpopProof{key: key, jti: "jti-2"})
	require.NoError(t, err)
}

// TestSigninAuthorizePages: without WithAutoApprove the page asks; the
// cross-device client is sent to the confirmation page, whose code
// `aws login --remote` decodes.
func TestSigninAuthorizePages(t *testing.T) {
	t.Parallel()
	srv := ststest.NewServer(t)
	srv.AddUser("alice")
	_, challenge := pkce("v")
	authorize := func(clientID, redirect, method string) string {
		q := url.Values{"response_type": {"code"}, "client_id": {clientID}, "state": {"s-1"}, "code_challenge_method": {method},
			"scope": {"openid"}, "redirect_uri": {redirect}, "code_challenge": {challenge}}
		return srv.URL + "/v1/authorize?" + q.Encode()
	}
	status, _ := pageFormToken(t, authorize(sameDevice, "http://example.invalid/oauth/callback", "SHA-256"))
	assert.Equal(t, http.StatusBadRequest, status)
	status, _ = pageFormToken(t, authorize(crossDevice, callback, "SHA-256"))
	assert.Equal(t, http.StatusBadRequest, status)
	assert.Equal(t, "invalid_request", redirectQuery(t, authorize(sameDevice, callback, "plain")).Get("error"))

	confirm := srv.URL + "/v1/sessions/confirmation"
	status, token := pageFormToken(t, authorize(crossDevice, confirm, "SHA-256"))
	require.Equal(t, http.StatusOK, status)
	resp := postPage(t, srv.URL+"/v1/authorize", srv.URL, url.Values{"csrf_token": {token}, "user": {"alice"}, "decision": {"allow"}})
	require.Equal(t, http.StatusFound, resp.StatusCode)
	loc := resp.Header.Get("Location")
	require.True(t, strings.HasPrefix(loc, confirm+"?"), "redirect %s", loc)
	page, err := http.Get(loc)
	require.NoError(t, err)
	var html strings.Builder
	_, _ = io.Copy(&html, page.Body)
	require.NoError(t, page.Body.Close())
	m := regexp.MustCompile(`<code id="code">([^<]+)</code>`).FindStringSubmatch(html.String())
	require.NotNil(t, m, "page %s", html.String())
	decoded, err := base64.StdEncoding.DecodeString(m[1])
	require.NoError(t, err)
	pasted, err := url.ParseQuery(string(decoded))
	require.NoError(t, err)
	assert.Equal(t, "s-1", pasted.Get("state"))
	assert.NotEmpty(t, pasted.Get("code"))
}
