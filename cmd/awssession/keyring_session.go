package main

import (
	"context"
	"errors"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/awssession/awssession"
	"github.com/awssession/awssession/internal/keyring"
)

// keyringSource is the lookup of awssession.WithProfileSource: the keys
// of a profile chain's base profile that holds no credentials in the
// shared files. With no backend named, the keyring is used only when it
// holds keys for that profile (else the session is what it was without
// one); with a backend named (--keyring-backend,
// $AWSSESSION_KEYRING_BACKEND), the keyring is the base's source even
// before it is opened: missing keys are then a clear error (exit 2), never
// a fall back to EC2 metadata.
//
// The cache id is the keyring's (keyring.CacheID): the backend, the
// profile and a stamp of the stored key, read without unlocking the
// keyring, so a cached session is served without a passphrase prompt,
// and only while the keys it was built on are the ones stored. A wrong
// passphrase is not noticed on such a warm run: it guards the keys at
// rest, the cached sessions are the cache directory's (mode 0700); the
// first run that needs the keys refuses it.
func (c *cli) keyringSource(base string) (aws.CredentialsProvider, string, bool) {
	s := c.keyringSettings()
	kr, err := c.openKeyring()
	if !c.keyringNamed() {
		if err != nil || !c.keyringHolds(base) {
			return nil, "", false
		}
		s.Backend = kr.Backend()
	}
	id := "keyring:" + s.Backend + ":" + base + ":unopened" // Retrieve then says why it cannot open
	if err == nil {
		id = kr.CacheID(base)
	}
	return &keyring.Provider{Settings: s, Profile: base}, id, true
}

// noCodes stands in for MFA codes in plans, which ask for none.
func noCodes(context.Context, string) (string, error) {
	return "", errors.New("no MFA code while planning")
}

// keyringHolds reports whether the run's keyring lists keys for profile
// (reading no secret), from one listing per run.
func (c *cli) keyringHolds(profile string) bool {
	if c.keyrings.keys == nil {
		c.keyrings.keys = map[string]bool{}
		if kr, err := c.openKeyring(); err == nil {
			if held, err := kr.Profiles(); err == nil {
				for _, h := range held {
					c.keyrings.keys[h.Profile] = h.Keys
				}
			}
		}
	}
	return c.keyrings.keys[profile]
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
			// The seed may be held for the session's profile or for
			// the base of its chain (where the keys are): asked only
			// now that a code is needed, never on a warm run.
			if len(profiles) == 1 && c.prepared != nil {
				if base := c.prepared.Plan(ctx).BaseProfile; base != "" && base != profiles[0] {
					profiles = append(profiles, base)
				}
			}
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
			return awssession.TOTP(seed.Reveal()), nil
		case !errors.Is(err, keyring.ErrNotFound):
			return nil, err
		}
	}
	return nil, nil
}
