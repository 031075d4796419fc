package ststest

import (
	"net/http"
	"net/url"
	"strings"
	"time"
)

// Paths of AWS Sign-In's endpoints for `aws login` (console credentials).
const (
	signinTokenPath        = "/v1/token"
	signinAuthorizePath    = "/v1/authorize"
	signinConfirmationPath = "/v1/sessions/confirmation"
)

// The two clients of Sign-In's developer-tools flow: a browser on the same
// machine (loopback redirect) or on another one (the code is pasted back).
const (
	signinSameDevice  = "arn:aws:signin:::devtools/same-device"
	signinCrossDevice = "arn:aws:signin:::devtools/cross-device"
)

// Lifetimes of Sign-In's objects: credentials (at most 900 s, the API
// model's bound on expiresIn), login sessions (12 h, as AWS documents for
// `aws login`), authorization codes (a guess).
const (
	maxLoginCredentialLifetime = 900 * time.Second
	loginSessionLifetime       = 12 * time.Hour
	loginCodeLifetime          = 5 * time.Minute
)

// signInService is the server's AWS Sign-In. It is guarded by Server.mu.
type signInService struct {
	codes   map[string]*loginCode
	refresh map[string]*loginRefresh
	jtis    map[string]time.Time // DPoP proof IDs seen, by when they may be forgotten
}

func newSignInService() signInService {
	return signInService{codes: map[string]*loginCode{}, refresh: map[string]*loginRefresh{}, jtis: map[string]time.Time{}}
}

// loginSession is a console sign-in a developer tool holds: its refresh
// tokens work until ends, or until the user's credentials change.
type loginSession struct {
	user               *userRecord
	ends               time.Time
	credentialsChanged bool
}

// loginCode is an authorization code /v1/authorize issued.
type loginCode struct {
	clientID, redirectURI, challenge string
	user                             *userRecord
	expires                          time.Time
	used                             bool
}

// loginRefresh is a refresh token, bound to the DPoP key whose RFC 7638
// thumbprint is jkt. It is exchanged once; presented again while the
// credentials of that exchange last, it gets the same answer (the API
// documents the refresh flow as idempotent within the token's validity
// window), and after that TOKEN_EXPIRED.
type loginRefresh struct {
	session  *loginSession
	clientID string
	jkt      string
	used     bool
	replay   *loginTokenOutput
	replayTo time.Time
}

// LoginSession returns the login session an authorization at the Sign-In
// endpoint as userName (an [Server.AddUser] name) yields: the user's ARN,
// the sub of the ID token, which `aws login` writes into the profile as
// login_session and hashes (SHA-256) to name its cache file. It panics
// if the user does not exist.
func (s *Server) LoginSession(userName string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.mustUserLocked("LoginSession", userName).arn
}

// ChangePassword stands for a change of userName's console password: every
// Sign-In session of the user ends, and refreshing one answers
// AccessDeniedException with error USER_CREDENTIALS_CHANGED. Identity
// Center sessions and issued credentials are not affected. It panics if
// the user does not exist.
func (s *Server) ChangePassword(userName string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	u := s.mustUserLocked("ChangePassword", userName)
	for _, t := range s.signIn.refresh {
		if t.session.user == u {
			t.session.credentialsChanged = true
		}
	}
}

// signinInvalid is Sign-In's ValidationException (400, INVALID_REQUEST).
func signinInvalid(message string) *restError {
	return serviceSignin.err(http.StatusBadRequest, "ValidationException", "INVALID_REQUEST", message)
}

// signinDenied is Sign-In's AccessDeniedException, whose status depends on
// its error: 401 for TOKEN_EXPIRED and AUTHCODE_EXPIRED, 403 for
// USER_CREDENTIALS_CHANGED (the API model's mapping).
func signinDenied(code, message string) *restError {
	status := http.StatusUnauthorized
	if code == "USER_CREDENTIALS_CHANGED" || code == "INSUFFICIENT_PERMISSIONS" {
		status = http.StatusForbidden
	}
	return serviceSignin.err(status, "AccessDeniedException", code, message)
}

type loginTokenInput struct {
	ClientID     string `json:"clientId"`
	GrantType    string `json:"grantType"`
	Code         string `json:"code"`
	RedirectURI  string `json:"redirectUri"`
	CodeVerifier string `json:"codeVerifier"`
	RefreshToken string `json:"refreshToken"`
}

type loginAccessToken struct {
	AccessKeyID     string `json:"accessKeyId"`
	SecretAccessKey string `json:"secretAccessKey"`
	SessionToken    string `json:"sessionToken"`
}

type loginTokenOutput struct {
	AccessToken  loginAccessToken `json:"accessToken"`
	TokenType    string           `json:"tokenType"`
	ExpiresIn    int64            `json:"expiresIn"`
	RefreshToken string           `json:"refreshToken"`
	IDToken      string           `json:"idToken,omitempty"`
}

// readLoginTokenInput reads CreateOAuth2Token's body, JSON as the SDKs
// send it, or a form with OAuth's names, which the API also takes.
func readLoginTokenInput(r *http.Request, body []byte) (loginTokenInput, bool) {
	var in loginTokenInput
	if !strings.HasPrefix(r.Header.Get("Content-Type"), "application/x-www-form-urlencoded") {
		return in, decodeJSON(body, &in)
	}
	form, err := url.ParseQuery(string(body))
	if err != nil {
		return in, false
	}
	return loginTokenInput{ClientID: form.Get("client_id"), GrantType: form.Get("grant_type"), Code: form.Get("code"),
		RedirectURI: form.Get("redirect_uri"), CodeVerifier: form.Get("code_verifier"), RefreshToken: form.Get("refresh_token")}, true
}

// createOAuth2Token is Sign-In's token endpoint for developer tools
// (unsigned, as the API allows for its public clients). Every request
// must carry a DPoP proof (RFC 9449) for this URL; the key it proves
// binds the refresh token. The other operations at this path (a query of
// x-amz-client-auth-method or x-amz-oauth-token-method, SigV4-signed) are
// not modelled.
func (s *Server) createOAuth2Token(c *restCall) (any, *restError) {
	if c.r.URL.RawQuery != "" {
		return nil, signinInvalid("ststest: only the developer-tools CreateOAuth2Token is modelled")
	}
	in, ok := readLoginTokenInput(c.r, c.body)
	switch {
	case !ok:
		return nil, signinInvalid("The request body is malformed")
	case in.ClientID != signinSameDevice && in.ClientID != signinCrossDevice:
		return nil, signinInvalid("Invalid clientId")
	case in.GrantType != grantAuthCode && in.GrantType != grantRefresh:
		return nil, signinInvalid("Invalid grantType")
	}
	jkt, reason := s.verifyDPoPLocked(c.r.Header.Get("DPoP"), "http://"+c.r.Host+c.r.URL.Path, c.now)
	if reason != "" {
		return nil, signinInvalid("Invalid DPoP proof: " + reason)
	}
	if in.GrantType == grantAuthCode {
		return s.loginCodeGrantLocked(in, jkt, c.now)
	}
	return s.loginRefreshGrantLocked(in, jkt, c.now)
}

// loginCodeGrantLocked redeems an authorization code: once, before it
// expires, by the client it was issued to, with its redirect URI and PKCE
// verifier (43 to 128 unreserved characters).
func (s *Server) loginCodeGrantLocked(in loginTokenInput, jkt string, now time.Time) (any, *restError) {
	code := s.signIn.codes[in.Code]
	switch {
	case in.Code == "" || code == nil:
		return nil, signinInvalid("Invalid authorization code")
	case code.used || !now.Before(code.expires):
		return nil, signinDenied("AUTHCODE_EXPIRED", "The authorization code has expired")
	}
	code.used = true
	switch {
	case in.ClientID != code.clientID:
		return nil, signinInvalid("clientId does not match the authorization request")
	case in.RedirectURI != code.redirectURI:
		return nil, signinInvalid("redirectUri does not match the authorization request")
	case len(in.CodeVerifier) < 43 || len(in.CodeVerifier) > 128 || !pkceMatches(in.CodeVerifier, code.challenge):
		return nil, signinInvalid("codeVerifier does not match the code challenge")
	}
	sess := &loginSession{user: code.user, ends: now.Add(loginSessionLifetime)}
	out, e := s.loginTokensLocked(sess, in.ClientID, jkt, now)
	if e != nil {
		return nil, e
	}
	out.IDToken = s.signJWT(map[string]any{
		"iss": s.issuerURL(), "sub": sess.user.arn, "aud": in.ClientID,
		"iat": now.Unix(), "exp": sess.ends.Unix(),
	})
	return out, nil
}

// loginRefreshGrantLocked exchanges a refresh token, proved with the key
// it is bound to, for new credentials and a new refresh token.
func (s *Server) loginRefreshGrantLocked(in loginTokenInput, jkt string, now time.Time) (any, *restError) {
	t := s.signIn.refresh[in.RefreshToken]
	switch {
	case in.RefreshToken == "" || t == nil || t.clientID != in.ClientID:
		return nil, signinInvalid("Invalid refresh token")
	case t.jkt != jkt:
		return nil, signinInvalid("The DPoP proof's key is not the key the refresh token is bound to")
	case t.session.credentialsChanged:
		return nil, signinDenied("USER_CREDENTIALS_CHANGED", "The user's credentials have changed")
	case !now.Before(t.session.ends):
		return nil, signinDenied("TOKEN_EXPIRED", "The login session has expired")
	case t.used && now.Before(t.replayTo):
		again := *t.replay
		again.ExpiresIn = int64(t.replayTo.Sub(now) / time.Second)
		return &again, nil
	case t.used:
		return nil, signinDenied("TOKEN_EXPIRED", "The refresh token has expired")
	}
	out, e := s.loginTokensLocked(t.session, in.ClientID, jkt, now)
	if e != nil {
		return nil, e
	}
	t.used, t.replay, t.replayTo = true, out, now.Add(time.Duration(out.ExpiresIn)*time.Second)
	return out, nil
}

// loginTokensLocked issues the user's session credentials (what the STS
// recognises as the IAM user, like GetSessionToken's) for the login
// credential lifetime, never past the session's end, and a refresh token
// bound to jkt.
func (s *Server) loginTokensLocked(sess *loginSession, clientID, jkt string, now time.Time) (*loginTokenOutput, *restError) {
	d := min(s.cfg.loginLife, sess.ends.Sub(now))
	if d < time.Second {
		return nil, signinDenied("TOKEN_EXPIRED", "The login session has expired")
	}
	creds := s.issueLocked(userPrincipal(sess.user), now, d)
	refresh := newOpaqueToken("ASOR", 96)
	s.signIn.refresh[refresh] = &loginRefresh{session: sess, clientID: clientID, jkt: jkt}
	return &loginTokenOutput{
		AccessToken:  loginAccessToken{creds.accessKeyID, creds.secret, creds.token},
		TokenType:    "aws_sigv4",
		ExpiresIn:    int64(creds.expires.Sub(now) / time.Second),
		RefreshToken: refresh,
	}, nil
}
