package ststest

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"math/big"
	"strings"
	"time"
)

// dpopWindow is how far a DPoP proof's iat may be from the server clock,
// either way, and how long its jti is remembered to refuse a replay. RFC
// 9449 §11.1 leaves the window to the server ("seconds to minutes"); AWS's
// is not documented, so this is a guess.
const dpopWindow = 5 * time.Minute

// p256Size is the byte length of a P-256 coordinate and of each half of
// an ES256 signature.
const p256Size = 32

type dpopJWK struct {
	Kty string `json:"kty"`
	Crv string `json:"crv"`
	X   string `json:"x"`
	Y   string `json:"y"`
}

type dpopHeader struct {
	Typ string   `json:"typ"`
	Alg string   `json:"alg"`
	JWK *dpopJWK `json:"jwk"`
}

type dpopClaims struct {
	Jti string `json:"jti"`
	Htm string `json:"htm"`
	Htu string `json:"htu"`
	Iat int64  `json:"iat"`
}

// verifyDPoPLocked checks a DPoP proof (RFC 9449 §4.3) for a POST to htu,
// as AWS Sign-In's clients make them: a JWS with typ dpop+jwt, alg ES256
// and the public P-256 key in jwk; signed by that key (raw r||s); htm
// POST; htu this URL without query or fragment; iat within dpopWindow of
// now; a jti not seen before. It returns the key's RFC 7638 thumbprint, or
// why the proof is refused.
func (s *Server) verifyDPoPLocked(proof, htu string, now time.Time) (jkt, reason string) {
	if proof == "" {
		return "", "missing DPoP header"
	}
	parts := strings.Split(proof, ".")
	if len(parts) != 3 {
		return "", "not a JWS in compact form"
	}
	var h dpopHeader
	var c dpopClaims
	headerJSON, err1 := base64.RawURLEncoding.DecodeString(parts[0])
	claimsJSON, err2 := base64.RawURLEncoding.DecodeString(parts[1])
	sig, err3 := base64.RawURLEncoding.DecodeString(parts[2])
	if err1 != nil || err2 != nil || err3 != nil || json.Unmarshal(headerJSON, &h) != nil || json.Unmarshal(claimsJSON, &c) != nil {
		return "", "malformed JWS"
	}
	if h.Typ != "dpop+jwt" || h.Alg != "ES256" || h.JWK == nil {
		return "", "header must have typ dpop+jwt, alg ES256 and a jwk"
	}
	key, jkt, ok := parseP256JWK(h.JWK)
	if !ok {
		return "", "jwk is not a P-256 public key"
	}
	sum := sha256.Sum256([]byte(parts[0] + "." + parts[1]))
	if len(sig) != 2*p256Size ||
		!ecdsa.Verify(key, sum[:], new(big.Int).SetBytes(sig[:p256Size]), new(big.Int).SetBytes(sig[p256Size:])) {
		return "", "signature does not verify with the jwk"
	}
	claimURL, _, _ := strings.Cut(c.Htu, "?")
	claimURL, _, _ = strings.Cut(claimURL, "#")
	iat := time.Unix(c.Iat, 0)
	switch {
	case c.Htm != "POST":
		return "", "htm is not POST"
	case claimURL != htu:
		return "", "htu is not " + htu
	case iat.Before(now.Add(-dpopWindow)) || iat.After(now.Add(dpopWindow)):
		return "", "iat is outside the accepted window"
	case c.Jti == "":
		return "", "jti is missing"
	}
	for id, forget := range s.signIn.jtis {
		if now.After(forget) {
			delete(s.signIn.jtis, id)
		}
	}
	if _, seen := s.signIn.jtis[c.Jti]; seen {
		return "", "jti was already used"
	}
	s.signIn.jtis[c.Jti] = iat.Add(dpopWindow)
	return jkt, ""
}

// parseP256JWK returns the public key of an EC P-256 JWK and its RFC 7638
// thumbprint. Coordinates shorter than 32 bytes are accepted: the Go SDK
// encodes big.Int.Bytes(), which drops leading zeros; the thumbprint is
// computed over the padded form, so a key has one thumbprint however it
// is written.
func parseP256JWK(k *dpopJWK) (*ecdsa.PublicKey, string, bool) {
	if k.Kty != "EC" || k.Crv != "P-256" {
		return nil, "", false
	}
	x, err1 := base64.RawURLEncoding.DecodeString(k.X)
	y, err2 := base64.RawURLEncoding.DecodeString(k.Y)
	if err1 != nil || err2 != nil || len(x) > p256Size || len(y) > p256Size {
		return nil, "", false
	}
	point := make([]byte, 1+2*p256Size)
	point[0] = 4 // uncompressed
	copy(point[1+p256Size-len(x):1+p256Size], x)
	copy(point[1+2*p256Size-len(y):], y)
	key, err := ecdsa.ParseUncompressedPublicKey(elliptic.P256(), point)
	if err != nil {
		return nil, "", false
	}
	enc := base64.RawURLEncoding.EncodeToString
	members, _ := json.Marshal(struct { // lexicographic order, no spaces (RFC 7638 §3)
		Crv string `json:"crv"`
		Kty string `json:"kty"`
		X   string `json:"x"`
		Y   string `json:"y"`
	}{"P-256", "EC", enc(point[1 : 1+p256Size]), enc(point[1+p256Size:])})
	sum := sha256.Sum256(members)
	return key, enc(sum[:]), true
}
