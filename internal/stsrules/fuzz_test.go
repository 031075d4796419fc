package stsrules

import (
	"strings"
	"testing"
)

// FuzzParseIAMARN checks that parsing never panics and that whatever it
// accepts is a well-formed IAM ARN that prints back as given.
func FuzzParseIAMARN(f *testing.F) {
	for _, s := range []string{
		"arn:aws:iam::123456789012:role/Admin", "arn:aws:iam::123456789012:role/a/b/c/Admin",
		"arn:aws-cn:iam::123456789012:mfa/alice", "arn:aws:iam::123456789012:user/alice",
		"arn:aws:iam::123456789012:root", "arn:aws:sts::123456789012:assumed-role/A/s", "arn::::::", "",
	} {
		f.Add(s, "role")
		f.Add(s, "mfa")
	}
	f.Fuzz(func(t *testing.T, s, kind string) {
		a, name, err := ParseIAMARN(s, kind)
		if err != nil {
			return
		}
		if a.String() != s {
			t.Fatalf("got %q back, want %q", a.String(), s)
		}
		if name == "" || strings.Contains(name, "/") || a.Service != "iam" || a.Region != "" || len(a.Account) != 12 {
			t.Fatalf("accepted a malformed ARN %q: %+v name %q", s, a, name)
		}
		if !strings.HasPrefix(a.Resource, kind+"/") {
			t.Fatalf("accepted %q as %s", s, kind)
		}
	})
}

// FuzzParamCheck checks that every rule's verdict agrees with CheckAll and
// never panics on any string.
func FuzzParamCheck(f *testing.F) {
	for _, s := range []string{"alice", "a:b", "", "123456", "ünï", "arn:aws:iam::123456789012:mfa/x", "\x00\xff"} {
		f.Add(s)
	}
	params := []Param{RoleARN, RoleSessionName, ExternalID, SourceIdentity, SerialNumber, TokenCode, Policy, FederationName, TagKey, TagValue}
	f.Fuzz(func(t *testing.T, s string) {
		for _, p := range params {
			if (p.Check(s) == nil) != (len(p.CheckAll(s)) == 0) {
				t.Fatalf("%s: Check and CheckAll disagree on %q", p.Member, s)
			}
		}
	})
}
