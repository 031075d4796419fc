package awssession

import (
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/awssession/awssession/internal/stsrules"
)

// FuzzDecodeCredentials feeds arbitrary bytes to the cache entry decoder:
// it must never panic, and whatever it accepts must be complete and
// survive a round trip.
func FuzzDecodeCredentials(f *testing.F) {
	good, _ := encodeCredentials(aws.Credentials{AccessKeyID: "ASIAXXXXXXXXXXXXXXXX", SecretAccessKey: "s",
		SessionToken: "t", Expires: time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC), AccountID: "123456789012"})
	for _, s := range []string{string(good), "", "{}", "null", `{"version":1}`, string(good[:len(good)/2]), string(good) + "{}"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		c, err := decodeCredentials(b)
		if err != nil {
			if strings.Contains(err.Error(), "secretAccessKey\":") {
				t.Fatalf("the error quotes the entry: %v", err)
			}
			return
		}
		if c.AccessKeyID == "" || c.SecretAccessKey == "" || c.SessionToken == "" || c.Expires.IsZero() || !c.CanExpire {
			t.Fatalf("accepted an incomplete entry: %q", b)
		}
		again, err := encodeCredentials(c)
		if err != nil {
			t.Fatal(err)
		}
		c2, err := decodeCredentials(again)
		if err != nil || c2 != c {
			t.Fatalf("round trip changed the entry: %v", err)
		}
	})
}

// FuzzValidateSerial checks that MFA serial validation never panics, and
// that what it accepts STS's own rule accepts too.
func FuzzValidateSerial(f *testing.F) {
	for _, s := range []string{"arn:aws:iam::123456789012:mfa/alice", "GAHT12345678", "arn:aws:iam::123456789012:user/alice",
		"arn:aws:iam::123456789012:u2f/user/alice/k", "", "arn:aws-cn:iam::123456789012:mfa/a/b"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if err := validateSerial(namedAt("f"), s); err == nil {
			if v := checkSerialRule(s); v != "" {
				t.Fatalf("accepted %q that STS refuses: %s", s, v)
			}
		}
	})
}

func checkSerialRule(s string) string {
	if v := stsrules.SerialNumber.Check(s); v != nil {
		return v.Rule
	}
	return ""
}
