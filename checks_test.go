package awssession

import (
	"regexp"
	"strings"
	"testing"
)

// isProfileName replaces this pattern, for
// speed; they must accept exactly what the patterns accept.
var (
	profilePattern = regexp.MustCompile(`^[^\s\[\]]{1,256}$`)
)

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
