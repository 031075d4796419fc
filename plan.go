package awssession

import (
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
)

// plan is the chain a session will build, decided after the shared config
// is loaded and before any network call.
type plan struct {
	layers []layer
}

// layerKind tells the STS layers apart.
type layerKind string

const (
	profileRoleLayer  layerKind = "profile role"
	sessionTokenLayer layerKind = "GetSessionToken"
	assumeRoleLayer   layerKind = "AssumeRole"
)

// layer is one planned STS layer.
type layer struct {
	kind        layerKind
	name        string // e.g. AssumeRole[1], for logs and errors
	key         string // cache key
	roleARN     string
	role        AssumeRole // assumeRoleLayer only
	sessionName string
	duration    time.Duration
	mfa         bool // this layer sends the MFA code
	chained     bool
}

func (o *options) plan(cfg aws.Config, roles *profileRoles) (*plan, error) {
	p := &plan{}
	profileRole, serials, hops := roles.state()
	if profileRole {
		if err := o.checkProfileRoles(cfg); err != nil {
			return nil, err
		}
	}
	if cfg.Region != o.region { // the region came from the environment or a profile
		if !isRegion(cfg.Region) && cfg.Region != "" {
			return nil, invalid("region", "%q (from the environment or the profile) is not a region name like us-east-1", cfg.Region)
		}
		if err := o.validatePartitions(cfg.Region); err != nil {
			return nil, err
		}
	}
	if o.mfa != nil && o.mfa.ifProfileHasOne && len(serials) == 0 {
		o.mfa = nil // no device to supply codes for
	}
	switch {
	case len(serials) > 1:
		return nil, conflict("WithProfile", "the profile chain uses MFA devices %s; a session uses one", strings.Join(serials, ", "))
	case len(serials) == 1 && o.mfa == nil:
		return nil, invalid("WithMFA", "%s uses MFA device %s (mfa_serial); pass WithMFA(%q, tokens) to supply its codes", o.sourceName(), serials[0], serials[0])
	case len(serials) == 1 && o.mfa.SerialNumber != "" && o.mfa.SerialNumber != serials[0]:
		return nil, conflict("WithMFA", "device %s differs from the profile's mfa_serial %s", o.mfa.SerialNumber, serials[0])
	case o.mfa != nil && o.mfa.SerialNumber == "" && len(serials) == 0:
		return nil, invalid("WithMFA.SerialNumber", "is empty, which means the profile's mfa_serial, but %s names no MFA device", o.sourceName())
	}
	if o.mfa != nil {
		o.mfaSerial = o.mfa.SerialNumber
		if o.mfaSerial == "" {
			o.mfaSerial = serials[0]
		}
	}
	if o.gst != nil && profileRole {
		return nil, conflict("WithGetSessionToken", "%s assumes a role, but GetSessionToken needs long-term IAM user keys; use the profile's source_profile instead", o.sourceName())
	}
	mfaUsed := len(serials) == 1
	var parentKey []any
	if o.cache != nil {
		parentKey = o.sourceKey()
	}
	if profileRole && len(hops) > 0 {
		last := hops[len(hops)-1]
		l := layer{kind: profileRoleLayer, name: o.sourceName(), roleARN: last.RoleARN, duration: last.Duration, mfa: mfaUsed,
			key: o.cacheKey("profile", parentKey, hops)}
		p.layers = append(p.layers, l)
		parentKey = []any{l.key}
	}
	if o.gst != nil {
		d := *o.gst
		if d == 0 {
			d = DefaultSessionTokenDuration
		}
		l := layer{kind: sessionTokenLayer, name: "GetSessionToken", duration: d, mfa: o.mfa != nil && !mfaUsed}
		l.key = o.cacheKey("session", parentKey, d.Seconds(), o.mfaSerialIf(l.mfa))
		mfaUsed = mfaUsed || l.mfa
		p.layers = append(p.layers, l)
		parentKey = []any{l.key}
	}
	temporarySource := profileRole || o.gst != nil || (o.static != nil && o.static.SessionToken != "")
	now := o.now()
	for i, r := range o.roles {
		l := layer{kind: assumeRoleLayer, name: fmt.Sprintf("AssumeRole[%d]", i), role: r, roleARN: r.RoleARN,
			sessionName: r.RoleSessionName, duration: r.Duration, chained: i > 0 || temporarySource,
			mfa: i == 0 && o.mfa != nil && !mfaUsed}
		mfaUsed = mfaUsed || l.mfa
		if l.sessionName == "" {
			l.sessionName = defaultSessionName(now)
		}
		if l.duration == 0 {
			l.duration = DefaultRoleDuration
		}
		if err := o.capChained(&l, p.signer(o, i)); err != nil {
			return nil, err
		}
		// The requested session name, not the generated one, so that the
		// next process finds this entry.
		l.key = o.cacheKey("role", parentKey, r.RoleARN, r.RoleSessionName, r.ExternalID, r.SourceIdentity, r.Policy,
			r.PolicyARNs, r.Tags, r.TransitiveTagKeys, l.duration.Seconds(), o.mfaSerialIf(l.mfa))
		p.layers = append(p.layers, l)
		parentKey = []any{l.key}
	}
	if o.mfa != nil && !mfaUsed {
		return nil, conflict("WithMFA", "no layer takes an MFA code: add WithGetSessionToken or WithAssumeRole, or use a profile with mfa_serial")
	}
	return p, nil
}

// cacheKey is the key of a layer in the session's cache, "" without one.
func (o *options) cacheKey(kind string, parts ...any) string {
	if o.cache == nil {
		return ""
	}
	return cacheKey(kind, parts...)
}

func (o *options) mfaSerialIf(used bool) string {
	if !used {
		return ""
	}
	return o.mfaSerial
}

// capChained applies the 1 h limit STS sets on chained role sessions.
func (o *options) capChained(l *layer, signer string) error {
	if !l.chained || l.duration <= time.Hour {
		return nil
	}
	if o.durations == ClampDurations {
		o.logger.Info("role duration clamped to the 1 h limit for chained roles",
			slog.String("role", l.roleARN), slog.Duration("requested", l.duration), slog.String("signed_by", signer))
		l.duration = time.Hour
		return nil
	}
	return invalid(l.name+".Duration", "%s exceeds the 1 hour limit STS sets for roles assumed with temporary credentials (this hop is signed by %s); ask for at most 1h, or use WithDurationPolicy(ClampDurations)", l.duration, signer)
}

// signer describes what signs hop i's AssumeRole call.
func (p *plan) signer(o *options, i int) string {
	switch {
	case i > 0:
		return fmt.Sprintf("the session of AssumeRole[%d]", i-1)
	case o.gst != nil:
		return "GetSessionToken credentials"
	}
	return o.sourceName()
}

// sourceName is what signs the first STS call, for logs and errors.
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

// sourceKey identifies the source layer in cache keys without reading any
// secret: the access key ID, or the profile name. For the default chain it
// is what the chain will read first: keys in the environment, else the
// profile it names.
func (o *options) sourceKey() []any {
	switch {
	case o.static != nil:
		return []any{"keys", o.static.AccessKeyID, o.stsEndpoint}
	case o.profile != nil:
		return []any{"profile", *o.profile, o.getenv("AWS_CONFIG_FILE"), o.stsEndpoint}
	case o.getenv("AWS_ACCESS_KEY_ID") != "":
		return []any{"keys", o.getenv("AWS_ACCESS_KEY_ID"), o.stsEndpoint}
	}
	profile := o.getenv("AWS_PROFILE")
	if profile == "" {
		profile = o.getenv("AWS_DEFAULT_PROFILE")
	}
	if profile == "" {
		profile = "default"
	}
	return []any{"profile", profile, o.getenv("AWS_CONFIG_FILE"), o.stsEndpoint}
}
