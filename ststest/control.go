package ststest

import (
	"encoding/json"
	"net/http"
	"time"
)

// Test controls for clients in other languages (awssession sts-server):
// what a Go test does with a method, over HTTP. They are not AWS APIs and
// are not recorded in [Server.Requests].
const (
	// POST ?user_code=CODE&user=NAME: [Server.ApproveDevice]; 204, or 400
	// with the reason as text.
	approvePath = "/ststest/sso/approve"
	// GET ?user=NAME: [Server.LoginSession] as text; 404 for no such user.
	loginSessionPath = "/ststest/login-session"
	// GET: [Server.Requests] as JSON, without parameters (they may hold
	// secrets).
	requestsPath = "/ststest/requests"
)

// loggedRequest is one entry of GET /ststest/requests.
type loggedRequest struct {
	Time        time.Time `json:"time"`
	Method      string    `json:"method"`
	Action      string    `json:"action"`
	Status      int       `json:"status"`
	ErrorCode   string    `json:"errorCode,omitempty"`
	AccessKeyID string    `json:"accessKeyId,omitempty"`
	RequestID   string    `json:"requestId"`
	Fault       bool      `json:"fault,omitempty"`
}

// serveControl answers the test controls and reports whether r was one.
func (s *Server) serveControl(w http.ResponseWriter, r *http.Request) bool {
	switch r.URL.Path {
	case approvePath:
		if r.Method != http.MethodPost {
			http.Error(w, "use POST", http.StatusMethodNotAllowed)
			return true
		}
		q := r.URL.Query()
		if err := s.ApproveDevice(q.Get("user_code"), q.Get("user")); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return true
		}
		w.WriteHeader(http.StatusNoContent)
	case loginSessionPath:
		s.mu.Lock()
		u := s.users[r.URL.Query().Get("user")]
		s.mu.Unlock()
		if u == nil || u.root {
			http.Error(w, "ststest: no such user", http.StatusNotFound)
			return true
		}
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		_, _ = w.Write([]byte(u.arn))
	case requestsPath:
		log := []loggedRequest{}
		for _, req := range s.Requests() {
			log = append(log, loggedRequest{req.Time, req.Method, req.Action, req.Status, req.ErrorCode,
				req.AccessKeyID, req.RequestID, req.Fault})
		}
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(log)
	default:
		return false
	}
	return true
}
