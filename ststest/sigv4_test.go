package ststest_test

import (
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/smithy-go"
	"github.com/stretchr/testify/require"

	"github.com/awssession/awssession/ststest"
)

func TestSignatureChecks(t *testing.T) {
	f := newFixture(t)
	sess := f.mfaSession(t)
	tests := []struct {
		name                  string
		akid, secret, token   string
		wantCode, wantMessage string
		wantStatus            int
	}{
		{"right secret", f.alice.AccessKeyID, f.alice.SecretAccessKey, "", "", "", 200},
		{"wrong secret", f.alice.AccessKeyID, "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", "",
			"SignatureDoesNotMatch", "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.", 403},
		{"unknown key", "AKIAIOSFODNN7EXAMPLE", f.alice.SecretAccessKey, "",
			"InvalidClientTokenId", "The security token included in the request is invalid.", 403},
		{"long-term key with a session token", f.alice.AccessKeyID, f.alice.SecretAccessKey, aws.ToString(sess.SessionToken),
			"InvalidClientTokenId", "The security token included in the request is invalid.", 403},
		{"session key without its token", aws.ToString(sess.AccessKeyId), aws.ToString(sess.SecretAccessKey), "",
			"InvalidClientTokenId", "The security token included in the request is invalid.", 403},
		{"session key with a wrong token", aws.ToString(sess.AccessKeyId), aws.ToString(sess.SecretAccessKey), "IQoJb3JpZ2luX2VjEwrong",
			"InvalidClientTokenId", "The security token included in the request is invalid.", 403},
		{"session key with its token", aws.ToString(sess.AccessKeyId), aws.ToString(sess.SecretAccessKey), aws.ToString(sess.SessionToken), "", "", 200},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := newClient(f.srv, tt.akid, tt.secret, tt.token).GetCallerIdentity(ctxT(t), nil)
			if tt.wantCode == "" {
				require.NoError(t, err)
				return
			}
			requireAPIError(t, err, tt.wantCode, tt.wantMessage, tt.wantStatus)
		})
	}
}

func TestUnsignedAndMalformedRequests(t *testing.T) {
	f := newFixture(t)
	tests := []struct {
		name        string
		header      string
		wantStatus  int
		wantCode    string
		wantMessage string
	}{
		{"no Authorization", "", 403, "MissingAuthenticationToken", "Request is missing Authentication Token"},
		{"no Signature", "AWS4-HMAC-SHA256 Credential=" + f.alice.AccessKeyID + "/20240101/us-east-1/sts/aws4_request, SignedHeaders=host;x-amz-date", 400, "IncompleteSignature", ""},
		{"not SigV4", "Bearer abc", 400, "IncompleteSignature", ""},
		{"short credential scope", "AWS4-HMAC-SHA256 Credential=" + f.alice.AccessKeyID + "/us-east-1, SignedHeaders=host;x-amz-date, Signature=00", 400, "IncompleteSignature", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req, err := http.NewRequestWithContext(ctxT(t), http.MethodPost, f.srv.URL+"/", nil)
			require.NoError(t, err)
			if tt.header != "" {
				req.Header.Set("Authorization", tt.header)
				req.Header.Set("X-Amz-Date", time.Now().UTC().Format("20060102T150405Z"))
			}
			resp, err := http.DefaultClient.Do(req)
			require.NoError(t, err)
			resp.Body.Close()
			require.Equal(t, tt.wantStatus, resp.StatusCode, "got status %d, want %d", resp.StatusCode, tt.wantStatus)
			reqs := f.srv.Requests()
			last := reqs[len(reqs)-1]
			require.Equal(t, tt.wantCode, last.ErrorCode, "got code %q, want %q", last.ErrorCode, tt.wantCode)
		})
	}
	// The message of MissingAuthenticationToken, through the SDK's own error
	// decoding: an anonymous client sends no Authorization header.
	client := sts.NewFromConfig(aws.Config{Region: "us-east-1", BaseEndpoint: aws.String(f.srv.URL)})
	_, err := client.GetCallerIdentity(ctxT(t), nil)
	requireAPIError(t, err, "MissingAuthenticationToken", "Request is missing Authentication Token", 403)
}

func TestRequestTimeSkew(t *testing.T) {
	clock := ststest.NewClock(time.Now())
	srv := ststest.NewServer(t, ststest.WithClock(clock.Now))
	alice := srv.AddUser("alice")
	const stamp = `\d{8}T\d{6}Z`
	tests := []struct {
		name        string
		serverAhead time.Duration
		want        *regexp.Regexp
	}{
		{"signed too long ago", 2 * time.Hour, regexp.MustCompile(`^Signature expired: ` + stamp + ` is now earlier than ` + stamp + ` \(` + stamp + ` - 15 min\.\)$`)},
		{"signed in the future", -2 * time.Hour, regexp.MustCompile(`^Signature not yet current: ` + stamp + ` is still later than ` + stamp + ` \(` + stamp + ` \+ 15 min\.\)$`)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			clock.Set(time.Now().Add(tt.serverAhead))
			client := sts.NewFromConfig(aws.Config{
				Region: "us-east-1", BaseEndpoint: aws.String(srv.URL), Credentials: clientCredentials(alice),
			}, func(o *sts.Options) { o.DisableClockSkewCorrection = true; o.RetryMaxAttempts = 1 })
			_, err := client.GetCallerIdentity(ctxT(t), nil)
			requireAPIError(t, err, "SignatureDoesNotMatch", "", 403)
			var apiErr smithy.APIError
			require.ErrorAs(t, err, &apiErr)
			require.Regexp(t, tt.want, apiErr.ErrorMessage())
		})
	}
	t.Run("the SDK corrects its clock from the Date header and retries", func(t *testing.T) {
		clock.Set(time.Now().Add(2 * time.Hour))
		srv.ResetRequests()
		_, err := clientFor(srv, alice).GetCallerIdentity(ctxT(t), nil)
		require.NoError(t, err)
		reqs := srv.Requests()
		require.Len(t, reqs, 2, "got %d requests, want 2 (skewed, then corrected)", len(reqs))
		require.Equal(t, "SignatureDoesNotMatch", reqs[0].ErrorCode)
		require.Equal(t, 200, reqs[1].Status)
	})
}

func TestExpiredSessionCredentials(t *testing.T) {
	f := newFixture(t, ststest.WithCredentialLifetime(5*time.Minute))
	sess := f.mfaSession(t)
	require.WithinDuration(t, f.clock.Now().Add(5*time.Minute), aws.ToTime(sess.Expiration), time.Millisecond)
	client := clientForCreds(f.srv, sess)
	_, err := client.GetCallerIdentity(ctxT(t), nil)
	require.NoError(t, err)

	f.clock.Advance(5 * time.Minute)
	_, err = client.GetCallerIdentity(ctxT(t), nil)
	requireAPIError(t, err, "ExpiredToken", "The security token included in the request is expired", 403)
}

func TestGETQueryRequests(t *testing.T) {
	f := newFixture(t)
	status, header, body, _ := rawCall(t, f.srv, http.MethodGet, form("Action", "GetCallerIdentity"), userCreds(f.alice), time.Now())
	require.Equal(t, 200, status, "got %d, want 200: %s", status, body)
	require.Equal(t, "text/xml", header.Get("Content-Type"))
	require.Contains(t, body, fmt.Sprintf("<Arn>%s</Arn>", f.alice.ARN))
}

func TestCredentialScopeRegion(t *testing.T) {
	f := newFixture(t)
	for region, want := range map[string]string{
		"xx-fake-1":  "Credential should be scoped to a valid region, not 'xx-fake-1'. ",
		"aws-global": "Credential should be scoped to a valid region, not 'aws-global'. ",
		"eu-west-1":  "",
		"cn-north-1": "",
	} {
		t.Run(region, func(t *testing.T) {
			client := sts.NewFromConfig(aws.Config{Region: region, BaseEndpoint: aws.String(f.srv.URL), Credentials: clientCredentials(f.alice)},
				func(o *sts.Options) { o.RetryMaxAttempts = 1 })
			_, err := client.GetCallerIdentity(ctxT(t), nil)
			if want == "" {
				require.NoError(t, err)
				return
			}
			requireAPIError(t, err, "SignatureDoesNotMatch", want, 403)
		})
	}
}

func TestActionAndVersionRequired(t *testing.T) {
	f := newFixture(t)
	tests := []struct {
		name   string
		form   url.Values
		status int
		want   rawError
	}{
		{"no Action", url.Values{"Version": {"2011-06-15"}}, 400,
			rawError{Type: "Sender", Code: "MissingAction", Message: "The request is missing an action or a required parameter."}},
		{"no Version", url.Values{"Action": {"GetCallerIdentity"}}, 400,
			rawError{Type: "Sender", Code: "MissingParameter", Message: "The request must contain the parameter Version"}},
		{"another Version", url.Values{"Action": {"GetCallerIdentity"}, "Version": {"2010-05-08"}}, 400,
			rawError{Type: "Sender", Code: "InvalidAction", Message: "Could not find operation GetCallerIdentity for version 2010-05-08"}},
		{"no Version, unsigned operation", url.Values{"Action": {"AssumeRoleWithWebIdentity"}}, 400,
			rawError{Type: "Sender", Code: "MissingParameter", Message: "The request must contain the parameter Version"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			status, _, _, e := rawCall(t, f.srv, http.MethodPost, tt.form, userCreds(f.alice), time.Now())
			require.Equal(t, tt.status, status)
			require.Equal(t, tt.want, e)
		})
	}
}
