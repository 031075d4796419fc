package ststest

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/awssession/awssession/internal/loopback"
)

// Server is an in-process AWS STS. It speaks the AWS Query protocol over
// HTTP on loopback, verifies SigV4 signatures, validates parameters and
// answers with the XML bodies and errors STS sends. All its methods are
// safe for concurrent use.
type Server struct {
	// URL is the base URL of the server, "http://127.0.0.1:PORT", for
	// aws.Config.BaseEndpoint or the AWS CLI's --endpoint-url.
	URL string

	cfg       settings
	host      string        // the listen address's host, accepted as a Host header
	reading   chan struct{} // one token per request body being read (see guard)
	http      *http.Server
	done      chan struct{}
	closeOnce sync.Once

	mu       sync.Mutex
	users    map[string]*userRecord   // by user name
	keys     map[string]*accessKey    // long-term keys by access key ID
	sessions map[string]*session      // temporary credentials by access key ID
	roles    map[string]*roleRecord   // by lower-cased role ARN
	devices  map[string]*deviceRecord // by serial number
	requests []Request
	faults   []*Fault
	signins  map[string]*signin // console sign-in tokens, made on first use

	oidc oidcIssuer // the issuer of WebIdentityToken's tokens

	saml samlIdP // the identity provider of SAMLAssertion's responses
	// IAM Identity Center and AWS Sign-In (sso.go, signin.go).
	idc    identityCenter
	signIn signInService
}

// NewServer starts a server on a free loopback port and closes it when
// the test ends. It fails the test if an option is invalid or the server
// cannot listen.
func NewServer(t testing.TB, opts ...ServerOption) *Server {
	t.Helper()
	s, err := Start(opts...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Close)
	return s
}

// Start starts a server outside of a test (for the awssession demo and
// sts-server commands, or another language's tests). The caller must
// call [Server.Close].
func Start(opts ...ServerOption) (*Server, error) {
	cfg := defaultSettings()
	for _, o := range opts {
		o.applyServer(&cfg)
	}
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	ln, err := net.Listen("tcp", cfg.addr)
	if err != nil {
		return nil, fmt.Errorf("ststest: listen: %w", err)
	}
	host, _, _ := net.SplitHostPort(ln.Addr().String())
	s := &Server{
		URL:      "http://" + ln.Addr().String(),
		cfg:      cfg,
		host:     host,
		reading:  make(chan struct{}, maxBodiesRead),
		done:     make(chan struct{}),
		users:    map[string]*userRecord{},
		keys:     map[string]*accessKey{},
		sessions: map[string]*session{},
		roles:    map[string]*roleRecord{},
		devices:  map[string]*deviceRecord{},
		idc:      newIdentityCenter(),
		signIn:   newSignInService(),
	}
	s.http = &http.Server{Handler: s.guard(http.HandlerFunc(s.serveHTTP)), ReadHeaderTimeout: readTimeout, IdleTimeout: idleTimeout}
	// Serve returns only when Close closes the listener.
	go func() { _ = s.http.Serve(ln) }()
	return s, nil
}

// Close stops the server and ends requests in flight, including those
// held by a [Latency] fault. It may be called more than once.
func (s *Server) Close() {
	s.closeOnce.Do(func() {
		close(s.done)
		_ = s.http.Close()
	})
}

// Account returns the account ID of the server's users and roles.
func (s *Server) Account() string { return s.cfg.account }

// Now returns the server clock's current time.
func (s *Server) Now() time.Time { return s.cfg.clock() }

// arn builds an ARN in the server's partition and account.
func (s *Server) arn(service, resource string) string {
	return fmt.Sprintf("arn:%s:%s::%s:%s", s.cfg.partition, service, s.cfg.account, resource)
}

// Limits of what a client can make the server hold. STS requests are a
// few KiB; the largest parameter (a SAML assertion) is 100,000
// characters. A request's headers and its body must each arrive within
// readTimeout; a keep-alive connection is closed after idleTimeout
// without a request.
const (
	maxRequestBody = 256 << 10
	maxBodiesRead  = 32
	readTimeout    = 10 * time.Second
	idleTimeout    = 2 * time.Minute
)

// guard refuses, before h sees it, what no client of a loopback fake
// sends: a Host other than a loopback name or address or the listen
// address (a page whose DNS name was rebound to 127.0.0.1 would send its
// own name, and could read users' credentials and web identity tokens),
// and a body over maxRequestBody (413, as a front end answers). It reads
// the body itself, within readTimeout and at most maxBodiesRead at once,
// so that slow or large bodies hold neither a connection nor memory for
// long. Refused requests are recorded like any other.
func (s *Server) guard(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		host := r.Host
		if hh, _, err := net.SplitHostPort(host); err == nil {
			host = hh
		}
		switch {
		case !loopback.IsHost(host) && !strings.EqualFold(strings.Trim(host, "[]"), s.host):
			s.refuse(w, r, &apiError{http.StatusForbidden, "AccessDenied", "Host " + strconv.Quote(r.Host) + " is not this server's; use its loopback URL."})
			return
		case r.ContentLength > maxRequestBody:
			s.refuse(w, r, tooLarge)
			return
		}
		body, err := s.readBody(w, r)
		if err != nil {
			var tooBig *http.MaxBytesError
			if errors.As(err, &tooBig) {
				s.refuse(w, r, tooLarge)
			} else {
				s.refuse(w, r, &apiError{http.StatusBadRequest, "MalformedQueryString", "The request body could not be read."})
			}
			return
		}
		r.Body = io.NopCloser(bytes.NewReader(body))
		h.ServeHTTP(w, r)
	})
}

var tooLarge = &apiError{http.StatusRequestEntityTooLarge, "RequestEntityTooLarge",
	fmt.Sprintf("The request body is larger than %d bytes.", maxRequestBody)}

// readBody reads r's body, at most maxRequestBody bytes within
// readTimeout, and then lifts the deadline: a request held by a Latency
// fault must not be cut by it.
func (s *Server) readBody(w http.ResponseWriter, r *http.Request) ([]byte, error) {
	select {
	case s.reading <- struct{}{}:
		defer func() { <-s.reading }()
	case <-r.Context().Done():
		return nil, r.Context().Err()
	}
	rc := http.NewResponseController(w)
	_ = rc.SetReadDeadline(time.Now().Add(readTimeout))
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxRequestBody))
	if err != nil {
		return nil, err // the deadline stays: the rest of the body is not waited for
	}
	_ = rc.SetReadDeadline(time.Time{})
	return body, nil
}

// refuse answers r with e and records it.
func (s *Server) refuse(w http.ResponseWriter, r *http.Request, e *apiError) {
	params := r.URL.Query()
	id := newRequestID()
	idx := s.recordStart(r, params, params.Get("Action"), id)
	w.Header().Set("Connection", "close") // the rest of a body is not read
	writeError(w, e, id, s.cfg.clock())
	s.recordEnd(idx, id, e.status, e.code, false)
}
