package stsrules

import "strings"

// signingRegions are the regions a SigV4 credential scope may name at
// STS, from aws-sdk-go-v2's partitions.json (core v1.47.7), without the
// *-global pseudo-regions, which the SDK never signs with.
var signingRegions = map[string]bool{
	"af-south-1": true, "ap-east-1": true, "ap-east-2": true, "ap-northeast-1": true, "ap-northeast-2": true,
	"ap-northeast-3": true, "ap-south-1": true, "ap-south-2": true, "ap-southeast-1": true, "ap-southeast-2": true,
	"ap-southeast-3": true, "ap-southeast-4": true, "ap-southeast-5": true, "ap-southeast-6": true, "ap-southeast-7": true,
	"ca-central-1": true, "ca-west-1": true, "eu-central-1": true, "eu-central-2": true, "eu-north-1": true,
	"eu-south-1": true, "eu-south-2": true, "eu-west-1": true, "eu-west-2": true, "eu-west-3": true,
	"il-central-1": true, "me-central-1": true, "me-south-1": true, "mx-central-1": true, "sa-east-1": true,
	"us-east-1": true, "us-east-2": true, "us-west-1": true, "us-west-2": true,
	"cn-north-1": true, "cn-northwest-1": true,
	"eusc-de-east-1": true,
	"us-iso-east-1":  true, "us-iso-west-1": true,
	"us-isob-east-1": true, "us-isob-west-1": true,
	"eu-isoe-west-1": true,
	"us-isof-east-1": true, "us-isof-south-1": true,
	"us-gov-east-1": true, "us-gov-west-1": true,
}

// IsSigningRegion reports whether region is a real AWS region, one STS
// accepts in a SigV4 credential scope.
func IsSigningRegion(region string) bool { return signingRegions[region] }

// IsAccessKeyID reports 16-128 upper-case letters and digits (AKIA…,
// ASIA…). The API model allows \w, but a stricter check catches keys given
// the wrong way round before a secret key is logged as an ID. This and
// IsRegion run in every CreateSession, so they are loops, not regexps:
// the two matches were half of CreateSession's own work.
func IsAccessKeyID(s string) bool {
	if len(s) < 16 || len(s) > 128 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; !('A' <= c && c <= 'Z' || '0' <= c && c <= '9') {
			return false
		}
	}
	return true
}

// IsRegion reports a region name: aws-global, or two letters, one or more
// words of letters and a number of one or two digits, joined by '-'
// (us-east-1, us-gov-west-1, ap-southeast-10): the regexp
// ^(?:[a-z]{2}(?:-[a-z]+)+-[0-9]{1,2}|aws-global)$.
func IsRegion(s string) bool {
	if s == "aws-global" {
		return true
	}
	words := 0
	for i := 0; ; i++ {
		w, rest, more := strings.Cut(s, "-")
		switch {
		case !more: // the last part: the number
			return words >= 2 && len(w) >= 1 && len(w) <= 2 && allIn(w, '0', '9')
		case i == 0 && len(w) != 2, w == "", !allIn(w, 'a', 'z'):
			return false
		}
		words++
		s = rest
	}
}

// allIn reports whether every byte of s is in [lo, hi].
func allIn(s string, lo, hi byte) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < lo || s[i] > hi {
			return false
		}
	}
	return true
}
