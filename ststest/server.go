package ststest

import (
	"fmt"
	"net"
	"net/http"
	"sync"
	"testing"
	"time"
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
	s := &Server{
		URL:      "http://" + ln.Addr().String(),
		cfg:      cfg,
		done:     make(chan struct{}),
		users:    map[string]*userRecord{},
		keys:     map[string]*accessKey{},
		sessions: map[string]*session{},
		roles:    map[string]*roleRecord{},
		devices:  map[string]*deviceRecord{},
		idc:      newIdentityCenter(),
		signIn:   newSignInService(),
	}
	s.http = &http.Server{Handler: http.HandlerFunc(s.serveHTTP), ReadHeaderTimeout: 10 * time.Second}
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
