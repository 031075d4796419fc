package keyring

import (
	"fmt"
	"io"
	"log/slog"
)

const redacted = "[redacted]"

// Secret holds a value that must never be printed: a secret access key, a
// TOTP seed, a keyring passphrase. Every way fmt or slog can render it
// prints [redacted]; only Reveal returns the value.
type Secret string

// Reveal returns the secret value, for the one place that needs it.
func (s Secret) Reveal() string { return string(s) }

// String returns [redacted].
func (Secret) String() string { return redacted }

// GoString returns "[redacted]", quoted.
func (Secret) GoString() string { return `"` + redacted + `"` }

// LogValue returns [redacted].
func (Secret) LogValue() slog.Value { return slog.StringValue(redacted) }

// Format prints [redacted] for every verb.
func (Secret) Format(f fmt.State, _ rune) { _, _ = io.WriteString(f, redacted) }

// MarshalText returns [redacted]: a Secret never reaches JSON by accident.
func (Secret) MarshalText() ([]byte, error) { return []byte(redacted), nil }

// AccessKey is a long-term key pair of an IAM user.
type AccessKey struct {
	ID     string
	Secret Secret
}
