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
	now := s.cfg.clock()
	status := s.signinAuthorizeLocked(w, r, q, now)
	s.mu.Unlock()
	s.recordEnd(idx, requestID, status, "", false)
}

func (s *Server) signinAuthorizeLocked(w http.ResponseWriter, r *http.Request, q url.Values, now time.Time) int {
	req := &authRequest{signin: true, clientID: q.Get("client_id"), redirectURI: q.Get("redirect_uri"),
		state: q.Get("state"), challenge: q.Get("code_challenge")}
	switch req.clientID {
	case signinSameDevice:
		u, err := url.Parse(req.redirectURI)
		if err != nil || u.Scheme != "http" || u.User != nil || !loopback.IsHost(u.Hostname()) || u.Path != "/oauth/callback" {
			return writePage(w, http.StatusBadRequest, errorPage("redirect_uri must be http://127.0.0.1:PORT/oauth/callback for the same-device client."))
		}
	case signinCrossDevice:
		if req.redirectURI != "http://"+r.Host+signinConfirmationPath {
			return writePage(w, http.StatusBadRequest, errorPage("redirect_uri must be this server's "+signinConfirmationPath+" for the cross-device client."))
		}
	default:
		return writePage(w, http.StatusBadRequest, errorPage("Unknown client_id."))
	}
	method := q.Get("code_challenge_method")
	switch {
	case q.Get("response_type") != "code":
		return redirectError(w, r, req, "unsupported_response_type", "response_type must be code")
	case req.challenge == "" || (method != "SHA-256" && method != "S256"):
		return redirectError(w, r, req, "invalid_request", "code_challenge with code_challenge_method SHA-256 is required")
	}
	return s.answerAuthRequestLocked(w, r, req, now)
}

// serveSigninConfirmation shows the cross-device client's verification
// code: base64 of "code=…&state=…", which the AWS CLI's `aws login
// --remote` reads back from the person.
func (s *Server) serveSigninConfirmation(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	if q.Get("error") != "" {
		writePage(w, http.StatusOK, errorPage("Sign-in was refused: "+q.Get("error_description")))
		return
	}
	code := base64.StdEncoding.EncodeToString([]byte(url.Values{"code": {q.Get("code")}, "state": {q.Get("state")}}.Encode()))
	writePage(w, http.StatusOK, page{Title: "AWS Sign-In (ststest)", Message: "Enter this code in your terminal:", Code: code})
}
