package loopback

import (
	"errors"
	"fmt"
	"net/url"
	"strings"
)

// CheckURL is the one route rule of every client that carries a secret
// (STS, IAM, SSO, SSO OIDC, Sign-In, container credentials): raw must be
// an https URL with a host, or http to a loopback host (a local fake or
// credential endpoint), and must not carry user information. Its error
// says what is wrong in words a person reads (no Go names) and never
// quotes a password; callers add which setting chose the URL.
func CheckURL(raw string) error {
	u, err := url.Parse(raw)
	switch {
	case err != nil || u.Host == "" || (u.Scheme != "https" && u.Scheme != "http"):
		return fmt.Errorf("%q is not an http(s) URL with a host", Redact(raw))
	case u.User != nil:
		return errors.New("the URL must not carry user information")
	case u.Scheme == "http" && !IsHost(u.Hostname()):
		return fmt.Errorf("plain http to %s would carry secrets in clear text; use https (http is allowed for loopback only)", u.Hostname())
	}
	return nil
}

// Redact hides the user information (a password) of a URL, also of one
// that does not parse.
func Redact(raw string) string {
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
