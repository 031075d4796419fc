package ststest

import (
	"encoding/base64"
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

// FuzzSAMLResponse sends arbitrary SAML responses (XML, base64-encoded
// here) to the unsigned AssumeRoleWithSAML: it must never panic or answer
// 5xx, and whatever it accepts must grant exactly what the provider
// signed: the session of alice in role R. Canonicalisation makes some
// edits of the minted XML (whitespace between elements, quoting) harmless,
// so accepting a changed document is no failure; granting anything else
// is.
func FuzzSAMLResponse(f *testing.F) {
	clock := NewClock(time.Now())
	srv, err := Start(WithClock(clock.Now))
	if err != nil {
		f.Fatal(err)
	}
	f.Cleanup(srv.Close)
	role := srv.AddRole("R", Trust{Principals: []string{srv.SAMLProviderARN()}})
	srv.AddRole("S", Trust{Principals: []string{srv.SAMLProviderARN()}})
	minted, err := base64.StdEncoding.DecodeString(srv.SAMLAssertion("alice", role.ARN))
	if err != nil {
		f.Fatal(err)
	}
	f.Add(string(minted))
	f.Add(strings.Replace(string(minted), ">alice<", ">bob<", 1))
	f.Add(strings.Replace(string(minted), "role/R,", "role/S,", 1))
	f.Add("<samlp:Response xmlns:samlp=\"urn:oasis:names:tc:SAML:2.0:protocol\"/>")
	want := "<Arn>arn:aws:sts::123456789012:assumed-role/R/alice</Arn>"

	f.Fuzz(func(t *testing.T, response string) {
		for _, roleARN := range []string{role.ARN, strings.Replace(role.ARN, "role/R", "role/S", 1)} {
			form := url.Values{"Action": {"AssumeRoleWithSAML"}, "Version": {"2011-06-15"}, "RoleArn": {roleARN},
				"PrincipalArn": {srv.SAMLProviderARN()}, "SAMLAssertion": {base64.StdEncoding.EncodeToString([]byte(response))}}
			req := httptest.NewRequest(http.MethodPost, "/", strings.NewReader(form.Encode()))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			rec := httptest.NewRecorder()
			srv.serveHTTP(rec, req)
			if rec.Code >= 500 {
				t.Fatalf("status %d, body %q", rec.Code, rec.Body.String())
			}
			if rec.Code == http.StatusOK && !strings.Contains(rec.Body.String(), want) {
				t.Fatalf("granted what the provider did not sign: %s", rec.Body.String())
			}
		}
		srv.ResetRequests()
	})
}
