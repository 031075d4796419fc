package ststest

import (
	"encoding/base64"
	"net/http"
	"net/url"
	"time"

	"github.com/awssession/awssession/internal/loopback"
)

// serveSigninAuthorize answers GET /v1/authorize as the AWS CLI's
// `aws login` calls it: response_type=code, client_id (the same-device or
// cross-device client), state, code_challenge, code_challenge_method
// (the CLI sends SHA-256; S256 is taken too), scope=openid and
// redirect_uri. The same-device client must redirect to
// http://127.0.0.1:PORT/oauth/callback (any loopback host and port: the
// rule AWS applies is not documented); the cross-device client to this
// server's /v1/sessions/confirmation page, which shows the code to paste
// back. A bad client or redirect URI gets an error page; other faults are
// sent to the redirect URI. With [WithAutoApprove] it redirects at once,
// else the page asks who signs in.
func (s *Server) serveSigninAuthorize(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	requestID := newRequestID()
	idx := s.recordStart(r, loggedParams(q, nil), "signin:Authorize", requestID)
	s.mu.Lock()
	rp := s.signinAuthorizeLocked(q, "http://"+r.Host, s.cfg.clock())
	s.mu.Unlock()
	s.recordEnd(idx, requestID, rp.send(w, r), "", false)
}

// signinAuthorizeLocked decides; base is the server's URL as the client
// reached it.
func (s *Server) signinAuthorizeLocked(q url.Values, base string, now time.Time) reply {
	req := &authRequest{signin: true, clientID: q.Get("client_id"), redirectURI: q.Get("redirect_uri"),
		state: q.Get("state"), challenge: q.Get("code_challenge")}
	switch req.clientID {
	case signinSameDevice:
		u, err := url.Parse(req.redirectURI)
		if err != nil || u.Scheme != "http" || u.User != nil || !loopback.IsHost(u.Hostname()) || u.Path != "/oauth/callback" {
			return pageReply(http.StatusBadRequest, errorPage("redirect_uri must be http://127.0.0.1:PORT/oauth/callback for the same-device client."))
		}
	case signinCrossDevice:
		if req.redirectURI != base+signinConfirmationPath {
			return pageReply(http.StatusBadRequest, errorPage("redirect_uri must be this server's "+signinConfirmationPath+" for the cross-device client."))
		}
	default:
		return pageReply(http.StatusBadRequest, errorPage("Unknown client_id."))
	}
	method := q.Get("code_challenge_method")
	switch {
	case q.Get("response_type") != "code":
		return redirectError(req, "unsupported_response_type", "response_type must be code")
	case req.challenge == "" || (method != "SHA-256" && method != "S256"):
		return redirectError(req, "invalid_request", "code_challenge with code_challenge_method SHA-256 is required")
	}
	return s.answerAuthRequestLocked(req, now)
}

// serveSigninConfirmation shows the cross-device client's verification
// code: base64 of "code=…&state=…", which the AWS CLI's `aws login
// --remote` reads back from the person.
func (s *Server) serveSigninConfirmation(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	if q.Get("error") != "" {
		pageReply(http.StatusOK, errorPage("Sign-in was refused: "+q.Get("error_description"))).send(w, r)
		return
	}
	code := base64.StdEncoding.EncodeToString([]byte(url.Values{"code": {q.Get("code")}, "state": {q.Get("state")}}.Encode()))
	pageReply(http.StatusOK, page{Title: "AWS Sign-In (ststest)", Message: "Enter this code in your terminal:", Code: code}).send(w, r)
}
