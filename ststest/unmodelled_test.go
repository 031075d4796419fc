package ststest_test

import (
	"net/http"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/stretchr/testify/require"
)

// TestUnmodelledActions: an action the server does not serve, STS's or
// unknown, is InvalidAction saying so, whether the request is signed or
// not, so that an unsigned call is not mistaken for a missing signature.
func TestUnmodelledActions(t *testing.T) {
	f := newFixture(t)
	tests := []struct{ action, message string }{
		{"DecodeAuthorizationMessage", "DecodeAuthorizationMessage is an operation of STS that ststest does not model; this answer is ststest's, not STS's."},
		{"AssumeRoot", "AssumeRoot is an operation of STS that ststest does not model; this answer is ststest's, not STS's."},
		{"GetDelegatedAccessToken", "GetDelegatedAccessToken is an operation of STS that ststest does not model; this answer is ststest's, not STS's."},
		{"GetWebIdentityToken", "GetWebIdentityToken is an operation of STS that ststest does not model; this answer is ststest's, not STS's."},
		{"GetSessionTokens", "Could not find operation GetSessionTokens for version 2011-06-15 (ststest does not model it)."},
	}
	for _, tt := range tests {
		for name, creds := range map[string]aws.Credentials{"signed": userCreds(f.alice), "unsigned": {}} {
			t.Run(tt.action+" "+name, func(t *testing.T) {
				status, header, _, e := rawCall(t, f.srv, http.MethodPost, form("Action", tt.action), creds, time.Now())
				require.Equal(t, 400, status)
				require.Equal(t, rawError{Type: "Sender", Code: "InvalidAction", Message: tt.message}, e)
				require.NotEmpty(t, header.Get("X-Amzn-Requestid"))
			})
		}
	}
	t.Run("a served action unsigned still needs a signature", func(t *testing.T) {
		status, _, _, e := rawCall(t, f.srv, http.MethodPost, form("Action", "GetCallerIdentity"), aws.Credentials{}, time.Now())
		require.Equal(t, 403, status)
		require.Equal(t, "MissingAuthenticationToken", e.Code)
	})
}
