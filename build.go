package awssession

import (
	"context"
	"log/slog"

	"github.com/aws/aws-sdk-go-v2/aws"
)

// build wires the planned layers on top of the source. Each layer is kept
// in memory (and, with a cache, on disk) on its own, so a role refresh
// reuses the MFA session below it instead of asking for a new code; the
// top is the one cache callers see.
func (s *session) build() aws.CredentialsProvider {
	o, cfg := s.o, s.cfg
	log := o.logger
	debug := log.Enabled(context.Background(), slog.LevelDebug)
	if debug {
		log.Debug("session layer", slog.String("layer", "source"), slog.String("source", s.o.sourceName()))
	}
	prov := cfg.Credentials
	for _, l := range s.plan.layers {
		if debug {
			log.Debug("session layer", slog.String("layer", l.name), slog.String("role", l.roleARN),
				slog.Duration("duration", l.duration), slog.Bool("chained", l.chained), slog.Bool("mfa", l.mfa),
				slog.Bool("cached", o.cache != nil))
		}
		var next aws.CredentialsProvider
		switch l.kind {
		case profileRoleLayer:
			next = prov // the SDK's own provider for the profile
		case sessionTokenLayer:
			st := &sessionTokenProvider{client: newLazySTSClient(cfg, prov, o.stsEndpoint), duration: l.duration, log: log}
			if l.mfa {
				st.mfa = s.mfa
			}
			next = st
		case assumeRoleLayer:
			ar := &assumeRoleProvider{client: newLazySTSClient(cfg, prov, o.stsEndpoint), role: l.role,
				sessionName: l.sessionName, duration: l.duration, log: log, clampToRoleMax: o.durations == ClampDurations}
			if l.mfa {
				ar.mfa = s.mfa
			}
			next = ar
		}
		if o.cache != nil {
			next = &cachedLayer{name: l.name, key: l.key, cache: o.cache, next: next, log: log, now: o.now}
		}
		prov = inMemory(next)
	}
	return prov
}

// inMemory wraps p in the SDK's credentials cache unless it is one already.
func inMemory(p aws.CredentialsProvider) aws.CredentialsProvider {
	if c, ok := p.(*aws.CredentialsCache); ok {
		return c
	}
	return aws.NewCredentialsCache(p, func(o *aws.CredentialsCacheOptions) { o.ExpiryWindow = expiryWindow })
}
