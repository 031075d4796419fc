package ststest

import (
	"fmt"
	"time"

	"github.com/awssession/awssession/internal/stsrules"
)

// ServerOption configures a [Server] built by [NewServer] or [Start].
// Options are plain values: they do no I/O and never panic; the
// constructor validates them all once, after applying them.
type ServerOption interface {
	applyServer(*settings)
}

// settings is what the options build.
type settings struct {
	account   string
	partition string
	clock     func() time.Time
	lifetime  time.Duration
	roleLife  time.Duration
	addr      string
	maxSkew   time.Duration

	// IAM Identity Center and AWS Sign-In (sso.go, signin.go).
	autoApprove  string
	ssoTokenLife time.Duration
	ssoSession   time.Duration
	loginLife    time.Duration
}

// defaultSettings are those of a server built with no option.
func defaultSettings() settings {
	return settings{
		account:   "123456789012",
		partition: "aws",
		clock:     time.Now,
		addr:      "127.0.0.1:0",
		maxSkew:   15 * time.Minute,

		ssoTokenLife: time.Hour,
		ssoSession:   8 * time.Hour,
		loginLife:    maxLoginCredentialLifetime,
	}
}

// validate reports the first setting no real account could have.
func (s settings) validate() error {
	switch {
	case !stsrules.IsAccountID(s.account):
		return fmt.Errorf("ststest: account %q is not 12 digits", s.account)
	case !stsrules.KnownPartition(s.partition):
		return fmt.Errorf("ststest: unknown partition %q", s.partition)
	case s.clock == nil:
		return fmt.Errorf("ststest: WithClock(nil)")
	case s.lifetime < 0 || s.roleLife < 0:
		return fmt.Errorf("ststest: negative credential lifetime")
	}
	return s.validateSignIn()
}

type accountOption string

func (o accountOption) applyServer(s *settings) { s.account = string(o) }

// WithAccount sets the 12-digit account ID of every user, role and ARN the
// server creates. The default is 123456789012.
func WithAccount(id string) ServerOption { return accountOption(id) }

type partitionOption string

func (o partitionOption) applyServer(s *settings) { s.partition = string(o) }

// WithPartition sets the partition written in ARNs ("aws", "aws-cn",
// "aws-us-gov", ...). The default is "aws".
func WithPartition(name string) ServerOption { return partitionOption(name) }

// clockOption is a pointer so that options stay comparable with ==.
type clockOption struct{ now func() time.Time }

func (o *clockOption) applyServer(s *settings) { s.clock = o.now }

// WithClock makes the server read the time from now instead of
// [time.Now]. It drives TOTP validation, issued expirations, expiry checks,
// the request-time skew check and the Date response header (from which the
// SDK corrects its signing clock, as it does against AWS). now must be safe
// for concurrent use; [Clock] is a ready-made one tests can move.
func WithClock(now func() time.Time) ServerOption { return &clockOption{now} }

type lifetimeOption time.Duration

func (o lifetimeOption) applyServer(s *settings) { s.lifetime = time.Duration(o) }

// WithCredentialLifetime caps the lifetime of every credential the server
// issues at d, whatever DurationSeconds asked for, so that tests can watch
// real refreshes without waiting for 15 minutes. Validation of
// DurationSeconds is unchanged. 0 (the default) means no cap.
func WithCredentialLifetime(d time.Duration) ServerOption { return lifetimeOption(d) }

type roleLifetimeOption time.Duration

func (o roleLifetimeOption) applyServer(s *settings) { s.roleLife = time.Duration(o) }

// WithRoleCredentialLifetime caps the lifetime of AssumeRole credentials
// only, so that tests can watch roles refresh on top of a long
// GetSessionToken session. 0 (the default) means no cap.
func WithRoleCredentialLifetime(d time.Duration) ServerOption { return roleLifetimeOption(d) }

type addrOption string

func (o addrOption) applyServer(s *settings) { s.addr = string(o) }

// WithAddr sets the TCP address to listen on. The default is
// "127.0.0.1:0", a free loopback port.
func WithAddr(addr string) ServerOption { return addrOption(addr) }

type skewOption time.Duration

func (o skewOption) applyServer(s *settings) { s.maxSkew = time.Duration(o) }

// WithMaxClockSkew sets how far a request's X-Amz-Date may be from the
// server clock before it is refused with SignatureDoesNotMatch ("Signature
// expired" or "Signature not yet current"). The default is 15 minutes, as
// at AWS; 0 or less turns the check off.
func WithMaxClockSkew(d time.Duration) ServerOption { return skewOption(d) }

// Options of IAM Identity Center and AWS Sign-In.

// validateSignIn reports the first sign-in setting out of range.
func (s settings) validateSignIn() error {
	switch {
	case s.autoApprove != "" && !stsrules.IsIAMName(s.autoApprove):
		return fmt.Errorf("ststest: WithAutoApprove(%q): not an IAM user name", s.autoApprove)
	case s.ssoTokenLife < time.Second || s.ssoSession < time.Second:
		return fmt.Errorf("ststest: SSO token lifetime and session duration must be at least 1s")
	case s.loginLife < time.Second || s.loginLife > maxLoginCredentialLifetime:
		return fmt.Errorf("ststest: WithLoginCredentialLifetime(%v): want 1s to 15m, the range of Sign-In's expiresIn", s.loginLife)
	}
	return nil
}

type autoApproveOption string

func (o autoApproveOption) applyServer(s *settings) { s.autoApprove = string(o) }

// WithAutoApprove makes the server sign userName in at once wherever a
// person would be asked: every device authorization is approved as that
// user when it starts, and /authorize (Identity Center) and /v1/authorize
// (Sign-In) redirect to the client's loopback redirect_uri with a code
// right away, so that a scripted browser (or a plain HTTP GET that
// follows the redirect) completes a login. The user need not exist yet
// when the server starts; if it does not exist when a login starts, the
// login is refused with access_denied. Without this option the pages ask.
func WithAutoApprove(userName string) ServerOption { return autoApproveOption(userName) }

type ssoTokenLifetimeOption time.Duration

func (o ssoTokenLifetimeOption) applyServer(s *settings) { s.ssoTokenLife = time.Duration(o) }

// WithSSOTokenLifetime sets how long Identity Center access tokens of
// clients registered with the sso:account:access scope last before they
// must be refreshed. The default is 1 h. Tokens of clients registered
// without scopes last the whole session and cannot be refreshed.
func WithSSOTokenLifetime(d time.Duration) ServerOption { return ssoTokenLifetimeOption(d) }

type ssoSessionDurationOption time.Duration

func (o ssoSessionDurationOption) applyServer(s *settings) { s.ssoSession = time.Duration(o) }

// WithSSOSessionDuration sets how long an Identity Center sign-in lasts:
// refresh tokens work, and tokens live, until then. The default is 8 h,
// Identity Center's default session duration.
func WithSSOSessionDuration(d time.Duration) ServerOption { return ssoSessionDurationOption(d) }

type loginCredentialLifetimeOption time.Duration

func (o loginCredentialLifetimeOption) applyServer(s *settings) { s.loginLife = time.Duration(o) }

// WithLoginCredentialLifetime sets how long the credentials AWS Sign-In
// issues to developer tools last: 1 s to 15 min (the default, and AWS's).
// Sign-In sessions can be refreshed for 12 h whatever this is.
func WithLoginCredentialLifetime(d time.Duration) ServerOption {
	return loginCredentialLifetimeOption(d)
}
