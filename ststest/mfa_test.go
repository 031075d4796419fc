package ststest_test

import (
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/stretchr/testify/require"

	"github.com/awssession/awssession/ststest"
)

const (
	msgBadCode       = "MultiFactorAuthentication failed with invalid MFA one time pass code."
	msgUnknownSerial = "MultiFactorAuthentication failed, unable to validate MFA code.  Please verify your MFA serial number is valid and associated with this user."
)

// wrongCode returns a six-digit code that is valid in none of the steps
// the server accepts at its current time.
func (f *fixture) wrongCode() string {
	now := f.clock.Now()
	valid := map[string]bool{}
	for _, d := range []time.Duration{-30 * time.Second, 0, 30 * time.Second} {
		valid[f.srv.CodeAt(f.mfa.SerialNumber, now.Add(d))] = true
	}
	for _, c := range []string{"000000", "111111", "222222", "333333"} {
		if !valid[c] {
			return c
		}
	}
	panic("unreachable")
}

func TestGetSessionTokenMFA(t *testing.T) {
	f := newFixture(t)
	bob := f.srv.AddUser("bob")
	bobMFA := f.srv.AddMFADevice("bob")
	hw := f.srv.AddHardwareMFADevice("alice", "GAHT12345678")

	tests := []struct {
		name           string
		serial, code   func() *string
		wantCode       string
		wantMessage    string
		wantHTTPStatus int
	}{
		{"right code", func() *string { return aws.String(f.mfa.SerialNumber) }, func() *string { return aws.String(f.code()) }, "", "", 200},
		{"hardware serial", func() *string { return aws.String(hw.SerialNumber) }, func() *string {
			f.clock.Advance(30 * time.Second)
			return aws.String(f.srv.TOTPCode(hw.SerialNumber))
		}, "", "", 200},
		{"code one step early is accepted", func() *string { return aws.String(f.mfa.SerialNumber) }, func() *string {
			f.clock.Advance(30 * time.Second)
			return aws.String(f.srv.CodeAt(f.mfa.SerialNumber, f.clock.Now().Add(30*time.Second)))
		}, "", "", 200},
		{"wrong code", func() *string { return aws.String(f.mfa.SerialNumber) }, func() *string { return aws.String(f.wrongCode()) }, "AccessDenied", msgBadCode, 403},
		{"code two steps old", func() *string { return aws.String(f.mfa.SerialNumber) }, func() *string {
			f.clock.Advance(30 * time.Second)
			return aws.String(f.srv.CodeAt(f.mfa.SerialNumber, f.clock.Now().Add(-61*time.Second)))
		}, "AccessDenied", msgBadCode, 403},
		{"unknown serial", func() *string { return aws.String("arn:aws:iam::123456789012:mfa/nobody") }, func() *string { return aws.String(f.code()) }, "AccessDenied", msgUnknownSerial, 403},
		{"another user's device", func() *string { return aws.String(bobMFA.SerialNumber) }, func() *string {
			f.clock.Advance(30 * time.Second)
			return aws.String(f.srv.TOTPCode(bobMFA.SerialNumber))
		}, "AccessDenied", msgUnknownSerial, 403},
		{"serial without code", func() *string { return aws.String(f.mfa.SerialNumber) }, func() *string { return nil },
			"AccessDenied", "MultiFactorAuthentication failed, must provide both MFA serial number and one time pass code.", 403},
		{"code without serial", func() *string { return nil }, func() *string { return aws.String(f.code()) },
			"AccessDenied", "MultiFactorAuthentication failed, must provide both MFA serial number and one time pass code.", 403},
	}
	_ = bob
	client := clientFor(f.srv, f.alice)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, err := client.GetSessionToken(ctxT(t), &sts.GetSessionTokenInput{SerialNumber: tt.serial(), TokenCode: tt.code()})
			if tt.wantCode != "" {
				requireAPIError(t, err, tt.wantCode, tt.wantMessage, tt.wantHTTPStatus)
				return
			}
			require.NoError(t, err)
			require.NotNil(t, out.Credentials)
		})
	}
}

func TestMFACodeIsSingleUse(t *testing.T) {
	f := newFixture(t)
	code := f.code()
	in := &sts.GetSessionTokenInput{SerialNumber: aws.String(f.mfa.SerialNumber), TokenCode: aws.String(code)}
	client := clientFor(f.srv, f.alice)

	_, err := client.GetSessionToken(ctxT(t), in)
	require.NoError(t, err)
	_, err = client.GetSessionToken(ctxT(t), in)
	requireAPIError(t, err, "AccessDenied", msgBadCode, 403)

	// Within the same window, still refused; the next code works.
	f.clock.Advance(10 * time.Second)
	_, err = client.GetSessionToken(ctxT(t), in)
	requireAPIError(t, err, "AccessDenied", msgBadCode, 403)
	_, err = client.GetSessionToken(ctxT(t), &sts.GetSessionTokenInput{SerialNumber: aws.String(f.mfa.SerialNumber), TokenCode: aws.String(f.code())})
	require.NoError(t, err)
}

func TestTOTPMatchesRFC6238(t *testing.T) {
	// RFC 6238 Appendix B, SHA1 seed "12345678901234567890", six digits.
	const seed = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"
	clock := ststest.NewClock(time.Unix(1111111109, 0))
	// The clock is 20 years from the client's: skip the skew check.
	srv := ststest.NewServer(t, ststest.WithClock(clock.Now), ststest.WithMaxClockSkew(0))
	alice := srv.AddUser("alice")
	dev := srv.ImportMFADevice("alice", "arn:aws:iam::123456789012:mfa/rfc", seed)

	tests := []struct {
		unix int64
		want string
	}{
		{59, "287082"}, {1111111109, "081804"}, {1111111111, "050471"},
		{1234567890, "005924"}, {2000000000, "279037"}, {20000000000, "353130"},
	}
	for _, tt := range tests {
		got := srv.CodeAt(dev.SerialNumber, time.Unix(tt.unix, 0))
		require.Equal(t, tt.want, got, "at %d: got %s, want %s", tt.unix, got, tt.want)
	}
	_, err := clientFor(srv, alice).GetSessionToken(ctxT(t), &sts.GetSessionTokenInput{
		SerialNumber: aws.String(dev.SerialNumber), TokenCode: aws.String("081804"),
	})
	require.NoError(t, err)
}
