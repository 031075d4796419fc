package ststest

import (
	"crypto/subtle"
	"net/http"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/awssession/awssession/internal/stsrules"
)

// authenticateLocked finds who signed r and checks that they did, in the
// order AWS reports problems: no signature, a malformed one, a scope
// outside STS or outside any region, a scope dated another day than the
// request, a request time too far from the server clock, an unknown key
// or token, an expired session, and finally a signature that does not
// verify. A request whose query string carries
// the signature (a presigned URL) is checked by authenticatePresignedLocked.
// s.mu must be held.
//
// A Date header in ISO 8601 basic format may stand in for X-Amz-Date at
// AWS, but such a request cannot be verified by re-signing with the SDK's
// signer, which always signs X-Amz-Date; it fails here with
// SignatureDoesNotMatch rather than being verified by SigV4 code of our own.
func (s *Server) authenticateLocked(r *http.Request, body []byte, now time.Time) (principal, *apiError) {
	if isPresigned(r) {
		return s.authenticatePresignedLocked(r, body, now)
	}
	header := r.Header.Get("Authorization")
	if header == "" {
		return principal{}, &apiError{http.StatusForbidden, "MissingAuthenticationToken", msgMissingAuth}
	}
	a, err := parseAuthorization(header)
	if err != nil {
		return principal{}, err
	}
	if e := checkScope(a.service, a.region); e != nil {
		return principal{}, e
	}
	date := r.Header.Get("X-Amz-Date")
	if date == "" {
		date = r.Header.Get("Date")
	}
	if date == "" {
		return principal{}, incompleteSignature("Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header. Authorization=" + header)
	}
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
	who, creds, e := s.credentialsLocked(a.accessKeyID, r.Header.Get("X-Amz-Security-Token"), now)
	if e != nil {
		return principal{}, e
	}
	if !signatureMatches(r, body, a, creds, signed) {
		return principal{}, signatureDoesNotMatch(msgSignatureMismatch)
	}
	return who, nil
}

// checkScope refuses a credential scope for another service or for a
// region AWS does not have (cognitect-labs/aws-api#27). Which region a
// regional endpoint expects is not modelled: every real region passes.
func checkScope(service, region string) *apiError {
	if service != "sts" {
		return signatureDoesNotMatch("Credential should be scoped to correct service: 'sts'. ")
	}
	if !stsrules.IsSigningRegion(region) {
		return signatureDoesNotMatch("Credential should be scoped to a valid region, not '" + region + "'. ")
	}
	return nil
}

// credentialsLocked returns the principal behind an access key and the
// credentials to verify its signature with, or the error STS sends for an
// unknown key, a token that does not belong to it, or an expired session.
// s.mu must be held.
func (s *Server) credentialsLocked(accessKeyID, token string, now time.Time) (principal, aws.Credentials, *apiError) {
	creds := aws.Credentials{AccessKeyID: accessKeyID}
	if k := s.keys[accessKeyID]; k != nil {
		if token != "" {
			return principal{}, creds, invalidClientTokenID()
		}
		creds.SecretAccessKey = k.secret
		return userPrincipal(k.user), creds, nil
	}
	sess := s.sessions[accessKeyID]
	if sess == nil || subtle.ConstantTimeCompare([]byte(token), []byte(sess.token)) != 1 {
		return principal{}, creds, invalidClientTokenID()
	}
	if !now.Before(sess.expires) {
		return principal{}, creds, &apiError{http.StatusForbidden, "ExpiredToken", msgExpiredToken}
	}
	creds.SecretAccessKey, creds.SessionToken = sess.secret, sess.token
	return sess.as, creds, nil
}
