package keyring

import (
	"errors"
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// ErrInvalid means a profile name, key or seed that the keyring does not
// store: the user fixes the input.
var ErrInvalid = errors.New("not stored")

// Bounds of what the keyring stores. A profile name becomes part of a file
// name in the file backend (with '/' and '%' escaped to three bytes each,
// and room left for a temporary file's prefix and suffix within the 255
// bytes most file systems allow). AWS secret keys are 40 characters; 128
// is the bound the library puts on any secret key.
const (
	maxProfile     = 128
	maxItemName    = 200
	maxSecretKey   = 128
	minKeyIDLength = 16
	maxKeyIDLength = 128
)

// CheckProfile returns an error matching ErrInvalid unless name can name
// a profile's items: 1 to 128 bytes of UTF-8 without control characters.
func CheckProfile(name string) error {
	switch {
	case name == "":
		return fmt.Errorf("%w: the profile name is empty", ErrInvalid)
	case !utf8.ValidString(name) || strings.ContainsFunc(name, unicode.IsControl):
		return fmt.Errorf("%w: the profile name holds control characters or is not UTF-8", ErrInvalid)
	case len(name) > maxProfile || len(itemFile(keysPrefix+name)) > maxItemName:
		return fmt.Errorf("%w: the profile name is %d bytes; at most %d (a '/' or '%%' counts three)", ErrInvalid, len(name), maxProfile)
	}
	return nil
}

// Check returns an error matching ErrInvalid unless k looks like an IAM
// user's long-term key pair: an ID of 16 to 128 upper-case letters and
// digits, not a temporary one (ASIA…), and a secret of 1 to 128 printable
// ASCII characters (AWS's are 40, base64). The error never quotes the
// secret.
func (k AccessKey) Check() error {
	secret := k.Secret.Reveal()
	switch {
	case !IsAccessKeyID(k.ID):
		return fmt.Errorf("%w: the access key ID is not one (%d to %d upper-case letters and digits, such as AKIA…)", ErrInvalid, minKeyIDLength, maxKeyIDLength)
	case strings.HasPrefix(k.ID, "ASIA"):
		return fmt.Errorf("%w: %s is a temporary key (ASIA…): the keyring is for long-term keys (AKIA…)", ErrInvalid, k.ID)
	case secret == "":
		return fmt.Errorf("%w: the secret access key is empty", ErrInvalid)
	case len(secret) > maxSecretKey:
		return fmt.Errorf("%w: the secret access key is %d bytes; AWS secret keys are 40 characters (at most %d accepted)", ErrInvalid, len(secret), maxSecretKey)
	case strings.ContainsFunc(secret, func(r rune) bool { return r <= ' ' || r > '~' }):
		return fmt.Errorf("%w: the secret access key holds a space, a line break, a control or a non-ASCII character; AWS secret keys are one word of letters, digits, + and /", ErrInvalid)
	}
	return nil
}

// IsAccessKeyID reports 16-128 upper-case letters and digits.
func IsAccessKeyID(s string) bool {
	if len(s) < minKeyIDLength || len(s) > maxKeyIDLength {
		return false
	}
	for _, r := range s {
		if (r < 'A' || r > 'Z') && (r < '0' || r > '9') {
			return false
		}
	}
	return true
}
