package stsrules

import (
	"regexp"
	"testing"
)

// IsRegion and IsAccessKeyID replace these patterns, for speed; they
// must accept exactly what the patterns accept.
var (
	regionPattern      = regexp.MustCompile(`^(?:[a-z]{2}(?:-[a-z]+)+-[0-9]{1,2}|aws-global)$`)
	accessKeyIDPattern = regexp.MustCompile(`^[A-Z0-9]{16,128}$`)
)

func FuzzIsRegion(f *testing.F) {
	for _, s := range []string{"us-east-1", "us-gov-west-1", "ap-southeast-10", "aws-global", "eu-west-001", "us-east",
		"us-1", "u-east-1", "use-east-1", "us--east-1", "us-east-1-", "-us-east-1", "us-East-1", "", "cn-north-1", "aws-global-1"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if got, want := IsRegion(s), regionPattern.MatchString(s); got != want {
			t.Fatalf("IsRegion(%q) = %v, want %v", s, got, want)
		}
	})
}

func FuzzIsAccessKeyID(f *testing.F) {
	for _, s := range []string{"AKIAIOSFODNN7EXAMPLE", "ASIA0123456789ABCDEF", "akiaiosfodnn7example", "AKIA_IOSFODNN7EXAMPLE",
		"AKIAIOSFODNN7EX", "AKIAIOSFODNN7EXAMPLÉ", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if got, want := IsAccessKeyID(s), accessKeyIDPattern.MatchString(s); got != want {
			t.Fatalf("IsAccessKeyID(%q) = %v, want %v", s, got, want)
		}
	})
}
