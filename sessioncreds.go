package awssession

import (
	"context"
	"math"
	"sync/atomic"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
)

// sessionCredentials is the Credentials of a config from CreateSession:
// the top layer's aws.CredentialsCache, with a cheaper hit. Every signed
// request calls Retrieve, and the SDK's cache asks time.Now on each call to
// check expiry (65-70 ns on a VM, most of a hit); this one compares the
// expiry with a coarseClock instead (an atomic load).
//
// Whatever it cannot answer from its last credentials and a running clock
// (nothing fetched yet, the clock stopped, the credentials' refresh time
// reached) goes to the SDK's cache, which stays in charge of refreshing,
// single-flight and errors. The clock lags the wall clock by at most a
// tick while the machine runs, and hits stop clockMargin before the SDK's
// cache would refresh, so a hit never hands out credentials whose Expires
// has passed; after a suspend and resume the clock can lag by the whole
// sleep for up to one tick (clockTick), so credentials that expired
// during the sleep can be handed out for that long.
//
// It is safe for concurrent use.
type sessionCredentials struct {
	inner credentialsCache
	cur   atomic.Pointer[heldCredentials] // nil until the first fetch
	clock coarseClock
}

// credentialsCache is what sessionCredentials needs of an
// aws.CredentialsCache.
type credentialsCache interface {
	aws.CredentialsProvider
	Invalidate()
}

// heldCredentials are credentials as the SDK's cache returned them (their
// Expires already moved earlier by its expiry window) and that time in
// Unix nanoseconds.
type heldCredentials struct {
	creds    aws.Credentials
	deadline int64
}

var (
	_ aws.CredentialsProvider = (*sessionCredentials)(nil)
	_ credentialsCache        = (*aws.CredentialsCache)(nil)
)

// newSessionCredentials puts a sessionCredentials in front of inner. It
// allocates once: CreateSession is benchmarked against a bare
// config.LoadDefaultConfig.
func newSessionCredentials(inner credentialsCache) *sessionCredentials {
	s := &sessionCredentials{inner: inner}
	s.clock.wall, s.clock.ticker = time.Now, realTicker
	return s
}

// Retrieve returns the session's credentials, fetching or refreshing them
// through the layers below when needed.
func (s *sessionCredentials) Retrieve(ctx context.Context) (aws.Credentials, error) {
	held := s.cur.Load()
	if held != nil && s.clock.before(held.deadline) {
		return held.creds, nil
	}
	creds, err := s.inner.Retrieve(ctx)
	if err != nil {
		return creds, err
	}
	if held == nil || creds != held.creds {
		// Only over what this call saw: an Invalidate (or a newer
		// result) in the meantime wins.
		s.cur.CompareAndSwap(held, &heldCredentials{creds: creds, deadline: deadline(creds)})
	}
	s.clock.start()
	return creds, nil
}

// clockMargin is how much earlier than the SDK's cache the held
// credentials stop being served: more than the coarse clock lags while the
// machine runs (a tick, plus a late wake-up), so that no hit hands out
// credentials whose Expires has already passed. A caller that checks
// Expires itself (an SDK behind the credential server, the AWS CLI) would
// otherwise get credentials it calls expired and ask again at once.
const clockMargin = 2 * clockTick

// deadline is the Unix nanosecond until which creds are served from
// memory: clockMargin before the SDK's cache would call them expired.
func deadline(creds aws.Credentials) int64 {
	switch {
	case !creds.CanExpire:
		return math.MaxInt64
	case creds.Expires.Before(time.Unix(0, int64(clockMargin))):
		return 0 // also the zero Time, which UnixNano cannot represent
	case creds.Expires.After(time.Unix(0, math.MaxInt64)):
		return math.MaxInt64
	}
	return creds.Expires.UnixNano() - int64(clockMargin)
}

// Invalidate drops the credentials held in memory, so that the next
// Retrieve fetches new ones, as aws.CredentialsCache.Invalidate does.
func (s *sessionCredentials) Invalidate() {
	s.inner.Invalidate()
	// A new value, not nil: a Retrieve that fetched before this must find
	// cur changed, however many Invalidates came before.
	s.cur.Store(&heldCredentials{})
}

// IsCredentialsProvider reports whether target is the type of this
// provider or of the provider the session's top layer wraps; see
// aws.IsCredentialsProvider.
func (s *sessionCredentials) IsCredentialsProvider(target aws.CredentialsProvider) bool {
	if _, ok := target.(*sessionCredentials); ok {
		return true
	}
	return aws.IsCredentialsProvider(s.inner, target)
}

// ProviderSources reports where the credentials come from, for the SDK's
// user-agent metrics, as aws.CredentialsCache does.
func (s *sessionCredentials) ProviderSources() []aws.CredentialSource {
	if p, ok := s.inner.(aws.CredentialProviderSource); ok {
		return p.ProviderSources()
	}
	return nil
}
