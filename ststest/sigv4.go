package ststest

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"fmt"
	"net/http"
	"net/textproto"
	"net/url"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
)

// sigv4Algorithm is the only signing algorithm STS accepts in headers.
const sigv4Algorithm = "AWS4-HMAC-SHA256"

// amzDateFormat is the ISO 8601 basic format of X-Amz-Date.
const amzDateFormat = "20060102T150405Z"

// authorization is a parsed SigV4 Authorization header.
type authorization struct {
	accessKeyID   string
	scopeDate     string
	region        string
	service       string
	signedHeaders []string
	signature     string
}

// parseAuthorization splits "AWS4-HMAC-SHA256 Credential=AKID/DATE/REGION/SERVICE/aws4_request,
// SignedHeaders=a;b, Signature=hex". A header missing a part is an
// IncompleteSignature, worded as AWS words it.
func parseAuthorization(header string) (authorization, *apiError) {
	var a authorization
	algorithm, rest, _ := strings.Cut(header, " ")
	fields := map[string]string{}
	for _, part := range strings.Split(rest, ",") {
		k, v, ok := strings.Cut(strings.TrimSpace(part), "=")
		if ok {
			fields[k] = v
		}
	}
	var missing []string
	for _, k := range []string{"Credential", "Signature", "SignedHeaders"} {
		if fields[k] == "" {
			missing = append(missing, "Authorization header requires '"+k+"' parameter.")
		}
	}
	if algorithm != sigv4Algorithm || len(missing) > 0 {
		if algorithm != sigv4Algorithm {
			missing = append([]string{"Unsupported AWS 'algorithm': '" + algorithm + "'."}, missing...)
		}
		return a, incompleteSignature(strings.Join(missing, " ") + " Authorization=" + header)
	}
	scope := strings.Split(fields["Credential"], "/")
	if len(scope) != 5 || scope[4] != "aws4_request" {
		return a, incompleteSignature("Credential should be scoped to a valid region, like 'us-east-1'. Authorization=" + header)
	}
	a.accessKeyID, a.scopeDate, a.region, a.service = scope[0], scope[1], scope[2], scope[3]
	a.signedHeaders = strings.Split(fields["SignedHeaders"], ";")
	a.signature = fields["Signature"]
	return a, nil
}

// accessKeyIDOf returns the access key ID a request names, if any, for
// the request log; it does not validate anything.
func accessKeyIDOf(r *http.Request) string {
	_, rest, _ := strings.Cut(r.Header.Get("Authorization"), "Credential=")
	if rest == "" {
		rest = r.URL.Query().Get("X-Amz-Credential")
	}
	id, _, _ := strings.Cut(rest, "/")
	return id
}

// checkSkew refuses a request signed more than maxSkew away from now,
// with AWS's "Signature expired" or "Signature not yet current" text.
func checkSkew(signed, now time.Time, maxSkew time.Duration) *apiError {
	if maxSkew <= 0 {
		return nil
	}
	mins := int(maxSkew / time.Minute)
	f := func(t time.Time) string { return t.UTC().Format(amzDateFormat) }
	switch {
	case signed.Before(now.Add(-maxSkew)):
		return signatureDoesNotMatch(fmt.Sprintf("Signature expired: %s is now earlier than %s (%s - %d min.)",
			f(signed), f(now.Add(-maxSkew)), f(now), mins))
	case signed.After(now.Add(maxSkew)):
		return signatureDoesNotMatch(fmt.Sprintf("Signature not yet current: %s is still later than %s (%s + %d min.)",
			f(signed), f(now.Add(maxSkew)), f(now), mins))
	}
	return nil
}

// checkScopeDate refuses a request whose credential scope is dated
// another day than its X-Amz-Date (or Date) says, as AWS refuses it: a
// hand-written signer that reads the clock twice fails this way across
// midnight. The text is that of AWS's answer in tedder/requests-aws4auth#7
// (API Gateway, 2015); the IAM User Guide ("Troubleshoot signed requests
// for AWS APIs") gives its first sentence as the SignatureDoesNotMatch of
// every service. That STS words it the same, and does so for presigned
// requests too, is a guess.
func checkScopeDate(scopeDate, date string, signed time.Time) *apiError {
	if want := signed.UTC().Format("20060102"); scopeDate != want {
		return signatureDoesNotMatch(fmt.Sprintf("Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '%s' != '%s', from '%s'.",
			scopeDate, want, date))
	}
	return nil
}

// headersTheSignerSkips are headers the SDK's signer never signs; a
// client that signed one cannot be verified by re-signing.
var headersTheSignerSkips = map[string]bool{
	"authorization": true, "user-agent": true, "x-amzn-trace-id": true, "expect": true, "transfer-encoding": true,
}

// signedCopy returns a bare copy of r, with no body, that holds exactly
// the headers the client signed, for re-signing with the SDK's signer,
// and whether the client signed X-Amz-Security-Token. It fails when the
// client signed a header the SDK's signer never signs, or one that is
// absent.
func signedCopy(r *http.Request, rawQuery string, signedHeaders []string, bodyLen int) (*http.Request, bool, bool) {
	u := &url.URL{Scheme: "http", Host: r.Host, Path: r.URL.Path, RawPath: r.URL.RawPath, RawQuery: rawQuery}
	req, err := http.NewRequest(r.Method, u.String(), nil)
	if err != nil {
		return nil, false, false
	}
	req.Host = r.Host
	signsToken := false
	for _, h := range signedHeaders {
		switch {
		case h == "host":
		case h == "content-length":
			req.ContentLength = int64(bodyLen)
		case h == "x-amz-security-token":
			signsToken = true
		case headersTheSignerSkips[h] || h != strings.ToLower(h):
			return nil, false, false
		default:
			values := r.Header.Values(h)
			if len(values) == 0 {
				return nil, false, false
			}
			req.Header[textproto.CanonicalMIMEHeaderKey(h)] = values
		}
	}
	return req, signsToken, true
}

// signatureMatches re-signs a copy of r holding exactly the headers the
// client signed, with the SDK's own SigV4 signer, the caller's secret
// and the client's signing time, region and service, and compares the
// signatures in constant time. No part of SigV4 is written here.
func signatureMatches(r *http.Request, body []byte, a authorization, creds aws.Credentials, signed time.Time) bool {
	req, signsToken, ok := signedCopy(r, r.URL.RawQuery, a.signedHeaders, len(body))
	if !ok {
		return false
	}
	if !signsToken {
		creds.SessionToken = ""
	}
	sum := sha256.Sum256(body)
	err := v4.NewSigner().SignHTTP(context.Background(), creds, req, hex.EncodeToString(sum[:]), a.service, a.region, signed)
	if err != nil {
		return false
	}
	mine, perr := parseAuthorization(req.Header.Get("Authorization"))
	if perr != nil {
		return false
	}
	return strings.Join(mine.signedHeaders, ";") == strings.Join(a.signedHeaders, ";") &&
		subtle.ConstantTimeCompare([]byte(mine.signature), []byte(a.signature)) == 1
}
