package awssession

import (
	"context"
	"time"
)

// Plan describes the session a set of options builds, for display (the
// CLI's explain command) and tests.
type Plan struct {
	// Source is what signs the first STS call, e.g. `profile "base" AKIA…`.
	Source string
	// Profile is the profile the session runs ("" for none) and
	// BaseProfile the one at the base of its source_profile chain, whose
	// credentials sign the first call; BaseCredentials says what that
	// profile holds: "keys", "credential_process", "sso", "web identity",
	// "credential_source", "login", or "" for nothing (see [WithSource]).
	Profile, BaseProfile, BaseCredentials string
	// LongTermKeys reports a source known to be long-term keys before any
	// call (keys without a session token, or a [WithSource]): an MFA
	// session (GetSessionToken) can be put on it.
	LongTermKeys bool
	// Region is the resolved region, "" when none is configured.
	Region string
	// Layers are the STS layers, bottom up.
	Layers []PlannedLayer
}

// PlannedLayer is one STS layer of a [Plan].
type PlannedLayer struct {
	// Kind is LayerGetSessionToken or LayerAssumeRole.
	Kind LayerKind
	// Name tells the layer apart in logs and errors, e.g. "AssumeRole[1]",
	// or `profile "admin"` for a profile's role_arn.
	Name string
	// Profile is the profile whose role_arn this hop is, "" for a
	// [WithAssumeRole] hop or the MFA session.
	Profile string
	// RoleARN is the role assumed, for role layers.
	RoleARN string
	// Duration is the session length that will be asked for.
	Duration time.Duration
	// MFASerial is the MFA device whose code this layer sends, if any.
	MFASerial string
	// Chained reports a role assumed with temporary credentials (1 h cap).
	Chained bool
	// CacheKey is the layer's key in the session's [Cache] ("" without
	// one); Cached reports an entry that is still good, Expires when the
	// session hands it out until (what env and credential-process show).
	CacheKey string
	Cached   bool
	Expires  time.Time
	// Calls reports that the next use of the session calls STS for this
	// layer; Prompts, that it will also ask for an MFA code.
	Calls, Prompts bool
}

// Explain returns the plan for opts without any network call and without
// loading the SDK's config: the same checks as [CreateSession], the chain
// it would build from the shared files, and which layers a cache (see
// [WithCache]) would serve.
func Explain(ctx context.Context, opts ...Option) (Plan, error) {
	s, err := prepare(ctx, opts)
	if err != nil {
		return Plan{}, err
	}
	src := s.plan.src
	p := Plan{Source: src.name, Region: s.plan.region, LongTermKeys: src.longTerm()}
	if c := s.plan.src.profile; c != nil {
		p.Profile, p.BaseProfile, p.BaseCredentials = c.top, c.base.Profile, string(c.kind)
	}
	served := false // a layer above is served from the cache, so this one is not used
	for i := len(s.plan.layers) - 1; i >= 0; i-- {
		l := s.plan.layers[i]
		pl := PlannedLayer{Kind: l.kind, Name: l.name, Profile: l.profile, RoleARN: l.role.RoleARN, Duration: l.duration,
			MFASerial: l.mfaSerial, Chained: l.chained}
		if s.o.cache != nil {
			c, reason := s.layerCache(i).read(ctx)
			pl.CacheKey, pl.Cached, pl.Expires = l.key, reason == "", handedOutUntil(c.Expires)
		}
		pl.Calls = !served && !pl.Cached
		pl.Prompts = pl.Calls && l.mfaSerial != ""
		served = served || pl.Cached
		p.Layers = append([]PlannedLayer{pl}, p.Layers...)
	}
	return p, nil
}

// layerCache is the cache in front of layer i, for reading.
func (s *session) layerCache(i int) *cachedLayer {
	l := s.plan.layers[i]
	return &cachedLayer{name: l.name, key: l.key, account: s.layerAccount(i), cache: s.o.cache, log: s.o.logger, now: s.o.world.clock.Now}
}
