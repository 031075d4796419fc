package ststest

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
)

// presignParams are the query parameters of a presigned request that the
// signer writes itself; the rest of the query is signed as it is.
var presignParams = []string{"X-Amz-Algorithm", "X-Amz-Credential", "X-Amz-Date", "X-Amz-SignedHeaders", "X-Amz-Signature", "X-Amz-Security-Token"}

// unsignedPayload is the payload hash some signers (botocore's query
// signer among them) put in presigned requests instead of the body's.
const unsignedPayload = "UNSIGNED-PAYLOAD"

// isPresigned reports whether r carries its signature in the query string.
func isPresigned(r *http.Request) bool {
	q := r.URL.Query()
	return q.Has("X-Amz-Algorithm") || q.Has("X-Amz-Signature") || q.Has("X-Amz-Credential")
}

// authenticatePresignedLocked checks a presigned request (SigV4 in the
// query string, as sts.NewPresignClient(...).PresignGetCallerIdentity and
// EKS tokens send it) in the order of authenticateLocked, and verifies
// its signature by presigning a copy with the SDK's signer.
//
// STS ignores X-Amz-Expires: a presigned request is good for the usual 15
// minutes either side of its X-Amz-Date (aws/aws-sdk-go#2167), and is
// refused after that with the same "Signature expired" text. The messages
// for missing query parameters are a guess worded like the header ones.
// s.mu must be held.
func (s *Server) authenticatePresignedLocked(r *http.Request, body []byte, now time.Time) (principal, *apiError) {
	q := r.URL.Query()
	var missing []string
	for _, k := range []string{"X-Amz-Algorithm", "X-Amz-Credential", "X-Amz-Date", "X-Amz-SignedHeaders", "X-Amz-Signature"} {
		if q.Get(k) == "" {
			missing = append(missing, k)
		}
	}
	if len(missing) > 0 {
		return principal{}, incompleteSignature("AWS query-string parameters must include " + strings.Join(missing, ", ") + ". Re-examine the query-string parameters.")
	}
	if alg := q.Get("X-Amz-Algorithm"); alg != sigv4Algorithm {
		return principal{}, incompleteSignature("Unsupported AWS 'algorithm': '" + alg + "'.")
	}
	scope := strings.Split(q.Get("X-Amz-Credential"), "/")
	if len(scope) != 5 || scope[4] != "aws4_request" {
		return principal{}, incompleteSignature("Credential should be scoped to a valid region, like 'us-east-1'. Credential=" + q.Get("X-Amz-Credential"))
	}
	a := authorization{accessKeyID: scope[0], scopeDate: scope[1], region: scope[2], service: scope[3],
		signedHeaders: strings.Split(q.Get("X-Amz-SignedHeaders"), ";"), signature: q.Get("X-Amz-Signature")}
	if e := checkScope(a.service, a.region); e != nil {
		return principal{}, e
	}
	date := q.Get("X-Amz-Date")
	signed, perr := time.Parse(amzDateFormat, date)
	if perr != nil {
		return principal{}, incompleteSignature("Date must be in ISO-8601 'basic format'. Got '" + date + "'. See http://en.wikipedia.org/wiki/ISO_8601")
	}
	if e := checkScopeDate(a.scopeDate, date, signed); e != nil {
		return principal{}, e
	}
	if e := checkSkew(signed, now, s.cfg.maxSkew); e != nil {
		return principal{}, e
	}
	who, creds, e := s.credentialsLocked(a.accessKeyID, q.Get("X-Amz-Security-Token"), now)
	if e != nil {
		return principal{}, e
	}
	if !presignatureMatches(r, q, body, a, creds, signed) {
		return principal{}, signatureDoesNotMatch(msgSignatureMismatch)
	}
	return who, nil
}

// presignatureMatches presigns a copy of r (its query without the
// signer's own parameters, the headers the client signed) with the SDK's
// signer, once with the body's hash and once with UNSIGNED-PAYLOAD, and
// compares the signatures in constant time.
func presignatureMatches(r *http.Request, q url.Values, body []byte, a authorization, creds aws.Credentials, signed time.Time) bool {
	rest := url.Values{}
	for k, vs := range q {
		rest[k] = vs
	}
	for _, k := range presignParams {
		rest.Del(k)
	}
	req, _, ok := signedCopy(r, rest.Encode(), a.signedHeaders, len(body))
	if !ok {
		return false
	}
	sum := sha256.Sum256(body)
	for _, payload := range []string{hex.EncodeToString(sum[:]), unsignedPayload} {
		uri, _, err := v4.NewSigner().PresignHTTP(context.Background(), creds, req, payload, a.service, a.region, signed)
		if err != nil {
			return false
		}
		u, err := url.Parse(uri)
		if err != nil {
			return false
		}
		mine := u.Query()
		if mine.Get("X-Amz-SignedHeaders") == q.Get("X-Amz-SignedHeaders") &&
			subtle.ConstantTimeCompare([]byte(mine.Get("X-Amz-Signature")), []byte(a.signature)) == 1 {
			return true
		}
	}
	return false
}
