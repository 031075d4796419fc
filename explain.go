package awssession

import (
	"context"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
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
	// SourceLayer is the bottom layer: what signs the first call.
	SourceLayer PlannedSource
	// MFASerial is the MFA device whose code a layer sends, "" for none;
	// MFAProcess is the mfa_process (aws-vault's key: a command that
	// prints the code) of the profile that names that device, if any.
	MFASerial, MFAProcess string
	// Layers are the STS layers above the source, bottom up.
	Layers []PlannedLayer
}

// PlannedSource is the bottom layer of a [Plan].
type PlannedSource struct {
	// Kind is what the credentials are: SourceKeys, SourceSSO, …
	Kind SourceKind
	// Name tells the source apart in logs and errors.
	Name string
	// Profile is the profile whose credentials these are, "" for none.
	Profile string
	// From says where the credentials live: "the shared files", "the
	// environment", "WithStaticCredentials", a [WithSource] id (e.g.
	// "keyring:file:dev"), the credential_process command, the token file
	// of an SSO or console sign-in session.
	From string
	// CredentialSource is the profile's credential_source (Environment,
	// Ec2InstanceMetadata, EcsContainer) when that names the source.
	CredentialSource string
	// RoleARN is a web identity source's role.
	RoleARN string
	// Endpoint is where the source's calls go, "" for AWS's own.
	Endpoint string
	// Region is the region of the source's calls (an SSO session's
	// sso_region).
	Region string
	// Session names an SSO session (the sso_session, or the start URL of
	// a legacy profile) or a console sign-in session (login_session).
	Session string
	// TokenExpires is when that session's cached token (SSO) or
	// credentials (console sign-in) expire; zero when there is none.
	TokenExpires time.Time
	// SignInNeeded reports an SSO or console sign-in session without a
	// token that can be used or renewed: a person must sign in first.
	SignInNeeded bool
	// Used reports that the next use of the session asks the source for
	// credentials (no layer above it is served from the cache).
	Used bool
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

// A Prepared session is a checked set of options with its plan, made
// once: it explains, peeks at the cache and creates the session without
// reading the world or planning again. It is for a program that needs
// more than one of these for one session, such as a command line that
// prints notes from the plan and then creates the session. It is safe
// for concurrent use.
type Prepared struct{ s *session }

// Prepare checks opts, reads the shared files, the environment and the
// sign-in token files once, and plans the session, without any network
// call and without loading the SDK's config. Its errors are
// [CreateSession]'s.
func Prepare(ctx context.Context, opts ...Option) (*Prepared, error) {
	s, err := prepare(ctx, opts)
	if err != nil {
		return nil, err
	}
	return &Prepared{s: s}, nil
}

// Config builds the session, as [CreateSession] does.
func (p *Prepared) Config(ctx context.Context) (aws.Config, error) { return p.s.config(ctx) }

// Explain returns the plan for opts without any network call and without
// loading the SDK's config: the same checks as [CreateSession], the chain
// it would build from the shared files, and which layers a cache (see
// [WithCache]) would serve.
func Explain(ctx context.Context, opts ...Option) (Plan, error) {
	p, err := Prepare(ctx, opts...)
	if err != nil {
		return Plan{}, err
	}
	return p.Plan(ctx), nil
}

// Plan returns the plan, with the cache's state read now.
func (p *Prepared) Plan(ctx context.Context) Plan {
	s := p.s
	out := Plan{Source: s.plan.src.name, Region: s.plan.region, LongTermKeys: s.plan.src.longTerm(),
		SourceLayer: s.plannedSource(), MFASerial: s.plan.mfaSerial, MFAProcess: s.plan.mfaProcess}
	if c := s.plan.src.profile; c != nil {
		out.Profile, out.BaseProfile, out.BaseCredentials = c.top, c.base.Profile, string(c.kind)
	}
	served := false // a layer above is served from the cache, so this one is not used
	if n := len(s.plan.layers); n > 0 {
		out.Layers = make([]PlannedLayer, n)
	}
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
		out.Layers[i] = pl
	}
	out.SourceLayer.Used = !served
	return out
}

// plannedSource describes the plan's source for Plan.
func (s *session) plannedSource() PlannedSource {
	src := s.plan.src
	ps := PlannedSource{Kind: src.kind, Name: src.name, From: src.from, Region: s.plan.region}
	if c := src.profile; c != nil {
		ps.Profile, ps.CredentialSource = c.base.Profile, c.base.CredentialSource
	}
	switch {
	case src.webIdentity != nil:
		ps.RoleARN, ps.Endpoint = src.webIdentity.roleARN, s.plan.endpointOf(serviceSTS).url
	case src.sso != nil:
		ps.Session, ps.Region, ps.Endpoint = firstOf(src.sso.session, src.sso.startURL), src.sso.region, s.plan.endpointOf(serviceSSO).url
		ps.TokenExpires, ps.SignInNeeded = src.sso.token.expires, !src.sso.token.usable(s.o.world.clock.Now())
	case src.login != nil:
		ps.Session, ps.Endpoint = src.login.session, s.plan.endpointOf(serviceSignin).url
		ps.TokenExpires = src.login.token.expires
		ps.SignInNeeded = !src.login.token.exists || src.login.token.problem != "" || !src.login.token.refreshable
	case src.kind == SourceContainer || src.kind == SourceIMDS:
		ps.Endpoint = redactURL(src.url)
	}
	return ps
}

// layerCache is the cache in front of layer i, for reading.
func (s *session) layerCache(i int) *cachedLayer {
	l := s.plan.layers[i]
	return &cachedLayer{name: l.name, key: l.key, account: s.layerAccount(i), cache: s.o.cache, log: s.o.logger, now: s.o.world.clock.Now}
}

// PeekedSession is what [PeekSession] found: the credentials the
// session's config would hand out first, and its region.
type PeekedSession struct {
	Credentials aws.Credentials
	// Region is the session's region as CreateSession resolves it.
	Region string
}

// PeekSession returns the credentials and region of the session opts
// describe when they are at hand without any network call and without
// loading the SDK's config (no AWS_CA_BUNDLE parse, no HTTP or STS
// client): static keys with no STS layer above them, or the top layer's
// fresh entry in the session's [Cache]. It plans exactly as
// [CreateSession] does, from the options and the shared files, and
// checks the same things; ok is false on a miss, and then CreateSession
// does the work. It is the warm path of commands that run many times a
// day, such as a credential_process.
func PeekSession(ctx context.Context, opts ...Option) (s PeekedSession, ok bool, err error) {
	p, err := Prepare(ctx, opts...)
	if err != nil {
		return PeekedSession{}, false, err
	}
	s, ok = p.Peek(ctx)
	return s, ok, nil
}

// Peek is [PeekSession] for the prepared session.
func (p *Prepared) Peek(ctx context.Context) (s PeekedSession, ok bool) {
	ses := p.s
	s.Region = ses.plan.region
	if len(ses.plan.layers) == 0 {
		if ses.plan.src.kind != SourceKeys || ses.o.expectedAccount != "" {
			// Keys alone name no account: CreateSession asks STS.
			return PeekedSession{}, false
		}
		s.Credentials = ses.plan.src.keys.credentials(staticSource)
		return s, true
	}
	if ses.o.cache == nil {
		return PeekedSession{}, false
	}
	creds, hit := ses.layerCache(len(ses.plan.layers)-1).lookup(ctx, "cache hit")
	if !hit {
		return PeekedSession{}, false
	}
	creds.Expires = handedOutUntil(creds.Expires)
	s.Credentials = creds
	return s, true
}

// handedOutUntil is the expiry the top layer's aws.CredentialsCache
// reports for credentials that expire at t: it moves Expires earlier by
// its expiry window (no jitter is configured). Explain, PeekSession and
// the config's Credentials all show this one time.
func handedOutUntil(t time.Time) time.Time {
	if t.IsZero() {
		return t
	}
	return t.Add(-expiryWindow)
}
