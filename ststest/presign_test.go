package ststest_test

import (
	"context"
	"encoding/xml"
	"io"
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/smithy-go/middleware"
	smithyhttp "github.com/aws/smithy-go/transport/http"
	"github.com/stretchr/testify/require"

	"github.com/awssession/awssession/ststest"
)

// presignedGetCallerIdentity presigns GetCallerIdentity with the SDK's
// presign client, as EKS token generators do, optionally signing an extra
// header (x-k8s-aws-id).
func presignedGetCallerIdentity(t *testing.T, client *sts.Client, header ...string) *v4.PresignedHTTPRequest {
	t.Helper()
	req, err := sts.NewPresignClient(client).PresignGetCallerIdentity(ctxT(t), nil, func(o *sts.PresignOptions) {
		if len(header) == 2 {
			o.ClientOptions = append(o.ClientOptions, sts.WithAPIOptions(smithyHeader(header[0], header[1])))
		}
	})
	require.NoError(t, err)
	return req
}

// callPresigned sends a presigned request as its user would (an EKS API
// server, a login service): a plain GET with the signed headers.
func callPresigned(t *testing.T, p *v4.PresignedHTTPRequest, rawURL string) (int, string, rawError) {
	t.Helper()
	req, err := http.NewRequestWithContext(ctxT(t), p.Method, rawURL, nil)
	require.NoError(t, err)
	for k, vs := range p.SignedHeader {
		if k != "Host" {
			req.Header[k] = vs
		}
	}
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	var e rawError
	if resp.StatusCode != http.StatusOK {
		require.NoError(t, xml.Unmarshal(body, &e), "body %s", body)
	}
	return resp.StatusCode, string(body), e
}

func TestPresignedGetCallerIdentity(t *testing.T) {
	f := newFixture(t)
	sess := f.mfaSession(t)
	type result struct {
		Arn string `xml:"GetCallerIdentityResult>Arn"`
	}
	t.Run("long-term keys", func(t *testing.T) {
		p := presignedGetCallerIdentity(t, clientFor(f.srv, f.alice))
		require.Equal(t, http.MethodGet, p.Method)
		status, body, _ := callPresigned(t, p, p.URL)
		require.Equal(t, 200, status, body)
		var r result
		require.NoError(t, xml.Unmarshal([]byte(body), &r))
		require.Equal(t, f.alice.ARN, r.Arn)
		last := f.srv.Requests()[len(f.srv.Requests())-1]
		require.Equal(t, "GetCallerIdentity", last.Action)
		require.Equal(t, http.MethodGet, last.Method)
		require.Equal(t, f.alice.AccessKeyID, last.AccessKeyID)
	})
	t.Run("session credentials, token in the query", func(t *testing.T) {
		p := presignedGetCallerIdentity(t, clientForCreds(f.srv, sess))
		status, body, _ := callPresigned(t, p, p.URL)
		require.Equal(t, 200, status, body)
	})
	t.Run("a signed extra header, as EKS tokens sign x-k8s-aws-id", func(t *testing.T) {
		p := presignedGetCallerIdentity(t, clientFor(f.srv, f.alice), "x-k8s-aws-id", "my-cluster")
		require.Contains(t, p.URL, "X-Amz-SignedHeaders=host%3Bx-k8s-aws-id")
		status, body, _ := callPresigned(t, p, p.URL)
		require.Equal(t, 200, status, body)
		delete(p.SignedHeader, "X-K8s-Aws-Id")
		p.SignedHeader.Set("X-K8s-Aws-Id", "other-cluster")
		status, _, e := callPresigned(t, p, p.URL)
		require.Equal(t, 403, status)
		require.Equal(t, "SignatureDoesNotMatch", e.Code)
	})

	refusals := []struct {
		name, code, message string
		status              int
		url                 func(p *v4.PresignedHTTPRequest) string
		client              *sts.Client
	}{
		{"a changed parameter", "SignatureDoesNotMatch", msgSignatureMismatch, 403,
			func(p *v4.PresignedHTTPRequest) string { return withQuery(t, p.URL, "Version", "2011-06-16") }, clientFor(f.srv, f.alice)},
		{"a wrong secret", "SignatureDoesNotMatch", msgSignatureMismatch, 403,
			func(p *v4.PresignedHTTPRequest) string { return p.URL },
			newClient(f.srv, f.alice.AccessKeyID, "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", "")},
		{"no signature", "IncompleteSignature", "AWS query-string parameters must include X-Amz-Signature. Re-examine the query-string parameters.", 400,
			func(p *v4.PresignedHTTPRequest) string { return withQuery(t, p.URL, "X-Amz-Signature", "") }, clientFor(f.srv, f.alice)},
		{"an unknown key", "InvalidClientTokenId", "The security token included in the request is invalid.", 403,
			func(p *v4.PresignedHTTPRequest) string { return p.URL }, newClient(f.srv, "AKIAIOSFODNN7EXAMPLE", "x", "")},
	}
	for _, tt := range refusals {
		t.Run(tt.name, func(t *testing.T) {
			p := presignedGetCallerIdentity(t, tt.client)
			status, _, e := callPresigned(t, p, tt.url(p))
			require.Equal(t, tt.status, status)
			require.Equal(t, rawError{Type: "Sender", Code: tt.code, Message: tt.message}, e)
		})
	}

	t.Run("good for 15 minutes whatever X-Amz-Expires says", func(t *testing.T) {
		// The SDK's presign client sends no X-Amz-Expires; sign one in
		// with the SDK's signer, as other SDKs send it.
		req, err := http.NewRequest(http.MethodGet, f.srv.URL+"/?Action=GetCallerIdentity&Version=2011-06-15&X-Amz-Expires=3600", nil)
		require.NoError(t, err)
		signed, header, err := v4.NewSigner().PresignHTTP(ctxT(t), userCreds(f.alice), req,
			"e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", "sts", "us-east-1", f.clock.Now())
		require.NoError(t, err)
		p := &v4.PresignedHTTPRequest{URL: signed, Method: http.MethodGet, SignedHeader: header}
		f.clock.Advance(14 * time.Minute)
		status, body, _ := callPresigned(t, p, p.URL)
		require.Equal(t, 200, status, body)
		f.clock.Advance(2 * time.Minute)
		status, _, e := callPresigned(t, p, p.URL)
		require.Equal(t, 403, status)
		require.Equal(t, "SignatureDoesNotMatch", e.Code)
		require.Regexp(t, `^Signature expired: \d{8}T\d{6}Z is now earlier than \d{8}T\d{6}Z \(\d{8}T\d{6}Z - 15 min\.\)$`, e.Message)
	})
}

// withQuery returns rawURL with key set to value ("" deletes it).
func withQuery(t *testing.T, rawURL, key, value string) string {
	u, err := url.Parse(rawURL)
	require.NoError(t, err)
	q := u.Query()
	if value == "" {
		q.Del(key)
	} else {
		q.Set(key, value)
	}
	u.RawQuery = q.Encode()
	return u.String()
}

func TestGetAccessKeyInfo(t *testing.T) {
	f := newFixture(t)
	other := ststest.NewServer(t, ststest.WithAccount("111122223333"))
	outsider := other.AddUser("carol")
	sess := f.mfaSession(t)
	client := clientFor(f.srv, f.alice)
	tests := []struct {
		name, key, want string
	}{
		{"a long-term key", f.alice.AccessKeyID, "123456789012"},
		{"a session key", aws.ToString(sess.AccessKeyId), "123456789012"},
		{"a key of another account, decoded from its ID", outsider.AccessKeyID, "111122223333"},
		{"Tal Be'ery's example key", "ASIAY34FZKBOKMUTVV7A", "609629065308"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, err := client.GetAccessKeyInfo(ctxT(t), &sts.GetAccessKeyInfoInput{AccessKeyId: aws.String(tt.key)})
			require.NoError(t, err)
			require.Equal(t, tt.want, aws.ToString(out.Account))
		})
	}
	t.Run("a key ID too short", func(t *testing.T) {
		_, err := client.GetAccessKeyInfo(ctxT(t), &sts.GetAccessKeyInfoInput{AccessKeyId: aws.String("AKIA1")})
		requireAPIError(t, err, "ValidationError", oneViolation("AKIA1", "accessKeyId", "Member must have length greater than or equal to 16"), 400)
	})
	t.Run("needs a signature", func(t *testing.T) {
		_, err := anonymousClient(f.srv).GetAccessKeyInfo(ctxT(t), &sts.GetAccessKeyInfoInput{AccessKeyId: aws.String(f.alice.AccessKeyID)})
		requireAPIError(t, err, "MissingAuthenticationToken", "Request is missing Authentication Token", 403)
	})
}

const msgSignatureMismatch = "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details."

// smithyHeader adds a header to the request before it is signed.
func smithyHeader(key, value string) func(*middleware.Stack) error {
	return func(stack *middleware.Stack) error {
		return stack.Build.Add(middleware.BuildMiddlewareFunc("ststestAddHeader",
			func(ctx context.Context, in middleware.BuildInput, next middleware.BuildHandler) (middleware.BuildOutput, middleware.Metadata, error) {
				if req, ok := in.Request.(*smithyhttp.Request); ok {
					req.Header.Set(key, value)
				}
				return next.HandleBuild(ctx, in)
			}), middleware.After)
	}
}
