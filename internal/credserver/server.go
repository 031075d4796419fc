// Package credserver serves a session's credentials on loopback in the
// container credentials protocol that every AWS SDK and the AWS CLI read
// (AWS_CONTAINER_CREDENTIALS_FULL_URI and
// AWS_CONTAINER_AUTHORIZATION_TOKEN), so that a long-running program gets
// fresh credentials for as long as the session lives, without any key in
// its environment.
package credserver

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/awssession/awssession/internal/loopback"
)

// Environment variables the SDKs read.
const (
	EnvFullURI   = "AWS_CONTAINER_CREDENTIALS_FULL_URI"
	EnvAuthToken = "AWS_CONTAINER_AUTHORIZATION_TOKEN"
)

// credentialsPath is where the credentials are served.
const credentialsPath = "/credentials"

// Server serves one credentials provider. It is safe for concurrent use.
type Server struct {
	// URL is the full credentials URI, http://127.0.0.1:PORT/credentials.
	URL string

	token     string
	provider  aws.CredentialsProvider
	log       *slog.Logger
	http      *http.Server
	warnings  *warnLimiter
	grace     time.Duration // see Close
	closeOnce sync.Once
}

// Start listens on addr, which must be a loopback address (""
// means 127.0.0.1:0), and serves provider's credentials to requests that
// carry a fresh random 256-bit token. provider should cache (an
// aws.CredentialsCache does): the server calls Retrieve on every request.
func Start(addr string, provider aws.CredentialsProvider, log *slog.Logger) (*Server, error) {
	ln, err := Listen(addr)
	if err != nil {
		return nil, fmt.Errorf("credential server: %w", err)
	}
	return StartListener(ln, provider, log)
}

// Listen binds addr, which must be a loopback address ("" means
// 127.0.0.1:0), for [StartListener]: callers bind first, so that a busy or
// bad address fails before any other work (an STS call, an MFA prompt).
func Listen(addr string) (net.Listener, error) {
	if addr == "" {
		addr = "127.0.0.1:0"
	}
	if err := CheckAddr(addr); err != nil {
		return nil, err
	}
	return net.Listen("tcp", addr)
}

// StartListener is [Start] on a listener from [Listen]; it takes ln over
// and closes it on error.
func StartListener(ln net.Listener, provider aws.CredentialsProvider, log *slog.Logger) (*Server, error) {
	return start(ln, provider, log, defaultLimits())
}

func start(ln net.Listener, provider aws.CredentialsProvider, log *slog.Logger, lim limits) (*Server, error) {
	if err := CheckAddr(ln.Addr().String()); err != nil {
		_ = ln.Close()
		return nil, fmt.Errorf("credential server: %w", err)
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	raw := make([]byte, 32)
	if _, err := rand.Read(raw); err != nil {
		_ = ln.Close()
		return nil, fmt.Errorf("credential server: token: %w", err)
	}
	s := &Server{URL: "http://" + ln.Addr().String() + credentialsPath,
		token: base64.RawURLEncoding.EncodeToString(raw), provider: provider, log: log, grace: shutdownGrace,
		warnings: &warnLimiter{every: lim.WarnEvery, now: lim.Now}}
	s.http = lim.server(s)
	limited := limitListener(ln, lim.MaxConns, func(dropped bool) {
		msg := "credential server at its connection limit; every connection serves a request, new ones wait"
		if dropped {
			msg = "credential server at its connection limit; dropped the oldest connection that sent no complete request"
		}
		s.warn(context.Background(), msg, slog.Int("limit", lim.MaxConns))
	})
	go func() { _ = s.http.Serve(limited) }()
	return s, nil
}

// CheckAddr returns an error matching [ErrNotLoopback] unless addr is a
// loopback HOST:PORT that Start accepts, so that callers can refuse a bad
// address before any other work (an MFA prompt).
func CheckAddr(addr string) error {
	host, _, err := net.SplitHostPort(addr)
	if err != nil || !loopback.IsHost(host) {
		return fmt.Errorf("%q: %w (want 127.0.0.1:PORT, [::1]:PORT or localhost:PORT)", addr, ErrNotLoopback)
	}
	return nil
}

// Env returns the two variables a client needs, as NAME=value.
func (s *Server) Env() []string {
	return []string{EnvFullURI + "=" + s.URL, EnvAuthToken + "=" + s.token}
}

// Token returns the authorization token clients must send.
func (s *Server) Token() string { return s.token }

// warn logs a warning unless too many came lately (see warnLimiter): a
// client that retries a refused request in a loop must not flood the
// terminal of serve.
func (s *Server) warn(ctx context.Context, msg string, attrs ...slog.Attr) {
	ok, dropped := s.warnings.allow()
	if !ok {
		return
	}
	if dropped > 0 {
		attrs = append(attrs, slog.Int("suppressed", dropped))
	}
	s.log.LogAttrs(ctx, slog.LevelWarn, msg, attrs...)
}

// shutdownGrace is how long Close lets requests in flight finish.
const shutdownGrace = 2 * time.Second

// Close stops the server: it lets requests in flight finish for up to
// shutdownGrace, then closes every connection left. It is idempotent.
//
// A connection on which no request ever came (an HTTP client dials one
// for a burst of concurrent requests and keeps it unused in its pool)
// counts as busy for net/http's Shutdown until it is 5 s old, so Shutdown
// alone can time out with nothing to wait for.
func (s *Server) Close() error {
	var err error
	s.closeOnce.Do(func() {
		ctx, cancel := context.WithTimeout(context.Background(), s.grace)
		defer cancel()
		if err = s.http.Shutdown(ctx); errors.Is(err, context.DeadlineExceeded) {
			err = s.http.Close()
		}
	})
	return err
}

// response is the container credentials document.
type response struct {
	AccessKeyID     string `json:"AccessKeyId"`
	SecretAccessKey string `json:"SecretAccessKey"`
	Token           string `json:"Token"`
	Expiration      string `json:"Expiration,omitempty"`
	AccountID       string `json:"AccountId,omitempty"`
}

// ServeHTTP answers GET /credentials from loopback hosts with the token.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if code, msg := s.refuse(r); code != 0 {
		s.warn(r.Context(), "credential request refused", slog.Int("status", code), slog.String("reason", msg), slog.String("remote", r.RemoteAddr))
		writeError(w, code, msg)
		return
	}
	c, err := s.provider.Retrieve(r.Context())
	if err != nil {
		// STS's messages carry no secret; the cause helps the client's user.
		s.log.LogAttrs(r.Context(), slog.LevelError, "credential refresh failed", slog.String("error", err.Error()))
		writeError(w, http.StatusInternalServerError, "refresh failed: "+err.Error())
		return
	}
	out := response{AccessKeyID: c.AccessKeyID, SecretAccessKey: c.SecretAccessKey, Token: c.SessionToken, AccountID: c.AccountID}
	if c.CanExpire {
		out.Expiration = c.Expires.UTC().Format(time.RFC3339)
	}
	s.log.LogAttrs(r.Context(), slog.LevelDebug, "credentials served", slog.String("access_key_id", c.AccessKeyID), slog.String("expires", out.Expiration))
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	_ = json.NewEncoder(w).Encode(out)
}

// refuse returns why a request may not have credentials, or 0.
func (s *Server) refuse(r *http.Request) (int, string) {
	host := r.Host
	if h, _, err := net.SplitHostPort(host); err == nil {
		host = h
	}
	switch {
	case !loopback.IsHost(host):
		// A browser tricked by DNS rebinding sends the attacker's name.
		return http.StatusForbidden, "Host is not a loopback name"
	case r.Method != http.MethodGet:
		return http.StatusMethodNotAllowed, "only GET"
	case r.URL.Path != credentialsPath:
		return http.StatusNotFound, "not found"
	case subtle.ConstantTimeCompare([]byte(r.Header.Get("Authorization")), []byte(s.token)) != 1:
		return http.StatusUnauthorized, "missing or wrong authorization token"
	}
	return 0, ""
}

func writeError(w http.ResponseWriter, status int, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]string{"code": http.StatusText(status), "message": msg})
}

// ErrNotLoopback is returned by Start for an address that is not loopback.
var ErrNotLoopback = errors.New("not a loopback address")
