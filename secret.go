package awssession

import (
	"fmt"
	"io"
	"log/slog"
	"net/url"
	"strings"
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

// redactURL hides the user information (a password) of a URL, also of one
// too malformed to parse, for errors and printed options.
func redactURL(raw string) string {
	if u, err := url.Parse(raw); err == nil {
		if u.User == nil {
			return raw
		}
		u.User = url.User("xxxxx")
		return u.String()
	}
	if i := strings.Index(raw, "://"); i >= 0 {
		if j := strings.LastIndex(raw, "@"); j > i {
			return raw[:i+3] + "xxxxx" + raw[j:]
		}
	}
	return raw
}

// formatURLOption prints an option that holds a URL, redacted, for every
// fmt verb.
func formatURLOption(f fmt.State, name, raw string) {
	_, _ = fmt.Fprintf(f, "%s(%s)", name, redactURL(raw))
}
