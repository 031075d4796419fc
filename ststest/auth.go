package ststest

import (
	"crypto/subtle"
	"net/http"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
)

// authenticateLocked finds who signed r and checks that they did, in the
// order AWS reports problems: no signature, a malformed one, a request
// time too far from the server clock, an unknown key or token, an expired
// session, and finally a signature that does not verify. s.mu must be
// held.
func (s *Server) authenticateLocked(r *http.Request, body []byte, now time.Time) (principal, *apiError) {
	header := r.Header.Get("Authorization")
	if header == "" {
		return principal{}, &apiError{http.StatusForbidden, "MissingAuthenticationToken", msgMissingAuth}
	}
	a, err := parseAuthorization(header)
	if err != nil {
		return principal{}, err
	}
	if a.service != "sts" {
		return principal{}, signatureDoesNotMatch("Credential should be scoped to correct service: 'sts'. ")
	}
	date := r.Header.Get("X-Amz-Date")
	if date == "" {
		return principal{}, incompleteSignature("Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header. Authorization=" + header)
	}
	signed, perr := time.Parse(amzDateFormat, date)
	if perr != nil {
		return principal{}, incompleteSignature("Date must be in ISO-8601 'basic format'. Got '" + date + "'. See http://en.wikipedia.org/wiki/ISO_8601")
	}
	if e := checkSkew(signed, now, s.cfg.maxSkew); e != nil {
		return principal{}, e
	}

	token := r.Header.Get("X-Amz-Security-Token")
	var who principal
	creds := aws.Credentials{AccessKeyID: a.accessKeyID}
	if k := s.keys[a.accessKeyID]; k != nil {
		if token != "" {
			return principal{}, invalidClientTokenID()
		}
		who, creds.SecretAccessKey = userPrincipal(k.user), k.secret
	} else if sess := s.sessions[a.accessKeyID]; sess != nil {
		if subtle.ConstantTimeCompare([]byte(token), []byte(sess.token)) != 1 {
			return principal{}, invalidClientTokenID()
		}
		if !now.Before(sess.expires) {
			return principal{}, &apiError{http.StatusForbidden, "ExpiredToken", msgExpiredToken}
		}
		who, creds.SecretAccessKey, creds.SessionToken = sess.as, sess.secret, sess.token
	} else {
		return principal{}, invalidClientTokenID()
	}
	if !signatureMatches(r, body, a, creds, signed) {
		return principal{}, signatureDoesNotMatch(msgSignatureMismatch)
	}
	return who, nil
}
