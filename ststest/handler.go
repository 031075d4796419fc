package ststest

import (
	"io"
	"net/http"
	"net/url"
	"time"
)

// call is one authenticated operation being served.
type call struct {
	caller principal
	params url.Values
	now    time.Time
}

// operation serves one STS action. It runs with s.mu held and returns
// the <OpResult> element or the error to send.
type operation func(s *Server, c *call) (any, *apiError)

// operations are the signed actions the server implements.
var operations = map[string]operation{
	"GetSessionToken":    (*Server).getSessionToken,
	"AssumeRole":         (*Server).assumeRole,
	"GetFederationToken": (*Server).getFederationToken,
	"GetCallerIdentity":  (*Server).getCallerIdentity,
	"GetAccessKeyInfo":   (*Server).getAccessKeyInfo,
}

// unsignedOperations are the actions STS serves without a signature: they
// are routed before authentication, as STS routes them, so that a request
// with no Authorization header is answered by the operation instead of
// with MissingAuthenticationToken. Their call has no caller.
var unsignedOperations = map[string]operation{
	"AssumeRoleWithWebIdentity": (*Server).assumeRoleWithWebIdentity,
	"AssumeRoleWithSAML":        (*Server).assumeRoleWithSAML,
}

// apiVersion is the only Version of the STS Query API.
const apiVersion = "2011-06-15"

// serveHTTP serves one STS request: it records it, applies any injected
// fault, authenticates the caller, dispatches on Action and writes the
// XML response. Requests for /federation go to the console federation
// endpoint (see [Server.FederationURL]).
func (s *Server) serveHTTP(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path == federationPath {
		s.serveFederation(w, r)
		return
	}
	if s.serveOIDC(w, r) {
		return
	}
	if s.serveSAML(w, r) {
		return
	}
	// IAM Identity Center, AWS Sign-In and their test controls.
	if s.serveREST(w, r) || s.serveLoginPages(w, r) || s.serveControl(w, r) {
		return
	}
	body, params, readErr := readRequest(r)
	requestID := newRequestID()
	action := params.Get("Action")
	idx := s.recordStart(r, params, action, requestID)

	status, code, fault := s.serve(w, r, body, params, action, requestID, readErr)
	s.recordEnd(idx, requestID, status, code, fault)
}

// serve does the work of serveHTTP and reports the status and error code
// sent, and whether an injected fault decided them.
func (s *Server) serve(w http.ResponseWriter, r *http.Request, body []byte, params url.Values, action, requestID string, readErr *apiError) (int, string, bool) {
	if f, ok := s.takeFault(action); ok {
		if !s.wait(r, f.Latency) {
			return 0, "", true // the client or Close gave up first
		}
		if f.Status != 0 {
			e := &apiError{f.Status, f.Code, f.Message}
			writeError(w, e, requestID, s.cfg.clock())
			return e.status, e.code, true
		}
	}

	s.mu.Lock()
	now := s.cfg.clock()
	result, e := s.handleLocked(r, body, params, action, now, readErr)
	s.mu.Unlock()

	if e != nil {
		writeError(w, e, requestID, now)
		return e.status, e.code, false
	}
	writeResult(w, action, requestID, now, result)
	return http.StatusOK, "", false
}

func (s *Server) handleLocked(r *http.Request, body []byte, params url.Values, action string, now time.Time, readErr *apiError) (any, *apiError) {
	if readErr != nil {
		return nil, readErr
	}
	if op := unsignedOperations[action]; op != nil {
		if e := checkVersion(params); e != nil {
			return nil, e
		}
		return op(s, &call{params: params, now: now})
	}
	if e := unmodelledAction(params); e != nil {
		return nil, e
	}
	caller, e := s.authenticateLocked(r, body, now)
	if e != nil {
		return nil, e
	}
	if !params.Has("Action") {
		return nil, &apiError{http.StatusBadRequest, "MissingAction", msgMissingAction}
	}
	if e := checkVersion(params); e != nil {
		return nil, e
	}
	op := operations[action]
	if op == nil || params.Get("Version") != apiVersion {
		return nil, invalidAction(action, params.Get("Version"))
	}
	return op(s, &call{caller: caller, params: params, now: now})
}

// checkVersion refuses a request without the Version parameter, which
// every Query API requires (CommonParameters).
func checkVersion(params url.Values) *apiError {
	if !params.Has("Version") {
		return &apiError{http.StatusBadRequest, "MissingParameter", msgMissingVersion}
	}
	return nil
}

// wait sleeps for d unless the request's context ends or the server
// closes first, and reports whether the whole delay passed.
func (s *Server) wait(r *http.Request, d time.Duration) bool {
	if d <= 0 {
		return true
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-r.Context().Done():
		return false
	case <-s.done:
		return false
	}
}

// readRequest returns the body and the Query-protocol parameters: the
// URL query merged with a form-encoded body, as AWS accepts both GET and
// POST.
func readRequest(r *http.Request) ([]byte, url.Values, *apiError) {
	params := r.URL.Query()
	body, err := io.ReadAll(r.Body) // guard has read it, within maxRequestBody
	if err != nil {
		return body, params, &apiError{http.StatusBadRequest, "MalformedQueryString", "The request body could not be read."}
	}
	if r.Method == http.MethodPost && len(body) > 0 {
		form, err := url.ParseQuery(string(body))
		if err != nil {
			return body, params, &apiError{http.StatusBadRequest, "MalformedQueryString", "The request body is not a valid form-encoded query string."}
		}
		for k, vs := range form {
			params[k] = append(params[k], vs...)
		}
	}
	return body, params, nil
}
