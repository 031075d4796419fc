package awssession

import (
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/awssession/awssession/internal/stsrules"
)

// AssumeRole describes one hop of a role chain.
type AssumeRole struct {
	// RoleARN is the role to assume, arn:PARTITION:iam::ACCOUNT:role/[PATH/]NAME.
	RoleARN string
	// RoleSessionName names the session (2–64 of [\w+=,.@-]); empty means a
	// generated name.
	RoleSessionName string
	// ExternalID is the external ID the role's trust policy requires, if any.
	ExternalID string
	// SourceIdentity is set on the session and kept through chaining.
	SourceIdentity string
	// Policy is an inline session policy (JSON) that narrows the role.
	Policy string
	// PolicyARNs are managed session policies (at most 10).
	PolicyARNs []string
	// Tags are session tags (at most 50).
	Tags map[string]string
	// TransitiveTagKeys are tag keys that pass on to chained sessions.
	TransitiveTagKeys []string
	// Duration is the session length, 15 min to 12 h, at most the role's
	// maximum and at most 1 h when chained; 0 means 1 h.
	Duration time.Duration
}

// DefaultRoleDuration is the role session length used when
// [AssumeRole].Duration is 0 (the SDK's own default is 15 min).
const DefaultRoleDuration = time.Hour

// DurationPolicy says what a session does with a role duration that STS
// would refuse: more than 1 h for a chained role (a role assumed with
// temporary credentials: another role's, or GetSessionToken's), known
// before any call, or more than the role's MaxSessionDuration, which only
// STS knows. A DurationPolicy is itself an [Option].
type DurationPolicy int

const (
	// RefuseDurations makes CreateSession return an [ErrInvalidInput] error
	// that names the hop and the chaining limit, and passes STS's refusal
	// of a duration over the role's maximum on to the caller. It is the
	// default: a session that silently ends hours before the caller planned
	// is worse than an error.
	RefuseDurations DurationPolicy = iota
	// ClampDurations lowers a chained role's duration to 1 h before the
	// call, and retries a role STS refused for exceeding its maximum at
	// 1 h (the least any role allows), logging why at info level. A retry
	// with MFA needs a fresh code.
	ClampDurations
)

func (p DurationPolicy) String() string {
	if p == ClampDurations {
		return "clamp"
	}
	return "refuse"
}

// hop is one role hop before planning: a profile's role_arn or a
// WithAssumeRole. Both are checked by validate, the one rule for hops.
type hop struct {
	role    AssumeRole // Duration 0: not set
	profile string     // the profile whose role_arn this is; "" for WithAssumeRole
	serial  string     // the profile's mfa_serial
	index   int        // WithAssumeRole's index; -1 for a profile's role
}

// label names the hop in logs and errors.
func (h hop) label() string {
	if h.profile != "" {
		return fmt.Sprintf("profile %q", h.profile)
	}
	return fmt.Sprintf("AssumeRole[%d]", h.index)
}

// profileKeys are the profile keys of the AssumeRole fields a profile can
// set.
var profileKeys = map[string]string{"RoleARN": "role_arn", "RoleSessionName": "role_session_name",
	"ExternalID": "external_id", "Duration": "duration_seconds", "MFASerial": "mfa_serial"}

// at points at param of the hop: a WithAssumeRole field, or the profile
// key that sets it.
func (h hop) at(param string) at {
	if h.profile != "" {
		return profileAt(h.profile, profileKeys[param])
	}
	return roleAt(h.index, param)
}

// validate checks a hop against the STS API model, naming the field or
// profile key, before any call.
func (h hop) validate() error {
	r := h.role
	var errs []error
	add := func(param, format string, args ...any) {
		errs = append(errs, invalid(h.at(param), format, args...))
	}
	errs = append(errs, validateRoleARN(h.at("RoleARN"), r.RoleARN))
	checks := []struct {
		name, value string
		p           stsrules.Param
		echo        bool
	}{
		{"RoleSessionName", r.RoleSessionName, stsrules.RoleSessionName, true},
		{"ExternalID", r.ExternalID, stsrules.ExternalID, false},
		{"SourceIdentity", r.SourceIdentity, stsrules.SourceIdentity, true},
		{"Policy", r.Policy, stsrules.Policy, false},
	}
	for _, c := range checks {
		if c.value == "" {
			continue
		}
		if v := c.p.Check(c.value); v != nil {
			if c.echo {
				add(c.name, "%q: %s", c.value, v.Rule)
			} else {
				add(c.name, "%s", v.Rule)
			}
		}
	}
	if strings.HasPrefix(strings.ToLower(r.SourceIdentity), "aws:") {
		add("SourceIdentity", "must not start with aws: (reserved)")
	}
	if r.Policy != "" && !json.Valid([]byte(r.Policy)) {
		add("Policy", "is not valid JSON")
	}
	if len(r.PolicyARNs) > stsrules.MaxPolicyARNs {
		add("PolicyARNs", "%d managed policies; STS takes at most %d", len(r.PolicyARNs), stsrules.MaxPolicyARNs)
	}
	packed := len(r.Policy)
	for j, p := range r.PolicyARNs {
		packed += len(p)
		if err := validatePolicyARN(p); err != nil {
			add(fmt.Sprintf("PolicyARNs[%d]", j), "%s: %v", p, err)
		}
	}
	if packed > stsrules.MaxPackedPolicyChars {
		add("Policy", "inline policy and policy ARNs total %d characters; STS allows %d", packed, stsrules.MaxPackedPolicyChars)
	}
	errs = append(errs, validateTags(h, r.Tags, r.TransitiveTagKeys)...)
	if r.Duration == badDuration {
		add("Duration", "must be a whole number of seconds from 900 to 43200")
	} else {
		errs = append(errs, validateDuration(h.at("Duration"), r.Duration, stsrules.MaxAssumeRoleSeconds))
	}
	if h.serial != "" {
		errs = append(errs, validateSerial(h.at("MFASerial"), h.serial))
	}
	return errors.Join(errs...)
}

// validateRoleARN checks a role ARN.
func validateRoleARN(field at, arn string) error {
	if arn == "" {
		return invalid(field, "is empty")
	}
	if _, _, err := stsrules.ParseIAMARN(arn, "role"); err != nil {
		return invalid(field, "%s: %v", arn, err)
	}
	if v := stsrules.RoleARN.Check(arn); v != nil {
		return invalid(field, "%s", v.Rule)
	}
	return nil
}

func validatePolicyARN(s string) error {
	a, err := stsrules.ParseARN(s)
	switch {
	case err != nil:
		return err
	case a.Service != "iam" || !strings.HasPrefix(a.Resource, "policy/"):
		return errors.New("not an IAM policy ARN (arn:aws:iam::ACCOUNT:policy/NAME)")
	case a.Account != "aws" && !stsrules.IsAccountID(a.Account):
		return errors.New("account must be 12 digits, or aws for AWS managed policies")
	}
	if v := stsrules.PolicyARN.Check(s); v != nil {
		return errors.New(v.Rule)
	}
	return nil
}

func validateTags(h hop, tags map[string]string, transitive []string) []error {
	var errs []error
	if len(tags) > stsrules.MaxTags {
		errs = append(errs, invalid(h.at("Tags"), "%d tags; STS takes at most %d", len(tags), stsrules.MaxTags))
	}
	seen := map[string]string{}
	for _, k := range slices.Sorted(maps.Keys(tags)) {
		if v := stsrules.TagKey.Check(k); v != nil {
			errs = append(errs, invalid(h.at("Tags"), "key %q: %s", k, v.Rule))
		}
		if v := stsrules.TagValue.Check(tags[k]); v != nil {
			errs = append(errs, invalid(h.at("Tags"), "value of %q: %s", k, v.Rule))
		}
		if prev, dup := seen[strings.ToLower(k)]; dup {
			errs = append(errs, invalid(h.at("Tags"), "keys %q and %q differ only in case; STS treats them as one", prev, k))
		}
		seen[strings.ToLower(k)] = k
	}
	if len(transitive) > stsrules.MaxTransitiveTagKeys {
		errs = append(errs, invalid(h.at("TransitiveTagKeys"), "%d keys; STS takes at most %d", len(transitive), stsrules.MaxTransitiveTagKeys))
	}
	for _, k := range transitive {
		if v := stsrules.TagKey.Check(k); v != nil {
			errs = append(errs, invalid(h.at("TransitiveTagKeys"), "key %q: %s", k, v.Rule))
		}
	}
	return errs
}

// capChained applies the 1 h limit STS sets on chained role sessions to
// layer l of hop h.
func (o *options) capChained(p *plan, l *layer, h hop, signer string) error {
	if !l.chained || l.duration <= time.Hour {
		return nil
	}
	if o.durations == ClampDurations {
		p.notes = append(p.notes, fmt.Sprintf("role %s: duration clamped from %s to the 1 h limit for chained roles", l.role.RoleARN, l.duration))
		l.duration = time.Hour
		return nil
	}
	return invalid(h.at("Duration"), "%s exceeds the 1 hour limit STS sets for roles assumed with temporary credentials (this hop is signed by %s)",
		l.duration, signer).advise(RemedyClampDurations)
}

// signer describes what signs hop i's AssumeRole call.
func signer(p *plan, hops []hop, i int) string {
	switch {
	case i > 0 && hops[i-1].profile != "":
		return "the session of " + hops[i-1].label()
	case i > 0:
		return "the session of role " + hops[i-1].role.RoleARN
	case len(p.layers) > 0:
		return "GetSessionToken credentials"
	}
	return p.src.name
}
