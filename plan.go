package awssession

import (
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
)

// plan is the chain CreateSession will build, decided after the shared
// config is loaded and before any network call.
type plan struct {
	source      string // what signs the first STS call, for logs and errors
	profileRole bool   // the source itself is a role session (profile role_arn)
	mfaOnGST    bool
	mfaOnRole   bool // on the first hop
	hops        []hop
}

type hop struct {
	role        AssumeRole
	sessionName string
	duration    time.Duration
	chained     bool
}

func (o *options) plan(cfg aws.Config, roles *profileRoles) (*plan, error) {
	p := &plan{source: o.sourceName()}
	var serials []string
	p.profileRole, serials = roles.state()
	if err := o.validatePartitions(cfg.Region); err != nil {
		return nil, err
	}
	switch {
	case len(serials) > 1:
		return nil, conflict("WithProfile", "the profile chain uses MFA devices %s; a session uses one", strings.Join(serials, ", "))
	case len(serials) == 1 && o.mfa == nil:
		return nil, invalid("WithMFA", "%s uses MFA device %s (mfa_serial); pass WithMFA(%q, tokens) to supply its codes", p.source, serials[0], serials[0])
	case len(serials) == 1 && o.mfa.SerialNumber != serials[0]:
		return nil, conflict("WithMFA", "device %s differs from the profile's mfa_serial %s", o.mfa.SerialNumber, serials[0])
	}
	if o.gst != nil && p.profileRole {
		return nil, conflict("WithGetSessionToken", "%s assumes a role, but GetSessionToken needs long-term IAM user keys; use the profile's source_profile instead", p.source)
	}
	if o.mfa != nil && len(serials) == 0 {
		p.mfaOnGST = o.gst != nil
		p.mfaOnRole = o.gst == nil && len(o.roles) > 0
		if !p.mfaOnGST && !p.mfaOnRole {
			return nil, conflict("WithMFA", "no layer takes an MFA code: add WithGetSessionToken or WithAssumeRole, or use a profile with mfa_serial")
		}
	}
	temporarySource := p.profileRole || o.gst != nil || (o.static != nil && o.static.SessionToken != "")
	now := time.Now()
	for i, r := range o.roles {
		h := hop{role: r, sessionName: r.RoleSessionName, duration: r.Duration, chained: i > 0 || temporarySource}
		if h.sessionName == "" {
			h.sessionName = defaultSessionName(now)
		}
		if h.duration == 0 {
			h.duration = DefaultRoleDuration
		}
		if err := o.capChained(i, &h, p.signer(o, i)); err != nil {
			return nil, err
		}
		p.hops = append(p.hops, h)
	}
	return p, nil
}

// capChained applies the 1 h limit STS sets on chained role sessions.
func (o *options) capChained(i int, h *hop, signer string) error {
	if !h.chained || h.duration <= time.Hour {
		return nil
	}
	field := fmt.Sprintf("AssumeRole[%d].Duration", i)
	if o.durations == ClampDurations {
		o.logger.Info("role duration clamped to the 1 h limit for chained roles",
			slog.String("role", h.role.RoleARN), slog.Duration("requested", h.duration), slog.String("signed_by", signer))
		h.duration = time.Hour
		return nil
	}
	return invalid(field, "%s exceeds the 1 hour limit STS sets for roles assumed with temporary credentials (this hop is signed by %s); ask for at most 1h, or use WithDurationPolicy(ClampDurations)", h.duration, signer)
}

// signer describes what signs hop i's AssumeRole call.
func (p *plan) signer(o *options, i int) string {
	switch {
	case i > 0:
		return fmt.Sprintf("the session of AssumeRole[%d]", i-1)
	case o.gst != nil:
		return "GetSessionToken credentials"
	}
	return p.source
}

func (o *options) sourceName() string {
	switch {
	case o.static != nil && o.static.SessionToken != "":
		return "static temporary keys " + o.static.AccessKeyID
	case o.static != nil:
		return "static keys " + o.static.AccessKeyID
	case o.profile != nil:
		return fmt.Sprintf("profile %q", *o.profile)
	}
	return "the default credential chain"
}

// build wires the layers: source → GetSessionToken → roles. Every layer
// that signs another keeps its credentials in a cache of its own, so a
// role refresh reuses the MFA session below it instead of asking for a
// new code; the top is the one cache callers see.
func (o *options) build(cfg aws.Config, p *plan, mfa *mfaSource) aws.CredentialsProvider {
	log := o.logger
	log.Debug("session layer", slog.String("layer", "source"), slog.String("source", p.source), slog.Bool("role_profile", p.profileRole))
	prov := cfg.Credentials
	if o.gst != nil {
		d := *o.gst
		if d == 0 {
			d = DefaultSessionTokenDuration
		}
		st := &sessionTokenProvider{client: newSTSClient(cfg, prov, o.stsEndpoint), duration: d, log: log}
		if p.mfaOnGST {
			st.mfa = mfa
		}
		log.Debug("session layer", slog.String("layer", "GetSessionToken"), slog.Duration("duration", d), slog.Bool("mfa", st.mfa != nil))
		prov = cached(st)
	}
	for i, h := range p.hops {
		ar := &assumeRoleProvider{client: newSTSClient(cfg, prov, o.stsEndpoint), role: h.role,
			sessionName: h.sessionName, duration: h.duration, log: log}
		if i == 0 && p.mfaOnRole {
			ar.mfa = mfa
		}
		log.Debug("session layer", slog.String("layer", fmt.Sprintf("AssumeRole[%d]", i)), slog.String("role", h.role.RoleARN),
			slog.Duration("duration", h.duration), slog.Bool("chained", h.chained), slog.Bool("mfa", ar.mfa != nil))
		prov = cached(ar)
	}
	return prov
}

// cached wraps p in the SDK's credentials cache unless it is one already.
func cached(p aws.CredentialsProvider) aws.CredentialsProvider {
	if c, ok := p.(*aws.CredentialsCache); ok {
		return c
	}
	return aws.NewCredentialsCache(p, func(o *aws.CredentialsCacheOptions) { o.ExpiryWindow = expiryWindow })
}
