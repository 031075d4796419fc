package ststest

import (
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/awssession/awssession/internal/loopback"
)

// ssoCode is an authorization code /authorize issued.
type ssoCode struct {
	client      *ssoClient
	user        *userRecord
	redirectURI string
	challenge   string
	expires     time.Time
	used        bool
	session     *ssoSession // of the tokens it yielded
}

// authRequest is an authorization request (the authorization code flow
// with PKCE) the server accepted and has yet to answer: at once with
// [WithAutoApprove], else when a person chooses on the page.
type authRequest struct {
	signin      bool       // AWS Sign-In's /v1/authorize, else Identity Center's /authorize
	client      *ssoClient // Identity Center's registered client
	clientID    string     // Sign-In's client
	redirectURI string
	state       string
	challenge   string
}

// serveAuthorize answers GET /authorize, the authorization endpoint of
// SSO OIDC (RFC 6749 §4.1.1 with RFC 7636): client_id, redirect_uri,
// response_type=code, state, code_challenge, code_challenge_method=S256
// and scopes (space separated). A request that names no registered
// client or a redirect URI the client did not register gets an error page
// (RFC 6749 §4.1.2.1 forbids redirecting it); other faults are sent to
// the redirect URI as error=…; a good one is approved at once with
// WithAutoApprove, else the page asks who signs in. A loopback redirect
// URI matches a registered one on any port (RFC 8252 §7.3).
func (s *Server) serveAuthorize(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	requestID := newRequestID()
	idx := s.recordStart(r, loggedParams(q, nil), "sso-oidc:Authorize", requestID)
	s.mu.Lock()
	rp := s.authorizeLocked(q, s.cfg.clock())
	s.mu.Unlock()
	s.recordEnd(idx, requestID, rp.send(w, r), "", false)
}

func (s *Server) authorizeLocked(q url.Values, now time.Time) reply {
	cl := s.idc.clients[q.Get("client_id")]
	redirect := q.Get("redirect_uri")
	if cl == nil || !now.Before(cl.expires) {
		return pageReply(http.StatusBadRequest, errorPage("Unknown or expired client_id."))
	}
	if !slices.ContainsFunc(cl.redirectURIs, func(reg string) bool { return redirectMatches(reg, redirect) }) {
		return pageReply(http.StatusBadRequest, errorPage("redirect_uri is not registered for this client."))
	}
	req := &authRequest{client: cl, redirectURI: redirect, state: q.Get("state"), challenge: q.Get("code_challenge")}
	var scopes []string
	if v := q.Get("scopes"); v != "" {
		scopes = strings.Fields(v)
	}
	switch {
	case q.Get("response_type") != "code":
		return redirectError(req, "unsupported_response_type", "response_type must be code")
	case !cl.allows(grantAuthCode):
		return redirectError(req, "unauthorized_client", "client is not registered for the authorization_code grant")
	case req.challenge == "" || q.Get("code_challenge_method") != "S256":
		return redirectError(req, "invalid_request", "code_challenge with code_challenge_method S256 is required")
	case slices.ContainsFunc(scopes, func(sc string) bool { return !slices.Contains(cl.scopes, sc) }):
		return redirectError(req, "invalid_scope", "scopes were not registered for this client")
	}
	return s.answerAuthRequestLocked(req, now)
}

// answerAuthRequestLocked approves at once as the WithAutoApprove user, or
// shows the page that asks.
func (s *Server) answerAuthRequestLocked(req *authRequest, now time.Time) reply {
	name := s.cfg.autoApprove
	if name == "" {
		return s.authorizePageLocked(req, now)
	}
	u := s.users[name]
	if !req.signin {
		u = s.idcUserLocked(name)
	}
	if u == nil {
		return redirectError(req, "access_denied", "ststest: WithAutoApprove names no user "+name)
	}
	return s.approveAuthRequestLocked(req, u, now)
}

// approveAuthRequestLocked issues a code for user and sends the browser
// to the redirect URI with it and the state.
func (s *Server) approveAuthRequestLocked(req *authRequest, u *userRecord, now time.Time) reply {
	code := newOpaqueToken("", 48)
	if req.signin {
		s.signIn.codes[code] = &loginCode{clientID: req.clientID, user: u, redirectURI: req.redirectURI,
			challenge: req.challenge, expires: now.Add(loginCodeLifetime)}
	} else {
		s.idc.codes[code] = &ssoCode{client: req.client, user: u, redirectURI: req.redirectURI,
			challenge: req.challenge, expires: now.Add(ssoCodeLifetime)}
	}
	return redirectWith(req.redirectURI, url.Values{"code": {code}, "state": {req.state}})
}

// redirectError sends an authorization error to the client's redirect
// URI (RFC 6749 §4.1.2.1).
func redirectError(req *authRequest, code, description string) reply {
	return redirectWith(req.redirectURI, url.Values{"error": {code}, "error_description": {description}, "state": {req.state}})
}

func redirectWith(target string, params url.Values) reply {
	u, _ := url.Parse(target) // checked when the request was accepted
	q := u.Query()
	for k, vs := range params {
		q[k] = vs
	}
	u.RawQuery = q.Encode()
	return reply{status: http.StatusFound, location: u.String()}
}

// redirectMatches reports whether a redirect URI sent to /authorize
// matches a registered one: the same string, or for http to a loopback
// IP address the same URI on any port (RFC 8252 §7.3).
func redirectMatches(registered, got string) bool {
	if registered == got {
		return true
	}
	reg, err1 := url.Parse(registered)
	u, err2 := url.Parse(got)
	if err1 != nil || err2 != nil || reg.Scheme != "http" || u.Scheme != "http" || u.User != nil {
		return false
	}
	return loopback.IsHost(reg.Hostname()) && reg.Hostname() != "localhost" &&
		reg.Hostname() == u.Hostname() && reg.Path == u.Path && reg.RawQuery == u.RawQuery
}
