package awssession

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
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
	p, err := Prepare(ctx, opts...)
	if err != nil {
		return err
	}
	return p.Invalidate(ctx)
}

// Invalidate is [InvalidateSession] for the prepared session.
func (p *Prepared) Invalidate(ctx context.Context) error {
	s := p.s
	if s.o.cache == nil {
		return invalid(optionAt(OptionWithCache, ""), "the session has no cache to remove its entries from")
	}
	var errs []error
	for _, l := range s.plan.layers {
		errs = append(errs, s.o.cache.Delete(ctx, l.key))
	}
	return errors.Join(errs...)
}

// cachedLayer puts a [Cache] in front of one layer's provider. A fresh
// entry is returned without calling next; otherwise it takes the key's
// cross-process lock, looks again (another process may have just stored
// it) and only then calls next and stores the result. It is safe for
// concurrent use.
type cachedLayer struct {
	name    string // for logs, e.g. "AssumeRole[0]"
	key     string
	account string // the account the layer's credentials must belong to; "" unknown
	cache   Cache
	next    aws.CredentialsProvider
	log     *slog.Logger
	now     func() time.Time
}

var _ aws.CredentialsProvider = (*cachedLayer)(nil)

func (p *cachedLayer) Retrieve(ctx context.Context) (aws.Credentials, error) {
	if c, ok := p.lookup(ctx, "cache hit"); ok {
		return c, nil
	}
	unlock, err := p.cache.Lock(ctx, p.key)
	switch {
	case ctx.Err() != nil:
		return aws.Credentials{}, fmt.Errorf("%s: wait for credential cache: %w", p.name, ctx.Err())
	case err != nil:
		// A cache that cannot lock (read-only, full) must not stop the
		// session; only the coordination between processes is lost.
		p.log.LogAttrs(ctx, slog.LevelWarn, "credential cache lock failed; going on without it", slog.String("layer", p.name), slog.String("error", err.Error()))
		unlock = func() {}
	}
	defer unlock()
	if c, ok := p.lookup(ctx, "cache hit after waiting for another caller"); ok {
		return c, nil
	}
	c, err := p.next.Retrieve(ctx)
	if err != nil {
		return c, err
	}
	p.store(ctx, c)
	return c, nil
}

// maxSTSLifetime is the longest any STS credentials live: a
// GetSessionToken session of 36 h.
const maxSTSLifetime = 36 * time.Hour

// lookup returns a fresh entry. Anything else (missing, unreadable,
// corrupt, other version, near expiry) is a miss, logged at debug.
func (p *cachedLayer) lookup(ctx context.Context, hit string) (aws.Credentials, bool) {
	c, reason := p.read(ctx)
	if reason != "" {
		p.log.LogAttrs(ctx, slog.LevelDebug, "cache miss", slog.String("layer", p.name), slog.String("key", p.key), slog.String("reason", reason))
		return aws.Credentials{}, false
	}
	p.log.LogAttrs(ctx, slog.LevelDebug, hit, slog.String("layer", p.name), slog.String("key", p.key), slog.Time("expires", handedOutUntil(c.Expires)))
	return c, true
}

// read returns the entry, or why it cannot be used.
func (p *cachedLayer) read(ctx context.Context) (aws.Credentials, string) {
	b, err := p.cache.Get(ctx, p.key)
	switch {
	case errors.Is(err, ErrCacheMiss):
		return aws.Credentials{}, "no entry"
	case err != nil:
		return aws.Credentials{}, "unreadable: " + err.Error()
	}
	c, err := decodeCredentials(b)
	if err != nil {
		return aws.Credentials{}, err.Error()
	}
	now := p.now()
	switch {
	case !c.Expires.Add(-CacheRefreshWindow).After(now):
		return aws.Credentials{}, "expires within the refresh window"
	case c.Expires.After(now.Add(maxSTSLifetime)):
		// No STS credentials live longer: a planted or corrupt entry.
		return aws.Credentials{}, "expires further out than any STS session"
	case p.account != "" && c.AccountID != p.account:
		return aws.Credentials{}, fmt.Sprintf("entry is for account %s, the layer's role is in %s", c.AccountID, p.account)
	}
	return c, ""
}

func (p *cachedLayer) store(ctx context.Context, c aws.Credentials) {
	b, err := encodeCredentials(c)
	if err == nil {
		err = p.cache.Put(ctx, p.key, b)
	}
	if err != nil {
		// The credentials are good; only the next process pays for this.
		p.log.LogAttrs(ctx, slog.LevelWarn, "cannot store credentials in the cache", slog.String("layer", p.name), slog.String("error", err.Error()))
		return
	}
	p.log.LogAttrs(ctx, slog.LevelDebug, "cache store", slog.String("layer", p.name), slog.String("key", p.key), slog.Time("expires", handedOutUntil(c.Expires)))
}

// entryVersion changes whenever the encoding does; other versions are
// misses, so an old binary and a new one can share a cache directory.
const entryVersion = 1

// credentialsEntry is how a layer's credentials are stored.
type credentialsEntry struct {
	Version         int       `json:"version"`
	AccessKeyID     string    `json:"accessKeyId"`
	SecretAccessKey string    `json:"secretAccessKey"`
	SessionToken    string    `json:"sessionToken"`
	Expiration      time.Time `json:"expiration"`
	AccountID       string    `json:"accountId,omitempty"`
	Source          string    `json:"source,omitempty"`
}

func encodeCredentials(c aws.Credentials) ([]byte, error) {
	return json.Marshal(credentialsEntry{Version: entryVersion, AccessKeyID: c.AccessKeyID,
		SecretAccessKey: c.SecretAccessKey, SessionToken: c.SessionToken, Expiration: c.Expires.UTC(),
		AccountID: c.AccountID, Source: c.Source})
}

// decodeCredentials checks an entry completely; the reason it gives for a
// bad one never quotes the entry.
func decodeCredentials(b []byte) (aws.Credentials, error) {
	var e credentialsEntry
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&e); err != nil {
		return aws.Credentials{}, errors.New("not a credentials entry (corrupt or truncated)")
	}
	if dec.More() {
		return aws.Credentials{}, errors.New("trailing data after the entry")
	}
	switch {
	case e.Version != entryVersion:
		return aws.Credentials{}, fmt.Errorf("entry version %d, want %d", e.Version, entryVersion)
	case e.AccessKeyID == "" || e.SecretAccessKey == "" || e.SessionToken == "":
		return aws.Credentials{}, errors.New("entry lacks a key, secret or session token")
	case e.Expiration.IsZero():
		return aws.Credentials{}, errors.New("entry has no expiration")
	}
	c := aws.Credentials{AccessKeyID: e.AccessKeyID, SecretAccessKey: e.SecretAccessKey,
		SessionToken: e.SessionToken, Expires: e.Expiration, CanExpire: true,
		AccountID: e.AccountID, Source: e.Source}
	if err := checkShape(c); err != nil {
		return aws.Credentials{}, fmt.Errorf("entry holds %w", err)
	}
	return c, nil
}

// cacheKey hashes the parts that determine a cached value into a key.
func cacheKey(kind string, parts ...any) string {
	b, _ := json.Marshal(parts) // parts are strings, numbers and string maps
	h := sha256.Sum256(append([]byte(kind+"\x00"), b...))
	return kind + "-" + hex.EncodeToString(h[:20])
}
