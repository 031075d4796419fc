package awssession

import (
	"fmt"
	"io"
	"log/slog"
)

const redacted = "[redacted]"

// secret holds a value that must never be printed: a secret key, a session
// token, an MFA code, a TOTP seed. Every way fmt or slog can render it
// prints [redacted]; only reveal returns the value.
type secret string

func (s secret) reveal() string           { return string(s) }
func (secret) String() string             { return redacted }
func (secret) GoString() string           { return `"` + redacted + `"` }
func (secret) LogValue() slog.Value       { return slog.StringValue(redacted) }
func (secret) Format(f fmt.State, _ rune) { _, _ = io.WriteString(f, redacted) }
func (secret) MarshalText() ([]byte, error) {
	return []byte(redacted), nil
}
