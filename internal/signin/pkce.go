// Package signin holds the mechanics of signing a person in without
// stored keys: the OAuth flows of IAM Identity Center (authorization code
// with PKCE and a loopback redirect, and the device code) and of AWS
// Sign-In's console credentials (PKCE, a DPoP-bound refresh token), the
// browser opener, the loopback listener, the token files as the AWS CLI
// writes them, and the lock that makes processes that need a sign-in at
// once share one. The awssession package plans which session needs it
// and gives it clients with the session's endpoints and timeouts.
package signin

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
)

// pkce is a PKCE verifier and its S256 challenge (RFC 7636).
type pkce struct{ verifier, challenge string }

func newPKCE() pkce {
	v := randomString(64)
	sum := sha256.Sum256([]byte(v))
	return pkce{verifier: v, challenge: base64.RawURLEncoding.EncodeToString(sum[:])}
}

// randomString is n random bytes, base64url without padding: a verifier,
// a state, a JWT ID.
func randomString(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b) // crypto/rand never fails on supported platforms
	return base64.RawURLEncoding.EncodeToString(b)
}
