package awssession

import (
	"context"
	"errors"
	"time"
)

// A Cache keeps temporary credentials between processes, so that a second
// run within their lifetime makes no STS call and asks for no MFA code.
// [FileCache] is the implementation for files; others (an OS keyring, a
// shared volume) need only these four methods.
//
// Keys are short strings of lowercase letters, digits and '-' that
// CreateSession derives by hashing everything that changes an entry's
// content; values are opaque bytes CreateSession encodes and checks. An
// implementation must be safe for concurrent use by goroutines and, for
// Lock, by processes.
type Cache interface {
	// Get returns the value stored under key, or an error matching
	// ErrCacheMiss when there is none.
	Get(ctx context.Context, key string) ([]byte, error)
	// Put stores value under key, replacing any old value atomically:
	// a reader sees the old value or the new one, never a mix.
	Put(ctx context.Context, key string, value []byte) error
	// Delete removes key; a missing key is not an error.
	Delete(ctx context.Context, key string) error
	// Lock waits, until ctx is done, for an exclusive lock on key that
	// holds across processes, and returns the function that releases it.
	Lock(ctx context.Context, key string) (unlock func(), err error)
}

// ErrCacheMiss is returned by [Cache.Get] for a key with no value.
var ErrCacheMiss = errors.New("cache miss")

// CacheRefreshWindow is how long before expiry a cached entry stops being
// used: a session handed out must be good for at least this long.
const CacheRefreshWindow = 5 * time.Minute

// HandedOutUntil returns when a session hands out credentials that STS
// issued until expires, as [Plan]'s layers, [PeekSession] and the
// session's Credentials report it: its credentials cache renews them a
// little before STS ends them. A tool that shows a [Cache]'s entries
// shows this time, so that it names the one the sessions show.
func HandedOutUntil(expires time.Time) time.Time { return handedOutUntil(expires) }

// InvalidateSession removes the cache entries of the session opts
// describe (which must include [WithCache]), so that its next use calls
// STS afresh. Other sessions' entries stay. It makes no network call.
func InvalidateSession(ctx context.Context, opts ...Option) error {
	s, err := prepare(ctx, opts)
	if err != nil {
		return err
	}
	if s.o.cache == nil {
		return invalid(optionAt(OptionWithCache, ""), "the session has no cache to remove its entries from")
	}
	var errs []error
	for _, l := range s.plan.layers {
		errs = append(errs, s.o.cache.Delete(ctx, l.key))
	}
	return errors.Join(errs...)
}
