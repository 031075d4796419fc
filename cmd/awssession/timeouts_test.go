package main

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/awssession/awssession/ststest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestEveryCallHonoursTheTimeout, through the command: whoami's
// GetCallerIdentity, --expect-account's check and a web identity source's
// AssumeRoleWithWebIdentity give up after --sts-timeout against a server
// that never answers (they ran as long as it liked).
func TestEveryCallHonoursTheTimeout(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name, action string
		args         func(f *fixture, token string) []string
		env          func(f *fixture, token string) []string
	}{
		{"whoami", "GetCallerIdentity", func(f *fixture, _ string) []string { return append([]string{"whoami"}, f.aliceArgs()...) }, nil},
		{"--expect-account", "GetCallerIdentity", func(f *fixture, _ string) []string {
			return append([]string{"env", "--expect-account", f.srv.Account()}, f.aliceArgs()...)
		}, nil},
		{"web identity", "AssumeRoleWithWebIdentity", func(f *fixture, _ string) []string { return []string{"env", "--region", "us-east-1"} },
			func(f *fixture, token string) []string {
				role := f.srv.AddRole("Pod", ststest.Trust{Principals: []string{f.srv.OIDCProviderARN()}})
				return []string{"AWS_WEB_IDENTITY_TOKEN_FILE=" + token, "AWS_ROLE_ARN=" + role.ARN, "AWS_ENDPOINT_URL_STS=" + f.srv.URL}
			}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			f := newFixture(t)
			token := filepath.Join(t.TempDir(), "token")
			require.NoError(t, os.WriteFile(token, []byte(f.srv.WebIdentityToken("ci", "sts.amazonaws.com")), 0o600))
			var env []string
			if tc.env != nil {
				env = tc.env(f, token)
			}
			f.srv.InjectFault(ststest.Latency(1, time.Hour).ForAction(tc.action))
			r := f.run(t, env, "", append(tc.args(f, token), "--sts-timeout", "500ms")...)
			assert.NotEqual(t, 0, r.code)
			assert.Contains(t, r.stderr, tc.action+" for ")
			assert.Contains(t, r.stderr, "no answer in the time --sts-timeout allows")
		})
	}
}
