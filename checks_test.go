package awssession

import (
	"regexp"
	"strings"
	"testing"
)

// isRegion, isAccessKeyID and isProfileName replace these patterns, for
// speed; they must accept exactly what the patterns accept.
var (
	regionPattern      = regexp.MustCompile(`^(?:[a-z]{2}(?:-[a-z]+)+-[0-9]{1,2}|aws-global)$`)
	accessKeyIDPattern = regexp.MustCompile(`^[A-Z0-9]{16,128}$`)
	profilePattern     = regexp.MustCompile(`^[^\s\[\]]{1,256}$`)
)

func FuzzIsRegion(f *testing.F) {
	for _, s := range []string{"us-east-1", "us-gov-west-1", "ap-southeast-10", "aws-global", "eu-west-001", "us-east",
		"us-1", "u-east-1", "use-east-1", "us--east-1", "us-east-1-", "-us-east-1", "us-East-1", "", "cn-north-1", "aws-global-1"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if got, want := isRegion(s), regionPattern.MatchString(s); got != want {
			t.Fatalf("isRegion(%q) = %v, want %v", s, got, want)
		}
	})
}

func FuzzIsAccessKeyID(f *testing.F) {
	for _, s := range []string{"AKIAIOSFODNN7EXAMPLE", "ASIA0123456789ABCDEF", "akiaiosfodnn7example", "AKIA_IOSFODNN7EXAMPLE",
		"AKIAIOSFODNN7EX", "AKIAIOSFODNN7EXAMPLÉ", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if got, want := isAccessKeyID(s), accessKeyIDPattern.MatchString(s); got != want {
			t.Fatalf("isAccessKeyID(%q) = %v, want %v", s, got, want)
		}
	})
}

func FuzzIsProfileName(f *testing.F) {
	for _, s := range []string{"dev", "", " ", "a b", "[dev]", "dev]", "a\tb", "a\vb", "naïve", "\xff", "a\x00b",
		strings.Repeat("a", 256), strings.Repeat("a", 257), strings.Repeat("é", 256), strings.Repeat("é", 257), "a\u00a0b"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if got, want := isProfileName(s), profilePattern.MatchString(s); got != want {
			t.Fatalf("isProfileName(%q) = %v, want %v", s, got, want)
		}
	})
}
