package ststest

import (
	"net/http"
	"net/url"
	"time"
)

// Request is one HTTP request the server received, as [Server.Requests]
// reports it.
type Request struct {
	// Time is the server clock when the request arrived.
	Time time.Time
	// Method is the HTTP method, POST or GET.
	Method string
	// Action is the Action parameter, as sent (possibly empty or unknown).
	// For IAM Identity Center and AWS Sign-In it is the service and
	// operation, such as "sso-oidc:CreateToken", "sso:GetRoleCredentials"
	// or "signin:CreateOAuth2Token" ("sso-oidc:Authorize" and
	// "signin:Authorize" for their authorize endpoints).
	Action string
	// Params are all the Query parameters, Action and Version included.
	// For the REST-JSON services they are the query string and the body's
	// string members, without secrets (client secrets, codes, verifiers,
	// device codes, refresh tokens). It is the caller's own copy.
	Params url.Values
	// AccessKeyID is the key named in the Authorization header, valid or
	// not; empty for an unsigned request. For getSigninToken it is the
	// sessionId of the Session parameter.
	AccessKeyID string
	// Status is the HTTP status sent; 0 while the request is in flight or
	// if the client went away during an injected delay.
	Status int
	// ErrorCode is the STS error code sent, empty on success. For the
	// federation endpoint, which sends no code, it is the reason the
	// server refused (FederationInvalidCredentials and the others).
	ErrorCode string
	// RequestID is the request ID sent in x-amzn-RequestId.
	RequestID string
	// Fault reports whether an injected [Fault] answered or delayed it.
	Fault bool
}

// Requests returns every request received so far, in order of arrival,
// failed ones included (bad signatures, validation errors, injected
// faults).
func (s *Server) Requests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Request, len(s.requests))
	for i, r := range s.requests {
		r.Params = cloneValues(r.Params)
		out[i] = r
	}
	return out
}

// ResetRequests forgets the requests received so far.
func (s *Server) ResetRequests() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.requests = nil
}

// CountRequests returns how many requests for action were received; ""
// counts all of them.
func (s *Server) CountRequests(action string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for _, r := range s.requests {
		if action == "" || r.Action == action {
			n++
		}
	}
	return n
}

// recordStart logs a request as it arrives and returns its index.
func (s *Server) recordStart(r *http.Request, params url.Values, action, requestID string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.requests = append(s.requests, Request{
		Time:        s.cfg.clock(),
		Method:      r.Method,
		Action:      action,
		Params:      cloneValues(params),
		AccessKeyID: accessKeyIDOf(r),
		RequestID:   requestID,
	})
	return len(s.requests) - 1
}

// recordEnd completes the log entry with what was sent. An entry
// forgotten by ResetRequests in the meantime is left alone.
func (s *Server) recordEnd(idx int, requestID string, status int, code string, fault bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if idx >= len(s.requests) || s.requests[idx].RequestID != requestID {
		return
	}
	r := &s.requests[idx]
	r.Status, r.ErrorCode, r.Fault = status, code, fault
}

func cloneValues(v url.Values) url.Values {
	out := make(url.Values, len(v))
	for k, vs := range v {
		out[k] = append([]string(nil), vs...)
	}
	return out
}
