package loopback

import (
	"strings"
	"testing"
)

func TestCheckURL(t *testing.T) {
	for raw, want := range map[string]string{
		"https://sts.amazonaws.com":       "",
		"https://10.0.0.1:8443/x":         "",
		"http://127.0.0.1:9000":           "",
		"http://localhost":                "",
		"http://[::1]:80":                 "",
		"http://sts.example.invalid":      "plain http to sts.example.invalid",
		"http://10.0.0.1":                 "plain http to 10.0.0.1",
		"http://app.localhost":            "plain http to app.localhost",
		"https://u:hunter2@example.com":   "user information",
		"ftp://example.com":               "not an http(s) URL",
		"sts.amazonaws.com":               "not an http(s) URL",
		"https://":                        "not an http(s) URL",
		"http://u:hunter2@%zz.invalid/%%": "not an http(s) URL",
	} {
		err := CheckURL(raw)
		switch {
		case want == "" && err != nil:
			t.Errorf("CheckURL(%q) = %v, want nil", raw, err)
		case want != "" && (err == nil || !strings.Contains(err.Error(), want)):
			t.Errorf("CheckURL(%q) = %v, want an error with %q", raw, err, want)
		case err != nil && strings.Contains(err.Error(), "hunter2"):
			t.Errorf("CheckURL(%q) = %v: quotes the password", raw, err)
		}
	}
}
