package ststest

import (
	"encoding/xml"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"
)

// FuzzParseRequest feeds arbitrary bodies and Authorization headers to the
// server: it must never panic, and every answer must be an STS response
// the SDK can decode (an <OpResponse> or an <ErrorResponse> with a code).
func FuzzParseRequest(f *testing.F) {
	f.Add("Action=GetCallerIdentity&Version=2011-06-15", "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20240101/us-east-1/sts/aws4_request, SignedHeaders=host;x-amz-date, Signature=00")
	f.Add("Action=AssumeRole&RoleArn=&Tags.member.1.Key=k&Tags.member.x.Value=v", "")
	f.Add("%zz&&=", "AWS4-HMAC-SHA256")
	f.Add("Action=GetSessionToken&DurationSeconds=9999999999999999999", "AWS4-HMAC-SHA256 Credential=a/b/c/sts/aws4_request, SignedHeaders=, Signature=x")
	f.Add("PolicyArns.member.0.arn=x&PolicyArns.member.-1.arn=y", "Bearer x")

	srv, err := Start()
	if err != nil {
		f.Fatal(err)
	}
	f.Cleanup(srv.Close)
	srv.AddUser("alice")

	f.Fuzz(func(t *testing.T, body, authorization string) {
		req := httptest.NewRequest(http.MethodPost, "/", strings.NewReader(body))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("X-Amz-Date", time.Now().UTC().Format(amzDateFormat))
		if authorization != "" {
			req.Header.Set("Authorization", authorization)
		}
		rec := httptest.NewRecorder()
		srv.serveHTTP(rec, req)

		var got struct {
			XMLName xml.Name
			Code    string `xml:"Error>Code"`
		}
		if err := xml.Unmarshal(rec.Body.Bytes(), &got); err != nil {
			t.Fatalf("status %d, body %q: %v", rec.Code, rec.Body.String(), err)
		}
		if rec.Code != http.StatusOK && (got.XMLName.Local != "ErrorResponse" || got.Code == "") {
			t.Fatalf("status %d with body %q: want an ErrorResponse with a code", rec.Code, rec.Body.String())
		}
		srv.ResetRequests()
	})
}

// FuzzWebIdentityToken sends arbitrary tokens to the unsigned
// AssumeRoleWithWebIdentity: it must never panic or answer 5xx, and only
// the token the issuer minted, unchanged, may be accepted.
func FuzzWebIdentityToken(f *testing.F) {
	srv, err := Start()
	if err != nil {
		f.Fatal(err)
	}
	f.Cleanup(srv.Close)
	role := srv.AddRole("Deploy", Trust{Principals: []string{srv.OIDCProviderARN()}})
	minted := srv.WebIdentityToken("repo:octo/app:ref:refs/heads/main", "")
	f.Add(minted)
	f.Add("a.b.c")
	f.Add("eyJhbGciOiJub25lIn0.eyJpc3MiOiJ4In0.")
	parts := strings.Split(minted, ".")
	f.Add(parts[0] + "." + parts[1] + ".")

	f.Fuzz(func(t *testing.T, token string) {
		form := url.Values{"Action": {"AssumeRoleWithWebIdentity"}, "Version": {"2011-06-15"}, "RoleArn": {role.ARN},
			"RoleSessionName": {"fuzz"}, "WebIdentityToken": {token}}
		req := httptest.NewRequest(http.MethodPost, "/", strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		rec := httptest.NewRecorder()
		srv.serveHTTP(rec, req)
		if rec.Code >= 500 {
			t.Fatalf("status %d, body %q", rec.Code, rec.Body.String())
		}
		if rec.Code == http.StatusOK && token != minted {
			t.Fatalf("accepted a token the issuer did not mint: %q", token)
		}
		srv.ResetRequests()
	})
}
