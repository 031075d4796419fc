package awssession

import (
	"fmt"
	"io"
	"log/slog"

	"github.com/awssession/awssession/internal/loopback"
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

// redactURL hides the user information (a password) of a URL.
func redactURL(raw string) string { return loopback.Redact(raw) }

// formatURLOption prints an option that holds a URL, redacted, for every
// fmt verb.
func formatURLOption(f fmt.State, name, raw string) {
	_, _ = fmt.Fprintf(f, "%s(%s)", name, redactURL(raw))
}
