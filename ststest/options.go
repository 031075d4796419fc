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
}

// defaultSettings are those of a server built with no option.
func defaultSettings() settings {
	return settings{
		account:   "123456789012",
		partition: "aws",
		clock:     time.Now,
		addr:      "127.0.0.1:0",
		maxSkew:   15 * time.Minute,
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
	return nil
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
