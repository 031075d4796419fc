package main

import (
	"context"
	"errors"
	"sync"

	"github.com/awssession/awssession"
	"github.com/awssession/awssession/internal/keyring"
)

// keyringSource returns the source option for a profile chain whose base
// profile holds no credentials in the shared files but has keys in the
// keyring: WithSource with the keyring's lazy provider. It returns nil
// when the keyring has nothing to add (no profile, a base with
// credentials of its own, or, with no backend named, no keys held for it
// or no keyring here), so that the session is what it was without one.
// With a backend named (--keyring-backend, $AWSSESSION_KEYRING_BACKEND),
// the keyring is the base's source even before it is opened: missing
// keys are then a clear error (exit 2), never a fall back to EC2 metadata.
//
// The cache id names the backend and profile, not the key: it is known
// without unlocking the keyring, so a cached session is served without a
// passphrase prompt; remove and rotate drop the sessions above the keys.
func (c *cli) keyringSource(ctx context.Context, opts []awssession.Option) (awssession.Option, error) {
	// Planned with a stand-in source, the chain tells its base profile;
	// the plan fails when that profile holds credentials of its own.
	// Planning also wants codes for an mfa_serial, unless opts has them.
	opts = append(opts[:len(opts):len(opts)], awssession.WithSource(&keyring.Provider{}, "keyring:plan"))
	plan, err := awssession.Explain(ctx, opts...)
	if err != nil {
		plan, err = awssession.Explain(ctx, append(opts, awssession.WithProfileMFA(noCodes))...)
	}
	if err != nil || plan.BaseProfile == "" || plan.BaseCredentials != "" {
		return nil, nil // CreateSession reports the error, or needs no keyring
	}
	return c.keyringSourceFor(plan.BaseProfile), nil
}

// noCodes stands in for MFA codes in plans, which ask for none.
func noCodes(context.Context, string) (string, error) {
	return "", errors.New("no MFA code while planning")
}

// keyringSourceFor is keyringSource for a known base profile.
func (c *cli) keyringSourceFor(base string) awssession.Option {
	s := c.keyringSettings()
	if !c.keyringNamed() {
		kr, err := keyring.Open(s)
		if err != nil || !holdsKeys(kr, base) {
			return nil
		}
		s.Backend = kr.Backend()
	}
	return awssession.WithSource(&keyring.Provider{Settings: s, Profile: base}, sourceID(s.Backend, base))
}

// sourceID is the cache id of a profile's keys in a backend.
func sourceID(backend, profile string) string { return "keyring:" + backend + ":" + profile }

// holdsKeys reports whether kr lists keys for profile (reading no secret).
func holdsKeys(kr *keyring.Keyring, profile string) bool {
	held, err := kr.Profiles()
	if err != nil {
		return false
	}
	for _, h := range held {
		if h.Profile == profile && h.Keys {
			return true
		}
	}
	return false
}

// keyringTokens returns MFA codes computed from the TOTP seed the keyring
// holds for the first of profiles that has one (the session's profile,
// then its base), else from next (a prompt). The keyring is opened only
// when a code is needed, once; the TOTP provider it builds then serves
// every later code (never the same one twice).
func (c *cli) keyringTokens(next awssession.TokenProvider, profiles ...string) awssession.TokenProvider {
	var (
		mu     sync.Mutex
		tokens awssession.TokenProvider
	)
	return func(ctx context.Context, serial string) (string, error) {
		mu.Lock()
		defer mu.Unlock()
		if tokens == nil {
			t, err := c.seedTokens(profiles)
			if err != nil {
				return "", err
			}
			tokens = t
			if tokens == nil {
				tokens = next
			}
		}
		return tokens(ctx, serial)
	}
}

// seedTokens returns a TOTP provider from the first seed held for
// profiles, nil when none is (or, with no backend named, no keyring is
// here).
func (c *cli) seedTokens(profiles []string) (awssession.TokenProvider, error) {
	kr, err := c.openKeyring()
	if err != nil {
		if c.keyringNamed() {
			return nil, err
		}
		return nil, nil
	}
	for _, p := range profiles {
		seed, err := kr.TOTPSeed(p)
		switch {
		case err == nil:
			c.mfaFrom = "the TOTP seed of profile " + p + " in the keyring (" + kr.Backend() + ")"
			return awssession.TOTP(seed.Reveal()), nil
		case !errors.Is(err, keyring.ErrNotFound):
			return nil, err
		}
	}
	return nil, nil
}
