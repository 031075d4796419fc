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

type assumeRoleOption struct{ role AssumeRole }

func (a assumeRoleOption) apply(o *options) { o.roles = append(o.roles, a.role) }

// DefaultRoleDuration is the role session length used when
// [AssumeRole].Duration is 0 (the SDK's own default is 15 min).
const DefaultRoleDuration = time.Hour

// WithAssumeRole adds one role hop on top of the layers before it. Repeat it
// to chain roles; hops run in the order given.
func WithAssumeRole(role AssumeRole) Option { return assumeRoleOption{role: role} }

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

func (p DurationPolicy) apply(o *options) { o.durations = p }

func validateRole(i int, r AssumeRole) error {
	var errs []error
	add := func(param, format string, args ...any) {
		errs = append(errs, invalid(roleAt(i, param), format, args...))
	}
	if r.RoleARN == "" {
		add("RoleARN", "is empty")
	} else if _, _, err := stsrules.ParseIAMARN(r.RoleARN, "role"); err != nil {
		add("RoleARN", "%s: %v", r.RoleARN, err)
	} else if v := stsrules.RoleARN.Check(r.RoleARN); v != nil {
		add("RoleARN", "%s", v.Rule)
	}
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
	errs = append(errs, validateTags(i, r.Tags, r.TransitiveTagKeys)...)
	if err := validateDuration(roleAt(i, "Duration"), r.Duration, stsrules.MaxAssumeRoleSeconds); err != nil {
		errs = append(errs, err)
	}
	return errors.Join(errs...)
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

func validateTags(i int, tags map[string]string, transitive []string) []error {
	var errs []error
	if len(tags) > stsrules.MaxTags {
		errs = append(errs, invalid(roleAt(i, "Tags"), "%d tags; STS takes at most %d", len(tags), stsrules.MaxTags))
	}
	seen := map[string]string{}
	for _, k := range slices.Sorted(maps.Keys(tags)) {
		if v := stsrules.TagKey.Check(k); v != nil {
			errs = append(errs, invalid(roleAt(i, "Tags"), "key %q: %s", k, v.Rule))
		}
		if v := stsrules.TagValue.Check(tags[k]); v != nil {
			errs = append(errs, invalid(roleAt(i, "Tags"), "value of %q: %s", k, v.Rule))
		}
		if prev, dup := seen[strings.ToLower(k)]; dup {
			errs = append(errs, invalid(roleAt(i, "Tags"), "keys %q and %q differ only in case; STS treats them as one", prev, k))
		}
		seen[strings.ToLower(k)] = k
	}
	if len(transitive) > stsrules.MaxTransitiveTagKeys {
		errs = append(errs, invalid(roleAt(i, "TransitiveTagKeys"), "%d keys; STS takes at most %d", len(transitive), stsrules.MaxTransitiveTagKeys))
	}
	for _, k := range transitive {
		if v := stsrules.TagKey.Check(k); v != nil {
			errs = append(errs, invalid(roleAt(i, "TransitiveTagKeys"), "key %q: %s", k, v.Rule))
		}
	}
	return errs
}
