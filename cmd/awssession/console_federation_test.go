package main

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestLocalFederation derives the federation endpoint of an STS on
// loopback, exactly where ststest serves it, and none for others.
func TestLocalFederation(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	assert.Equal(t, f.srv.FederationURL(), localFederation(f.srv.URL), "ststest serves it elsewhere")
	tests := []struct{ sts, want string }{
		{"http://127.0.0.1:4566", "http://127.0.0.1:4566/federation"},
		{"http://127.0.0.1:4566/", "http://127.0.0.1:4566/federation"},
		{"http://localhost:8080", "http://localhost:8080/federation"},
		{"http://[::1]:8080", "http://[::1]:8080/federation"},
		{"https://127.0.0.2", "https://127.0.0.2/federation"},
		{"https://sts.eu-west-1.amazonaws.com", ""},
		{"https://vpce-0123.sts.eu-west-1.vpce.amazonaws.com", ""},
		{"http://10.0.0.1:4566", ""},
		{"", ""},
		{"::not a url", ""},
	}
	for _, tt := range tests {
		t.Run(tt.sts, func(t *testing.T) {
			assert.Equal(t, tt.want, localFederation(tt.sts))
		})
	}
}

// TestConsoleLocalFederation signs in at the fake STS's own federation
// endpoint when the session comes from it, named by --sts-endpoint or by
// the profile's endpoint_url: never at signin.aws.amazon.com, which
// would refuse ststest's keys (and must not see them).
func TestConsoleLocalFederation(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	config := "[profile dev]\nregion = eu-west-1\nendpoint_url = " + f.srv.URL + "\n\n[profile reader]\nsource_profile = dev\nrole_arn = " + f.reader.ARN +
		"\nendpoint_url = " + f.srv.URL + "\n"
	creds := "[dev]\naws_access_key_id = " + f.alice.AccessKeyID + "\naws_secret_access_key = " + f.alice.SecretAccessKey + "\n"
	require.NoError(t, os.WriteFile(filepath.Join(f.dir, "config"), []byte(config), 0o600))
	require.NoError(t, os.WriteFile(filepath.Join(f.dir, "credentials"), []byte(creds), 0o600))
	tests := []struct {
		name string
		args []string
	}{
		{"--sts-endpoint", f.aliceArgs("--role-arn", f.reader.ARN)},
		{"endpoint_url", []string{"reader"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := f.srv.CountRequests("getSigninToken")
			r := f.run(t, nil, "", append([]string{"console", "--print"}, tt.args...)...)
			require.Equal(t, 0, r.code, "stderr: %s", r.stderr)
			token := checkSigninURL(t, f.srv.FederationURL(), r.stdout)
			sess, ok := f.srv.SigninSession(token)
			require.True(t, ok, "ststest did not issue the sign-in token")
			assert.Contains(t, sess.ARN, ":assumed-role/Reader/")
			assert.Equal(t, 1, f.srv.CountRequests("getSigninToken")-before)
		})
	}
}
