package stsrules

import (
	"errors"
	"fmt"
	"strings"
)

// ARN is an Amazon Resource Name split into its six fields.
type ARN struct {
	Partition, Service, Region, Account, Resource string
}

// String joins the fields back into arn:partition:service:region:account:resource.
func (a ARN) String() string {
	return strings.Join([]string{"arn", a.Partition, a.Service, a.Region, a.Account, a.Resource}, ":")
}

var (
	accountRE = LazyRegexp(`^[0-9]{12}$`)
	// Names are 1-64 (MFA devices 1-128) of these; lengths are checked
	// apart, since counted repeats compile ten times slower (0.1 ms each,
	// paid by every CLI run).
	iamNameRE  = LazyRegexp(`^[\w+=,.@-]+$`)
	iamPathRE  = LazyRegexp(`^/(?:[\x{21}-\x{7E}]+/)?$`)
	hardwareRE = LazyRegexp(`^[A-Za-z0-9]+$`) // 9-32 of them: see IsHardwareSerial
)

// Partitions lists the partitions IAM and STS ARNs may name.
var partitions = []struct{ name, regionPrefix string }{
	// Order matters: longer prefixes first.
	{"aws-us-gov", "us-gov-"},
	{"aws-iso-b", "us-isob-"},
	{"aws-iso-f", "us-isof-"},
	{"aws-iso", "us-iso-"},
	{"aws-iso-e", "eu-isoe-"},
	{"aws-eusc", "eusc-"},
	{"aws-cn", "cn-"},
}

// PartitionForRegion returns the partition a region belongs to; "aws" for
// everything not in a special partition (including the empty region).
func PartitionForRegion(region string) string {
	for _, p := range partitions {
		if strings.HasPrefix(region, p.regionPrefix) {
			return p.name
		}
	}
	return "aws"
}

// KnownPartition reports whether name is a partition AWS has.
func KnownPartition(name string) bool {
	if name == "aws" {
		return true
	}
	for _, p := range partitions {
		if p.name == name {
			return true
		}
	}
	return false
}

// ParseARN splits s into its fields. It checks only the shape common to
// every ARN; callers check the service and resource they expect.
func ParseARN(s string) (ARN, error) {
	parts := strings.SplitN(s, ":", 6)
	if len(parts) != 6 || parts[0] != "arn" {
		return ARN{}, errors.New("not an ARN (want arn:partition:service:region:account:resource)")
	}
	a := ARN{Partition: parts[1], Service: parts[2], Region: parts[3], Account: parts[4], Resource: parts[5]}
	if !KnownPartition(a.Partition) {
		return a, fmt.Errorf("unknown partition %q", a.Partition)
	}
	return a, nil
}

// ParseIAMARN parses an IAM ARN whose resource is kind/[path/]name (kind
// "role", "user", "mfa") and returns the ARN and the name. IAM ARNs have an
// empty region and a 12-digit account.
func ParseIAMARN(s, kind string) (ARN, string, error) {
	a, err := ParseARN(s)
	if err != nil {
		return a, "", err
	}
	if a.Service != "iam" {
		return a, "", fmt.Errorf("service is %q, want iam", a.Service)
	}
	if a.Region != "" {
		return a, "", errors.New("IAM ARNs have an empty region field")
	}
	if !IsAccountID(a.Account) {
		return a, "", fmt.Errorf("account %q is not 12 digits", a.Account)
	}
	gotKind, rest, _ := strings.Cut(a.Resource, "/")
	if gotKind != kind || rest == "" {
		return a, "", fmt.Errorf("resource %q is not %s/NAME", a.Resource, kind)
	}
	path, name := "/", rest
	if i := strings.LastIndex(rest, "/"); i >= 0 {
		path, name = "/"+rest[:i+1], rest[i+1:]
	}
	maxName := 64
	if kind == "mfa" {
		maxName = 128
	}
	if len(name) > maxName || !iamNameRE().MatchString(name) {
		return a, "", fmt.Errorf("%s name %q must be 1-%d characters of [\\w+=,.@-]", kind, name, maxName)
	}
	if len(path) > 512 || !iamPathRE().MatchString(path) {
		return a, "", fmt.Errorf("path %q must be / or /.../ of printable ASCII, at most 512 characters", path)
	}
	return a, name, nil
}

// IsHardwareSerial reports whether s looks like a hardware TOTP device
// serial (e.g. GAHT12345678) rather than an ARN. Such serials are short; a
// longer string (the model allows 256) is more likely a TOTP seed pasted in
// the wrong place, and would be echoed in errors, so it is refused.
func IsHardwareSerial(s string) bool {
	return len(s) >= 9 && len(s) <= 32 && hardwareRE().MatchString(s)
}

// IsAccountID reports whether s is a 12-digit AWS account ID.
func IsAccountID(s string) bool { return accountRE().MatchString(s) }

// IsIAMName reports whether s is a valid IAM user or role name: 1-64 of
// [\w+=,.@-].
func IsIAMName(s string) bool { return len(s) <= 64 && iamNameRE().MatchString(s) }
