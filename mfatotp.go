package awssession

import (
	"context"
	"encoding/base32"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/pquerna/otp"
	"github.com/pquerna/otp/totp"
)

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
