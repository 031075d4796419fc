package ststest

import (
	"crypto"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"time"
)

// webIdentityClaims are the claims of an ID token AssumeRoleWithWebIdentity
// reads.
type webIdentityClaims struct {
	Issuer    string   `json:"iss"`
	Subject   string   `json:"sub"`
	Audience  audience `json:"aud"`
	ExpiresAt int64    `json:"exp"`
}

// audience is the aud claim: one string or an array of them (RFC 7519).
type audience []string

func (a *audience) UnmarshalJSON(b []byte) error {
	var one string
	if err := json.Unmarshal(b, &one); err == nil {
		*a = audience{one}
		return nil
	}
	var many []string
	if err := json.Unmarshal(b, &many); err != nil {
		return err
	}
	*a = many
	return nil
}

// Texts of InvalidIdentityToken and ExpiredTokenException. Quoted from
// users' reports: msgNoOIDCProvider (aws-actions/configure-aws-credentials#280),
// msgIncorrectAudience (awslabs/amazon-eks-irsa-cfn#18), the expired text
// (aws/aws-sdk-java-v2#5709). msgNotAJWT and msgBadTokenSignature are
// guesses.
const (
	msgNotAJWT           = "The ID Token provided is not a valid JWT. (You may see this error if you sent an Access Token)"
	msgBadTokenSignature = "The signature of the ID Token could not be verified with the keys of the identity provider."
	msgNoOIDCProvider    = "No OpenIDConnect provider found in your account for "
	msgIncorrectAudience = "Incorrect token audience"
)

func invalidIdentityToken(message string) *apiError {
	return &apiError{http.StatusBadRequest, "InvalidIdentityToken", message}
}

// verifyWebIdentityToken checks an ID token the way STS checks one from an
// IAM OIDC provider, in this order: a well-formed JWT, an issuer that is a
// provider of the account (this server's own issuer), an RS256 signature
// by the issuer's key, and an expiry after now.
func (s *Server) verifyWebIdentityToken(token string, now time.Time) (webIdentityClaims, *apiError) {
	var claims webIdentityClaims
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		return claims, invalidIdentityToken(msgNotAJWT)
	}
	var header struct {
		Alg string `json:"alg"`
		Kid string `json:"kid"`
	}
	headerJSON, err1 := base64.RawURLEncoding.Strict().DecodeString(parts[0])
	payload, err2 := base64.RawURLEncoding.Strict().DecodeString(parts[1])
	sig, err3 := base64.RawURLEncoding.Strict().DecodeString(parts[2])
	if err1 != nil || err2 != nil || err3 != nil ||
		json.Unmarshal(headerJSON, &header) != nil || json.Unmarshal(payload, &claims) != nil {
		return claims, invalidIdentityToken(msgNotAJWT)
	}
	if claims.Issuer != s.issuerURL() {
		return claims, invalidIdentityToken(msgNoOIDCProvider + claims.Issuer)
	}
	key, kid := s.oidc.signingKey()
	sum := sha256.Sum256([]byte(parts[0] + "." + parts[1]))
	if header.Alg != "RS256" || header.Kid != kid || rsa.VerifyPKCS1v15(&key.PublicKey, crypto.SHA256, sum[:], sig) != nil {
		return claims, invalidIdentityToken(msgBadTokenSignature)
	}
	if now.Unix() >= claims.ExpiresAt {
		return claims, expiredToken(fmt.Sprintf("Token expired: current date/time %d must be before the expiration date/time %d", now.Unix(), claims.ExpiresAt))
	}
	return claims, nil
}

// matchLike reports whether s matches an IAM StringLike pattern: '*'
// matches any run of characters, '?' any one character.
func matchLike(pattern, s string) bool {
	p, t := []rune(pattern), []rune(s)
	i, j, star, mark := 0, 0, -1, 0
	for j < len(t) {
		switch {
		case i < len(p) && (p[i] == '?' || p[i] == t[j]):
			i, j = i+1, j+1
		case i < len(p) && p[i] == '*':
			star, mark, i = i, j, i+1
		case star >= 0:
			mark++
			i, j = star+1, mark
		default:
			return false
		}
	}
	for i < len(p) && p[i] == '*' {
		i++
	}
	return i == len(p)
}
