package awssession

import (
	"context"
	"errors"
	"time"
)

// Plan describes the session a set of options builds, for display (the
// CLI's explain command) and tests.
type Plan struct {
	// Source is what signs the first STS call, e.g. `profile "dev"`.
	Source string
	// Region is the resolved region, "" when none is configured.
	Region string
	// Layers are the STS layers, bottom up.
	Layers []PlannedLayer
}

// PlannedLayer is one STS layer of a [Plan].
type PlannedLayer struct {
	// Kind is "profile role", "GetSessionToken" or "AssumeRole".
	Kind string
	// Name tells the layer apart in logs and errors, e.g. "AssumeRole[1]".
	Name string
	// RoleARN is the role assumed, for role layers.
	RoleARN string
	// Duration is the session length that will be asked for.
	Duration time.Duration
	// MFASerial is the MFA device whose code this layer sends, if any.
	MFASerial string
	// Chained reports a role assumed with temporary credentials (1 h cap).
	Chained bool
	// CacheKey is the layer's key in the session's [Cache] ("" without
	// one); Cached reports an entry that is still good, Expires its end.
	CacheKey string
	Cached   bool
	Expires  time.Time
	// Calls reports that the next use of the session calls STS for this
	// layer; Prompts, that it will also ask for an MFA code.
	Calls, Prompts bool
}

// Explain returns the plan for opts without any network call: the same
// checks as [CreateSession], the chain it would build, and which layers a
// cache (see [WithCache]) would serve.
func Explain(ctx context.Context, opts ...Option) (Plan, error) {
	s, err := prepare(ctx, opts)
	if err != nil {
		return Plan{}, err
	}
	p := Plan{Source: s.o.sourceName(), Region: s.cfg.Region}
	served := false // a layer above is served from the cache, so this one is not used
	for i := len(s.plan.layers) - 1; i >= 0; i-- {
		l := s.plan.layers[i]
		pl := PlannedLayer{Kind: string(l.kind), Name: l.name, RoleARN: l.roleARN, Duration: l.duration,
			MFASerial: s.o.mfaSerialIf(l.mfa), Chained: l.chained}
		if s.o.cache != nil {
			c, reason := (&cachedLayer{key: l.key, cache: s.o.cache, now: s.o.now}).read(ctx)
			pl.CacheKey, pl.Cached, pl.Expires = l.key, reason == "", c.Expires
		}
		pl.Calls = !served && !pl.Cached
		pl.Prompts = pl.Calls && l.mfa
		served = served || pl.Cached
		p.Layers = append([]PlannedLayer{pl}, p.Layers...)
	}
	return p, nil
}

// InvalidateSession removes the cache entries of the session opts
// describe (which must include [WithCache]), so that its next use calls
// STS afresh. Other sessions' entries stay. It makes no network call.
func InvalidateSession(ctx context.Context, opts ...Option) error {
	s, err := prepare(ctx, opts)
	if err != nil {
		return err
	}
	if s.o.cache == nil {
		return invalid("WithCache", "InvalidateSession needs the cache the session uses")
	}
	var errs []error
	for _, l := range s.plan.layers {
		errs = append(errs, s.o.cache.Delete(ctx, l.key))
	}
	return errors.Join(errs...)
}
