package awssession

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/awssession/awssession/internal/stsrules"
)

// A TokenProvider returns a current MFA code for the device serialNumber.
// CreateSession calls it only when an STS call needs a code, serialises
// calls (one prompt at a time) and never calls it for two concurrent
// refreshes of the same layer.
type TokenProvider func(ctx context.Context, serialNumber string) (string, error)

// StaticToken returns a provider of one six-digit code, good for one STS
// call: STS accepts each code once, so a second request returns
// [ErrMFATokenUsed] instead of sending a code that would be rejected (a
// session reports an [*MFACodeUsedError]). It is safe for concurrent use.
func StaticToken(code string) TokenProvider {
	var once sync.Mutex
	used := false
	return func(ctx context.Context, serialNumber string) (string, error) {
		once.Lock()
		defer once.Unlock()
		if used {
			return "", fmt.Errorf("static MFA code for %s: %w", serialNumber, ErrMFATokenUsed)
		}
		used = true
		return code, nil
	}
}

// mfaSource hands out codes for one device. It serialises calls to the
// user's provider, which need not be safe for concurrent use (through the
// device's lock in usedCodes, which every source of the device shares), and checks
// each code's shape before it can reach STS. It holds the device while it
// picks a code, in this process (usedCodes) and, with a cache, across
// processes, and remembers the last code handed out in both, so that no
// two callers anywhere send the same code (STS would refuse the second).
// Providers find the session's logger in the context of their call.
type mfaSource struct {
	serial   string
	endpoint string // the explicit STS endpoint, "" for AWS's; see deviceKey
	tokens   TokenProvider
	cache    Cache // nil: remember in this process only
	log      *slog.Logger
	now      func() time.Time
}

// maxReusedCodes is how many codes code asks a provider for, the
// first included, while the ones it gives were already used: a prompt
// says why it asks again, at most this often.
const maxReusedCodes = 3

// code returns a checked six-digit code that no caller has used yet. A
// used one is an [*MFACodeUsedError] at once, unless the provider gives a
// fresh code when asked again (a prompt, TOTP; see askedAgain): then it
// is asked again, told why, up to maxReusedCodes times in all.
func (m *mfaSource) code(ctx context.Context) (secret, error) {
	// Holding the device serialises this source's callers too.
	dev, err := usedCodes.acquire(ctx, deviceKey{m.endpoint, m.serial}, m.now())
	if err != nil {
		return "", fmt.Errorf("MFA code for %s: %w", m.serial, err)
	}
	defer usedCodes.release(dev)
	last := dev.last
	if m.cache != nil {
		unlock, err := m.cache.Lock(ctx, m.key())
		switch {
		case ctx.Err() != nil:
			return "", fmt.Errorf("MFA code for %s: %w", m.serial, ctx.Err())
		case err != nil:
			m.log.LogAttrs(ctx, slog.LevelWarn, "MFA device lock failed; going on without it", slog.String("serial", m.serial), slog.String("error", err.Error()))
		default:
			defer unlock()
		}
		if e := m.lastUsed(ctx); e.UsedAt.After(last.UsedAt) {
			last = e
		}
	}
	req := &codeRequest{}
	ctx = context.WithValue(withLogger(ctx, m.log), codeRequestKey{}, req)
	for range maxReusedCodes {
		c, err := m.tokens(ctx, m.serial)
		switch {
		case errors.Is(err, ErrMFATokenUsed) && !last.UsedAt.IsZero():
			// A provider of one code (StaticToken) asked again.
			return "", m.usedError(last)
		case err != nil:
			return "", fmt.Errorf("MFA code for %s: %w", m.serial, err)
		}
		if stsrules.TokenCode.Check(c) != nil {
			return "", invalid(namedAt("MFA token code"), "the code for %s must be six digits (got %d characters)", m.serial, len(c))
		}
		code := secret(c)
		if !last.usedRecently(m.serial, code, m.now()) {
			dev.last = m.remember(ctx, code)
			return code, nil
		}
		used := m.usedError(last)
		if !req.fresh {
			return "", used // it would give the same code again
		}
		m.log.LogAttrs(ctx, slog.LevelDebug, "MFA code already used; asking for the next one", slog.String("serial", m.serial))
		req.retry, req.fresh = used, false
	}
	return "", req.retry
}

// attach puts a fresh code and the device's serial into a request's
// SerialNumber and TokenCode, and the serial into the call's log
// attributes. A nil source (a layer without MFA) attaches nothing. It
// returns the serial sent, "" for none.
func (m *mfaSource) attach(ctx context.Context, serial, code **string, attrs *[]slog.Attr) (string, error) {
	if m == nil {
		return "", nil
	}
	c, err := m.code(ctx)
	if err != nil {
		return "", err
	}
	s, tc := m.serial, c.reveal()
	*serial, *code = &s, &tc
	*attrs = append(*attrs, slog.String("serial", s))
	return s, nil
}

// ctxMutex is a mutex whose Lock gives up when the context is done, so a
// caller waiting behind a slow prompt can still time out.
type ctxMutex chan struct{}

func newCtxMutex() ctxMutex { return make(ctxMutex, 1) }

func (m ctxMutex) Lock(ctx context.Context) error {
	select {
	case m <- struct{}{}:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (m ctxMutex) Unlock() { <-m }
