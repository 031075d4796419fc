package ststest

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"html"
	"net/http"
	"net/url"
	"strconv"
	"time"
)

// federationPath is where the server serves the console federation
// endpoint, as signin.aws.amazon.com does.
const federationPath = "/federation"

// Console session limits of the federation endpoint (IAM User Guide,
// "Enable custom identity broker access to the AWS console").
const (
	// SigninTokenLifetime is how long a sign-in token can be used.
	SigninTokenLifetime = 15 * time.Minute
	// MinConsoleSession and MaxConsoleSession bound SessionDuration.
	MinConsoleSession = 900 * time.Second
	MaxConsoleSession = 43200 * time.Second
)

// Reasons the federation endpoint refuses a request. AWS answers a refusal
// with an HTTP status and an HTML page and no error code; the server
// records why it refused in [Request.ErrorCode] so that tests can tell the
// cases apart.
const (
	// FederationMalformed: an unknown Action, a missing parameter, a
	// Session that is not the JSON AWS expects, a Destination that is not
	// an absolute URL.
	FederationMalformed = "MalformedFederationRequest"
	// FederationInvalidCredentials: an unknown access key, a wrong secret
	// key or session token, or long-term keys (no session token).
	FederationInvalidCredentials = "InvalidCredentials"
	// FederationExpiredCredentials: temporary credentials past their
	// expiration.
	FederationExpiredCredentials = "ExpiredCredentials"
	// FederationSessionTokenCredentials: GetSessionToken credentials,
	// which the console does not accept.
	FederationSessionTokenCredentials = "SessionTokenCredentials"
	// FederationInvalidDuration: SessionDuration that is not a whole
	// number of seconds in range, or sent with GetFederationToken
	// credentials or with a role session assumed with temporary
	// credentials (role chaining).
	FederationInvalidDuration = "InvalidSessionDuration"
	// FederationInvalidSigninToken: a login with a sign-in token the server
	// did not issue, that expired or that was already used.
	FederationInvalidSigninToken = "InvalidSigninToken"
)

// ConsoleSession is a console sign-in granted by the server's federation
// endpoint, as [Server.SigninSession] reports it.
type ConsoleSession struct {
	// ARN is who the console acts as: an assumed-role or federated-user
	// ARN.
	ARN string
	// AccessKeyID is the temporary access key exchanged for the token.
	AccessKeyID string
	// SessionDuration is the SessionDuration sent, 0 when none was.
	SessionDuration time.Duration
	// TokenExpires is when the sign-in token stops working.
	TokenExpires time.Time
	// Expires is when the console session ends: SessionDuration after
	// the token was issued, or else when the credentials expire.
	Expires time.Time
	// SignedIn reports that the login URL was followed; Issuer and
	// Destination are what that request sent.
	SignedIn            bool
	Issuer, Destination string
}

type signin struct {
	ConsoleSession
	token string
}

// FederationURL returns the URL of the server's console federation
// endpoint, the stand-in for https://signin.aws.amazon.com/federation.
//
// It serves GET (and form POST) requests with Action=getSigninToken,
// which exchanges temporary credentials the server issued for a sign-in
// token, and Action=login, which redirects (302) to Destination when the
// token is good. It applies the rules AWS documents: role and
// GetFederationToken credentials only; SessionDuration 900 to 43,200
// seconds, and only for role sessions not assumed with temporary
// credentials; a token lasts 15 minutes ([SigninTokenLifetime]).
// Refusals are HTTP 400 with an HTML page, as at AWS; the reason is in
// [Request.ErrorCode] (see [FederationInvalidCredentials] and the
// others). A sign-in token can be used for one login: AWS does not
// document whether it can be reused, so tests should not rely on it.
//
// Requests to it are recorded in [Server.Requests] like STS calls, with
// Action "getSigninToken" or "login", and faults injected for those
// actions apply to them.
func (s *Server) FederationURL() string { return s.URL + federationPath }

// SigninSession reports the console session a sign-in token stands for,
// and false if the server never issued token.
func (s *Server) SigninSession(token string) (ConsoleSession, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	si, ok := s.signins[token]
	if !ok {
		return ConsoleSession{}, false
	}
	return si.ConsoleSession, true
}

// fedError is a refusal: the status sent, the page's message and the
// reason recorded.
type fedError struct {
	status          int
	message, reason string
}

func badRequest(reason, message string) *fedError {
	return &fedError{http.StatusBadRequest, message, reason}
}

// msgInvalidCredentials is the page AWS shows for bad credentials and
// refused SessionDuration values (AWS Knowledge Center,
// "invalid-credentials-parameter"; 99designs/aws-vault#77).
const msgInvalidCredentials = "Invalid credentials parameter"

// serveFederation serves one request to the federation endpoint.
func (s *Server) serveFederation(w http.ResponseWriter, r *http.Request) {
	_, params, readErr := readRequest(r)
	requestID := newRequestID()
	action := params.Get("Action")
	idx := s.recordStart(r, params, action, requestID)

	status, reason, fault := s.federate(w, r, params, action, idx, requestID, readErr != nil)
	s.recordEnd(idx, requestID, status, reason, fault)
}

func (s *Server) federate(w http.ResponseWriter, r *http.Request, params url.Values, action string, idx int, requestID string, unreadable bool) (int, string, bool) {
	if f, ok := s.takeFault(action); ok {
		if !s.wait(r, f.Latency) {
			return 0, "", true
		}
		if f.Status != 0 {
			writeFederationError(w, &fedError{f.Status, f.Message, f.Code})
			return f.Status, f.Code, true
		}
	}
	var e *fedError
	switch {
	case unreadable || (r.Method != http.MethodGet && r.Method != http.MethodPost):
		e = badRequest(FederationMalformed, "Bad Request")
	case action == "getSigninToken":
		var token string
		if token, e = s.getSigninToken(params, idx, requestID); e == nil {
			w.Header().Set("Content-Type", "application/json")
			body, _ := json.Marshal(struct{ SigninToken string }{token})
			_, _ = w.Write(body)
			return http.StatusOK, "", false
		}
	case action == "login":
		var dest string
		if dest, e = s.login(params); e == nil {
			http.Redirect(w, r, dest, http.StatusFound)
			return http.StatusFound, "", false
		}
	default:
		e = badRequest(FederationMalformed, "Bad Request")
	}
	writeFederationError(w, e)
	return e.status, e.reason, false
}

// writeFederationError writes the HTML page of a refusal. It holds none
// of the request's parameters.
func writeFederationError(w http.ResponseWriter, e *fedError) {
	w.Header().Set("Content-Type", "text/html;charset=utf-8")
	w.WriteHeader(e.status)
	msg := html.EscapeString(e.message)
	_, _ = fmt.Fprintf(w, "<!doctype html><html><head><title>HTTP Status %d</title></head>"+
		"<body><h1>HTTP Status %d - %s</h1></body></html>", e.status, e.status, msg)
}

// federationSession is the Session parameter of getSigninToken.
type federationSession struct {
	ID    string `json:"sessionId"`
	Key   string `json:"sessionKey"`
	Token string `json:"sessionToken"`
}

func (s *Server) getSigninToken(params url.Values, idx int, requestID string) (string, *fedError) {
	var in federationSession
	if err := json.Unmarshal([]byte(params.Get("Session")), &in); err != nil || in.ID == "" || in.Key == "" {
		return "", badRequest(FederationMalformed, msgInvalidCredentials)
	}
	s.setRecordedKey(idx, requestID, in.ID)
	var duration time.Duration
	if v, ok := params["SessionDuration"]; ok {
		n, err := strconv.Atoi(v[0])
		duration = time.Duration(n) * time.Second
		if err != nil || duration < MinConsoleSession || duration > MaxConsoleSession {
			return "", badRequest(FederationInvalidDuration, msgInvalidCredentials)
		}
	}

	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.cfg.clock()
	if _, ok := s.keys[in.ID]; ok || in.Token == "" {
		return "", badRequest(FederationInvalidCredentials, msgInvalidCredentials)
	}
	sess := s.sessions[in.ID]
	if sess == nil ||
		subtle.ConstantTimeCompare([]byte(in.Key), []byte(sess.secret)) != 1 ||
		subtle.ConstantTimeCompare([]byte(in.Token), []byte(sess.token)) != 1 {
		return "", badRequest(FederationInvalidCredentials, msgInvalidCredentials)
	}
	if !now.Before(sess.expires) {
		return "", badRequest(FederationExpiredCredentials, msgInvalidCredentials)
	}
	switch p := sess.as; {
	case p.kind == kindUser || p.kind == kindRoot:
		return "", badRequest(FederationSessionTokenCredentials, msgInvalidCredentials)
	case duration != 0 && (p.kind == kindFederated || p.chained):
		return "", badRequest(FederationInvalidDuration, msgInvalidCredentials)
	}

	si := &signin{token: newSigninToken(), ConsoleSession: ConsoleSession{
		ARN:             sess.as.arn,
		AccessKeyID:     sess.accessKeyID,
		SessionDuration: duration,
		TokenExpires:    now.Add(SigninTokenLifetime),
		Expires:         sess.expires,
	}}
	if duration != 0 {
		si.Expires = now.Add(duration)
	}
	if s.signins == nil {
		s.signins = map[string]*signin{}
	}
	s.signins[si.token] = si
	return si.token, nil
}

// login checks a sign-in token and returns where to send the browser.
func (s *Server) login(params url.Values) (string, *fedError) {
	dest := params.Get("Destination")
	u, err := url.Parse(dest)
	if err != nil || !u.IsAbs() || u.Host == "" {
		return "", badRequest(FederationMalformed, "Bad Request")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	si, ok := s.signins[params.Get("SigninToken")]
	if !ok || si.SignedIn || !s.cfg.clock().Before(si.TokenExpires) {
		return "", badRequest(FederationInvalidSigninToken, "Bad Request")
	}
	si.SignedIn, si.Issuer, si.Destination = true, params.Get("Issuer"), dest
	return dest, nil
}

// setRecordedKey fills in the access key of a logged getSigninToken
// request, which names it in the Session JSON rather than in a signature.
func (s *Server) setRecordedKey(idx int, requestID, accessKeyID string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if idx < len(s.requests) && s.requests[idx].RequestID == requestID {
		s.requests[idx].AccessKeyID = accessKeyID
	}
}

// newSigninToken returns an opaque token. Real ones are several hundred
// characters; these use the standard base64 alphabet (with '+', '/' and
// '=') so that a client that does not escape them fails here as it would
// at AWS.
func newSigninToken() string {
	b := make([]byte, 239) // not a multiple of 3: the token ends in '='
	if _, err := rand.Read(b); err != nil {
		panic(fmt.Sprintf("ststest: crypto/rand: %v", err))
	}
	return base64.StdEncoding.EncodeToString(b)
}
