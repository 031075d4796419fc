package ststest

import (
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"math/big"
	"net/http"
	"strings"
	"sync"
	"time"
)

// Paths the server's OpenID Connect issuer serves, beside STS.
const (
	oidcDiscoveryPath = "/.well-known/openid-configuration"
	oidcJWKSPath      = "/.well-known/jwks.json"
	// webIdentityTokenPath mints tokens over HTTP for clients in other
	// languages (awssession sts-server): GET ?sub=S&aud=A.
	webIdentityTokenPath = "/ststest/web-identity-token"
)

// defaultAudience is the aud GitHub Actions and EKS put in tokens for AWS,
// and the audience a [Trust] with no Audience expects.
const defaultAudience = "sts.amazonaws.com"

// webIdentityTokenLifetime is how long minted tokens are valid: an hour,
// between GitHub Actions' few minutes and EKS's day.
const webIdentityTokenLifetime = time.Hour

// oidcIssuer is the server's own OpenID Connect identity provider: an RSA
// key made on first use (a 2048-bit key takes tens of milliseconds, which
// servers that never mint a token should not pay) and its key ID.
type oidcIssuer struct {
	once sync.Once
	key  *rsa.PrivateKey
	kid  string
}

func (o *oidcIssuer) signingKey() (*rsa.PrivateKey, string) {
	o.once.Do(func() {
		key, err := rsa.GenerateKey(rand.Reader, 2048)
		if err != nil {
			panic(fmt.Sprintf("ststest: generate RSA key: %v", err))
		}
		sum := sha256.Sum256(key.N.Bytes())
		o.key, o.kid = key, base64.RawURLEncoding.EncodeToString(sum[:12])
	})
	return o.key, o.kid
}

// issuerURL is the iss of the tokens the server mints: its own URL.
func (s *Server) issuerURL() string { return s.URL }

// OIDCProviderARN returns the ARN of the server's OpenID Connect issuer as
// an IAM OIDC provider of its account,
// "arn:aws:iam::ACCOUNT:oidc-provider/127.0.0.1:PORT". Name it in
// [Trust.Principals] for roles that [Server.WebIdentityToken]'s tokens
// may assume with AssumeRoleWithWebIdentity.
func (s *Server) OIDCProviderARN() string {
	return s.arn("iam", "oidc-provider/"+strings.TrimPrefix(s.issuerURL(), "http://"))
}

// WebIdentityToken returns an OpenID Connect ID token (an RS256 JWT)
// signed by the server's issuer for subject and audience ("" means
// "sts.amazonaws.com"), issued at the server clock and valid for an hour,
// for AssumeRoleWithWebIdentity: the token GitHub Actions or an EKS
// service account would hand to the SDK. The issuer serves its discovery
// document and keys at the server's URL.
func (s *Server) WebIdentityToken(subject, audience string) string {
	if audience == "" {
		audience = defaultAudience
	}
	now := s.cfg.clock()
	claims := map[string]any{
		"iss": s.issuerURL(), "sub": subject, "aud": audience,
		"iat": now.Unix(), "nbf": now.Unix(), "exp": now.Add(webIdentityTokenLifetime).Unix(),
		"jti": newRequestID(),
	}
	return s.signJWT(claims)
}

// signJWT returns claims as an RS256 JWT signed by the server's issuer:
// web identity tokens and Sign-In's ID tokens.
func (s *Server) signJWT(claims map[string]any) string {
	key, kid := s.oidc.signingKey()
	header, _ := json.Marshal(map[string]string{"alg": "RS256", "typ": "JWT", "kid": kid})
	payload, _ := json.Marshal(claims)
	signingInput := base64.RawURLEncoding.EncodeToString(header) + "." + base64.RawURLEncoding.EncodeToString(payload)
	sum := sha256.Sum256([]byte(signingInput))
	sig, err := rsa.SignPKCS1v15(rand.Reader, key, crypto.SHA256, sum[:])
	if err != nil {
		panic(fmt.Sprintf("ststest: sign token: %v", err))
	}
	return signingInput + "." + base64.RawURLEncoding.EncodeToString(sig)
}

// serveOIDC answers the issuer's requests and reports whether r was one.
func (s *Server) serveOIDC(w http.ResponseWriter, r *http.Request) bool {
	var body any
	switch r.URL.Path {
	case oidcDiscoveryPath:
		body = map[string]any{
			"issuer":                                s.issuerURL(),
			"jwks_uri":                              s.URL + oidcJWKSPath,
			"response_types_supported":              []string{"id_token"},
			"subject_types_supported":               []string{"public"},
			"id_token_signing_alg_values_supported": []string{"RS256"},
			"claims_supported":                      []string{"sub", "aud", "exp", "iat", "iss", "jti", "nbf"},
		}
	case oidcJWKSPath:
		key, kid := s.oidc.signingKey()
		body = map[string]any{"keys": []map[string]string{{
			"kty": "RSA", "alg": "RS256", "use": "sig", "kid": kid,
			"n": base64.RawURLEncoding.EncodeToString(key.N.Bytes()),
			"e": base64.RawURLEncoding.EncodeToString(big.NewInt(int64(key.E)).Bytes()),
		}}}
	case webIdentityTokenPath:
		q := r.URL.Query()
		w.Header().Set("Content-Type", "application/jwt")
		_, _ = w.Write([]byte(s.WebIdentityToken(q.Get("sub"), q.Get("aud"))))
		return true
	default:
		return false
	}
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(body)
	return true
}
