package awssession

import (
	"context"
	"encoding/base32"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/awssession/awssession/internal/stsrules"
	"github.com/pquerna/otp"
	"github.com/pquerna/otp/totp"
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

// TOTPPeriod is the time step of AWS virtual MFA devices (RFC 6238).
const TOTPPeriod = 30 * time.Second

// Bounds of a TOTP seed, in base32 characters: RFC 4226 asks for at least
// 128 bits and accepts no less than 80 (16 characters); AWS issues 320
// bits (64 characters). Anything past 1024 characters is a mistake (a
// whole file in the variable), not a seed.
const (
	minSeedChars = 16
	maxSeedChars = 1024
)

var totpOptions = totp.ValidateOpts{Period: 30, Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1}

// TOTP returns a provider that computes codes from a virtual MFA device's
// base32 seed (RFC 6238: HMAC-SHA1, 6 digits, 30 s steps). It never returns
// the same code twice: when the current step's code was already handed out
// it waits for the next step, or until ctx is done, and says so at info
// level in the session's logger ("waiting 23 s for a fresh MFA code").
// Given to [WithMFA] or [WithProfileMFA], it also skips the codes any
// other provider for the same device used in this process (and, with
// [WithCache], in other processes), so two TOTP providers for one device
// never send the same code. It is safe for concurrent use. A seed that is not base32, shorter than 16
// characters (80 bits) or longer than 1024 makes every call return an error
// matching [ErrInvalidInput] that names "TOTP secret" (the seed itself is
// never shown).
func TOTP(base32Secret string) TokenProvider {
	return newTOTP(secret(base32Secret), realClock{}).code
}

type totpSource struct {
	seed  secret
	bad   error // why the seed cannot work; nil when it can
	clock clock

	mu       ctxMutex
	lastStep int64 // last step handed out; 0 = none
}

func newTOTP(seed secret, c clock) *totpSource {
	norm, err := normaliseSeed(seed)
	return &totpSource{seed: norm, bad: err, clock: c, mu: newCtxMutex()}
}

// normaliseSeed accepts a seed as apps show it (lower case, in groups,
// padded) and returns it in upper case without spaces or padding, or an
// error that names the field and never quotes the seed.
func normaliseSeed(seed secret) (secret, error) {
	raw := seed.reveal()
	if len(raw) > maxSeedChars {
		return "", invalid(namedAt("TOTP secret"), "longer than %d characters; it is not a TOTP seed", maxSeedChars)
	}
	norm := strings.TrimRight(strings.ToUpper(strings.Join(strings.Fields(raw), "")), "=")
	if _, err := base32.StdEncoding.WithPadding(base32.NoPadding).DecodeString(norm); err != nil {
		return "", invalid(namedAt("TOTP secret"), "not a base32 seed (letters A-Z and digits 2-7)")
	}
	if len(norm) < minSeedChars {
		return "", invalid(namedAt("TOTP secret"), "%d base32 characters, want at least %d (80 bits)", len(norm), minSeedChars)
	}
	return secret(norm), nil
}

func (s *totpSource) code(ctx context.Context, serialNumber string) (string, error) {
	if s.bad != nil {
		return "", s.bad
	}
	askedAgain(ctx) // asked again, it waits for the next step's code
	if err := s.mu.Lock(ctx); err != nil {
		return "", fmt.Errorf("TOTP for %s: %w", serialNumber, err)
	}
	defer s.mu.Unlock()
	now := s.clock.Now()
	step := now.Unix() / int64(TOTPPeriod/time.Second)
	if step <= s.lastStep {
		next := time.Unix((s.lastStep+1)*int64(TOTPPeriod/time.Second), 0)
		wait := next.Sub(now)
		loggerFrom(ctx).LogAttrs(ctx, slog.LevelInfo, fmt.Sprintf("waiting %d s for a fresh MFA code", int((wait+time.Second-1)/time.Second)),
			slog.String("serial", serialNumber))
		select {
		case <-ctx.Done():
			return "", fmt.Errorf("TOTP for %s: waiting for the next code: %w", serialNumber, ctx.Err())
		case <-s.clock.After(wait):
		}
		now, step = next, s.lastStep+1
	}
	code, err := totp.GenerateCodeCustom(s.seed.reveal(), now, totpOptions)
	if err != nil {
		// The error text of the otp package does not echo the seed.
		return "", invalid(namedAt("TOTP secret"), "not a base32 seed: %v", err)
	}
	s.lastStep = step
	return code, nil
}

// mfaDevice is an MFA serial and where its codes come from.
type mfaDevice struct {
	SerialNumber string
	Tokens       TokenProvider
	// ifProfileHasOne: WithProfileMFA, codes for the profile's device if
	// it names one; SerialNumber is "".
	ifProfileHasOne bool
}

// name is the option's name, for errors.
func (m *mfaDevice) name() OptionName {
	if m.ifProfileHasOne {
		return OptionWithProfileMFA
	}
	return OptionWithMFA
}

func (m *mfaDevice) String() string {
	if m.ifProfileHasOne {
		return "WithProfileMFA()"
	}
	return fmt.Sprintf("WithMFA(%s)", m.SerialNumber)
}
