// Package stsrules holds the parameter constraints of the STS API model
// (botocore data/sts/2011-06-15) and the exact text STS uses when a value
// breaks one. The client-side validation in package awssession and the
// server-side validation in package ststest both use it, so the two can
// never disagree.
package stsrules

import (
	"fmt"
	"regexp"
	"sync"
	"unicode/utf8"
)

// Param is one string parameter's constraints, as the API model states them.
// Patterns are matched against the whole value, as the service does.
type Param struct {
	// Member is the lowerCamelCase member name STS puts in its messages.
	Member string
	// Min and Max bound the length in characters; Max 0 means no bound.
	Min, Max int
	// Pattern is the model's pattern text, quoted verbatim in messages.
	Pattern string
	re      func() *regexp.Regexp
}

func newParam(member string, min, max int, pattern, goPattern string) Param {
	return Param{Member: member, Min: min, Max: max, Pattern: pattern, re: LazyRegexp(`^(?:` + goPattern + `)$`)}
}

// LazyRegexp compiles pattern on first use. Compiling every rule's pattern
// (the Unicode classes above especially) at start-up cost the CLI 2.5 ms
// per run, and most runs match only a few of them.
func LazyRegexp(pattern string) func() *regexp.Regexp {
	return sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(pattern) })
}

// The Go forms of the model's character classes. Java's \w is ASCII, like Go's.
const (
	arnChars    = `[\x{9}\x{A}\x{D}\x{20}-\x{7E}\x{85}\x{A0}-\x{D7FF}\x{E000}-\x{FFFD}\x{10000}-\x{10FFFF}]+`
	policyChars = `[\x{9}\x{A}\x{D}\x{20}-\x{FF}]+`
	tagChars    = `[\p{L}\p{Z}\p{N}_.:/=+\-@]`
)

// Parameters of AssumeRole, GetSessionToken, GetFederationToken and
// GetAccessKeyInfo.
var (
	RoleARN          = newParam("roleArn", 20, 2048, `[\u0009\u000A\u000D\u0020-\u007E\u0085\u00A0-\uD7FF\uE000-\uFFFD\u10000-\u10FFFF]+`, arnChars)
	RoleSessionName  = newParam("roleSessionName", 2, 64, `[\w+=,.@-]*`, `[\w+=,.@-]*`)
	ExternalID       = newParam("externalId", 2, 1224, `[\w+=,.@:\/-]*`, `[\w+=,.@:/-]*`)
	SourceIdentity   = newParam("sourceIdentity", 2, 64, `[\w+=,.@-]*`, `[\w+=,.@-]*`)
	SerialNumber     = newParam("serialNumber", 9, 256, `[\w+=/:,.@-]*`, `[\w+=/:,.@-]*`)
	TokenCode        = newParam("tokenCode", 6, 6, `[\d]*`, `[0-9]*`)
	Policy           = newParam("policy", 1, 0, `[\u0009\u000A\u000D\u0020-\u00FF]+`, policyChars)
	FederationPolicy = newParam("policy", 1, 2048, `[\u0009\u000A\u000D\u0020-\u00FF]+`, policyChars)
	PolicyARN        = newParam("arn", 20, 2048, RoleARN.Pattern, arnChars)
	FederationName   = newParam("name", 2, 32, `[\w+=,.@-]*`, `[\w+=,.@-]*`)
	TagKey           = newParam("key", 1, 128, `[\p{L}\p{Z}\p{N}_.:/=+\-@]+`, tagChars+`+`)
	TagValue         = newParam("value", 0, 256, `[\p{L}\p{Z}\p{N}_.:/=+\-@]*`, tagChars+`*`)
	AccessKeyID      = newParam("accessKeyId", 16, 128, `[\w]*`, `[\w]*`)
	// WebIdentityToken and ProviderID (AssumeRoleWithWebIdentity) have
	// lengths but no pattern in the model.
	WebIdentityToken = newParam("webIdentityToken", 4, 20000, "", `(?s:.*)`)
	ProviderID       = newParam("providerId", 4, 2048, "", `(?s:.*)`)
)

// Limits on list parameters and durations.
const (
	MaxPolicyARNs        = 10
	MaxTags              = 50
	MaxTransitiveTagKeys = 50
	// MaxPackedPolicyChars is the documented limit on inline plus managed
	// session policy plaintext together.
	MaxPackedPolicyChars = 2048

	MinDurationSeconds         = 900
	MaxSessionTokenSeconds     = 129600 // GetSessionToken, GetFederationToken
	DefaultSessionTokenSeconds = 43200
	MaxAssumeRoleSeconds       = 43200
	DefaultAssumeRoleSeconds   = 3600
	RoleChainingMaxSeconds     = 3600
	RootSessionMaxSeconds      = 3600
	MinRoleMaxSessionSeconds   = 3600 // IAM MaxSessionDuration range
	MaxRoleMaxSessionSeconds   = 43200
)

// Check reports the first constraint value breaks, or nil. Length is
// counted in characters, as the service counts it.
func (p Param) Check(value string) *Violation {
	n := utf8.RuneCountInString(value)
	switch {
	case n < p.Min:
		return &Violation{Member: p.Member, Value: value, Rule: fmt.Sprintf("Member must have length greater than or equal to %d", p.Min)}
	case p.Max > 0 && n > p.Max:
		return &Violation{Member: p.Member, Value: value, Rule: fmt.Sprintf("Member must have length less than or equal to %d", p.Max)}
	case !p.re().MatchString(value):
		return &Violation{Member: p.Member, Value: value, Rule: "Member must satisfy regular expression pattern: " + p.Pattern}
	}
	return nil
}

// CheckRange reports a value outside [min, max] for an integer member.
func CheckRange(member string, value, min, max int) *Violation {
	v := fmt.Sprint(value)
	switch {
	case value < min:
		return &Violation{Member: member, Value: v, Rule: fmt.Sprintf("Member must have value greater than or equal to %d", min)}
	case value > max:
		return &Violation{Member: member, Value: v, Rule: fmt.Sprintf("Member must have value less than or equal to %d", max)}
	}
	return nil
}

// Violation is one broken constraint.
type Violation struct {
	Member, Value, Rule string
}

// Error returns the text STS sends for a single violation:
// "1 validation error detected: Value 'x' at 'member' failed to satisfy constraint: rule".
func (v *Violation) Error() string { return Message([]*Violation{v}) }

// Detail is the part of the message that describes this violation alone.
func (v *Violation) Detail() string {
	return fmt.Sprintf("Value '%s' at '%s' failed to satisfy constraint: %s", v.Value, v.Member, v.Rule)
}

// Message joins violations the way STS does: "N validation errors detected: a; b".
func Message(vs []*Violation) string {
	ps := make([]Problem, len(vs))
	for i, v := range vs {
		ps[i] = v
	}
	return Report(ps)
}
