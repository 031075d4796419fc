package ststest

import (
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"fmt"
	"time"
)

type createTokenInput struct {
	ClientID     string `json:"clientId"`
	ClientSecret string `json:"clientSecret"`
	GrantType    string `json:"grantType"`
	DeviceCode   string `json:"deviceCode"`
	Code         string `json:"code"`
	RefreshToken string `json:"refreshToken"`
	RedirectURI  string `json:"redirectUri"`
	CodeVerifier string `json:"codeVerifier"`
}

type createTokenOutput struct {
	AccessToken  string `json:"accessToken"`
	TokenType    string `json:"tokenType"`
	ExpiresIn    int64  `json:"expiresIn"`
	RefreshToken string `json:"refreshToken,omitempty"`
}

// createToken exchanges a device code, an authorization code or a
// refresh token for tokens. The client is checked first
// (InvalidClientException), then whether it may use the grant
// (UnauthorizedClientException), then the grant.
func (s *Server) createToken(c *restCall) (any, *restError) {
	var in createTokenInput
	if !decodeJSON(c.body, &in) || in.ClientID == "" || in.ClientSecret == "" || in.GrantType == "" {
		return nil, oidcError("InvalidRequestException", "clientId, clientSecret and grantType are required")
	}
	cl, e := s.clientLocked(in.ClientID, in.ClientSecret, c.now)
	if e != nil {
		return nil, e
	}
	switch in.GrantType {
	case grantDeviceCode, grantAuthCode, grantRefresh:
	default:
		return nil, oidcError("UnsupportedGrantTypeException", "Unsupported grant type: "+in.GrantType)
	}
	if !cl.allows(in.GrantType) {
		return nil, oidcError("UnauthorizedClientException", "Client is not registered for the "+in.GrantType+" grant")
	}
	switch in.GrantType {
	case grantDeviceCode:
		return s.deviceCodeGrantLocked(cl, in, c.now)
	case grantAuthCode:
		return s.authCodeGrantLocked(cl, in, c.now)
	default:
		return s.refreshGrantLocked(cl, in, c.now)
	}
}

// deviceCodeGrantLocked polls a device authorization (RFC 8628 §3.4): an
// approved one yields tokens once; a pending one answers
// AuthorizationPendingException, or SlowDownException when polled sooner
// than the interval after the previous poll, which then grows by 5 s for
// every later poll (§3.5).
func (s *Server) deviceCodeGrantLocked(cl *ssoClient, in createTokenInput, now time.Time) (any, *restError) {
	d := s.idc.devices[in.DeviceCode]
	switch {
	case in.DeviceCode == "" || d == nil || d.client != cl || d.used:
		return nil, oidcError("InvalidGrantException", "Invalid device code provided")
	case !now.Before(d.expires):
		return nil, oidcError("ExpiredTokenException", "Device code has expired")
	case d.denied != "":
		return nil, oidcError("AccessDeniedException", d.denied)
	case d.user != nil:
		d.used = true
		return s.issueSSOTokensLocked(s.startSSOSessionLocked(d.user, now), cl, now), nil
	}
	tooSoon := !d.lastPoll.IsZero() && now.Sub(d.lastPoll) < d.interval
	d.lastPoll = now
	if tooSoon {
		d.interval += ssoSlowDownStep
		return nil, oidcError("SlowDownException", "Client is polling too fast")
	}
	return nil, oidcError("AuthorizationPendingException", "Authorization is still pending")
}

// authCodeGrantLocked exchanges an authorization code from /authorize: it
// must be this client's, unused and unexpired, with the redirect URI of
// the authorization and the PKCE verifier of its challenge (RFC 7636,
// S256). A code is spent by the first exchange that names it, failed or
// not; presenting it again also ends the session its tokens belong to
// (RFC 6749 §4.1.2).
func (s *Server) authCodeGrantLocked(cl *ssoClient, in createTokenInput, now time.Time) (any, *restError) {
	code := s.idc.codes[in.Code]
	switch {
	case in.Code == "" || code == nil || code.client != cl:
		return nil, oidcError("InvalidGrantException", "Invalid authorization code provided")
	case code.used:
		if code.session != nil {
			code.session.ended = true
		}
		return nil, oidcError("InvalidGrantException", "Authorization code has already been used")
	}
	code.used = true
	switch {
	case !now.Before(code.expires):
		return nil, oidcError("ExpiredTokenException", "Authorization code has expired")
	case in.CodeVerifier == "":
		return nil, oidcError("InvalidRequestException", "codeVerifier is required")
	case in.RedirectURI != code.redirectURI:
		return nil, oidcError("InvalidGrantException", "redirectUri does not match the authorization request")
	case !pkceMatches(in.CodeVerifier, code.challenge):
		return nil, oidcError("InvalidGrantException", "Code verifier does not match the code challenge")
	}
	code.session = s.startSSOSessionLocked(code.user, now)
	return s.issueSSOTokensLocked(code.session, cl, now), nil
}

// refreshGrantLocked exchanges a refresh token for new tokens within its
// session. Refresh tokens rotate: each is good for one exchange.
func (s *Server) refreshGrantLocked(cl *ssoClient, in createTokenInput, now time.Time) (any, *restError) {
	t := s.idc.refresh[in.RefreshToken]
	if in.RefreshToken == "" || !t.live(now) || t.client != cl {
		return nil, oidcError("InvalidGrantException", "Invalid refresh token provided")
	}
	t.used = true
	return s.issueSSOTokensLocked(t.session, cl, now), nil
}

// issueSSOTokensLocked issues an access token for the session and, for a
// client registered with sso:account:access, a refresh token. Refreshable
// access tokens last the server's token lifetime; others last as long as
// the session (8 h by default), as AWS issues them to clients registered
// without scopes. Neither outlives the session.
func (s *Server) issueSSOTokensLocked(sess *ssoSession, cl *ssoClient, now time.Time) createTokenOutput {
	expires := sess.ends
	if cl.refreshable() && now.Add(s.cfg.ssoTokenLife).Before(expires) {
		expires = now.Add(s.cfg.ssoTokenLife)
	}
	access := newOpaqueToken("aoa", 96)
	s.idc.access[access] = &ssoToken{session: sess, client: cl, expires: expires}
	out := createTokenOutput{AccessToken: access, TokenType: "Bearer", ExpiresIn: int64(expires.Sub(now) / time.Second)}
	if cl.refreshable() {
		out.RefreshToken = newOpaqueToken("aor", 96)
		s.idc.refresh[out.RefreshToken] = &ssoToken{session: sess, client: cl, expires: sess.ends}
	}
	return out
}

// pkceMatches checks a PKCE verifier against an S256 challenge:
// BASE64URL(SHA256(verifier)) without padding (RFC 7636 §4.6).
func pkceMatches(verifier, challenge string) bool {
	sum := sha256.Sum256([]byte(verifier))
	want := base64.RawURLEncoding.EncodeToString(sum[:])
	return subtle.ConstantTimeCompare([]byte(want), []byte(challenge)) == 1
}

// ApproveDevice approves the device authorization whose user code is
// userCode as the Identity Center user userName (an [Server.AddUser]
// name), as clicking Allow on the verification page does: the client's
// next CreateToken poll gets its tokens. The code may be typed in any case,
// with or without its dash. It fails for an unknown, expired, denied or
// already used code, or an unknown user.
func (s *Server) ApproveDevice(userCode, userName string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.decideDeviceLocked(userCode, userName, true, s.cfg.clock())
}

// decideDeviceLocked approves or denies a device authorization.
func (s *Server) decideDeviceLocked(userCode, userName string, allow bool, now time.Time) error {
	d := s.idc.userCodes[normalizeUserCode(userCode)]
	switch {
	case d == nil:
		return fmt.Errorf("ststest: no device authorization has user code %q", userCode)
	case !now.Before(d.expires):
		return fmt.Errorf("ststest: user code %q has expired", userCode)
	case d.used || d.denied != "":
		return fmt.Errorf("ststest: user code %q was already used or denied", userCode)
	}
	u := s.idcUserLocked(userName)
	if u == nil {
		return fmt.Errorf("ststest: no IAM Identity Center user %q (an AddUser name)", userName)
	}
	if !allow {
		d.denied = "The user denied the authorization"
		return nil
	}
	d.user = u
	return nil
}
