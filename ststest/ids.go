package ststest

import (
	"crypto/rand"
	"encoding/base32"
	"encoding/base64"
	"fmt"
	"strconv"
)

// The alphabets AWS identifiers are drawn from. Access key IDs and unique
// IDs use upper-case base32 letters and digits; secrets use base64.
const (
	idAlphabet     = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
	secretAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
)

// randomString returns n characters drawn uniformly from alphabet, whose
// length must divide 256 so that no character is favoured.
func randomString(alphabet string, n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic(fmt.Sprintf("ststest: crypto/rand: %v", err))
	}
	for i := range b {
		b[i] = alphabet[int(b[i])%len(alphabet)]
	}
	return string(b)
}

// newAccessKeyID returns a 20-character key ID with the given prefix
// (AKIA for long-term keys, ASIA for temporary ones) that encodes account
// as AWS's key IDs have since 2019: the 16 characters after the prefix
// are base32 of 10 bytes whose first six hold the account ID shifted left
// by seven bits (see accountOfKeyID).
func newAccessKeyID(prefix, account string) string {
	b := make([]byte, 10)
	if _, err := rand.Read(b); err != nil {
		panic(fmt.Sprintf("ststest: crypto/rand: %v", err))
	}
	n, _ := strconv.ParseUint(account, 10, 64) // validated: 12 digits
	v := n<<7 | uint64(b[5]&0x7f)
	for i := 5; i >= 0; i-- {
		b[i], v = byte(v), v>>8
	}
	return prefix + base32.StdEncoding.EncodeToString(b)
}

// accountOfKeyID returns the account ID a key ID encodes, as
// GetAccessKeyInfo reads it, and whether it decodes: the layout is
// public research, not AWS documentation (Tal Be'ery, "A short note on
// AWS KEY ID", 2023, whose example ASIAY34FZKBOKMUTVV7A is account
// 609629065308).
func accountOfKeyID(id string) (string, bool) {
	if len(id) != 20 {
		return "", false
	}
	b, err := base32.StdEncoding.DecodeString(id[4:])
	if err != nil {
		return "", false
	}
	var v uint64
	for _, c := range b[:6] {
		v = v<<8 | uint64(c)
	}
	return fmt.Sprintf("%012d", (v&0x7fffffffff80)>>7), true
}

// newUniqueID returns a 21-character IAM unique ID (AIDA for users, AROA
// for roles).
func newUniqueID(prefix string) string { return prefix + randomString(idAlphabet, 17) }

// newSecret returns a 40-character secret access key.
func newSecret() string { return randomString(secretAlphabet, 40) }

// newSessionToken returns an opaque session token. Real tokens are a few
// hundred base64 characters and clients must make no assumption about
// their size; these start like the ones STS issues today.
func newSessionToken() string {
	b := make([]byte, 180)
	if _, err := rand.Read(b); err != nil {
		panic(fmt.Sprintf("ststest: crypto/rand: %v", err))
	}
	return "IQoJb3JpZ2luX2VjE" + base64.StdEncoding.EncodeToString(b)
}

// newTOTPSeed returns a base32 seed like IAM's Base32StringSeed (40 random
// bytes, 64 characters, no padding).
func newTOTPSeed() string {
	b := make([]byte, 40)
	if _, err := rand.Read(b); err != nil {
		panic(fmt.Sprintf("ststest: crypto/rand: %v", err))
	}
	return base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(b)
}

// newRequestID returns a random UUID (version 4) as STS request IDs are.
func newRequestID() string {
	b := make([]byte, 16)
	if _, err := rand.Read(b); err != nil {
		panic(fmt.Sprintf("ststest: crypto/rand: %v", err))
	}
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}
