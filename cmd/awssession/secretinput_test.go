package main

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestSecretFlagsFromPipe reads "-" secrets from stdin one line each, in
// flag order, with no question printed: a pipe is not a person.
func TestSecretFlagsFromPipe(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	env := []string{envSecretKey + "="} // only stdin holds the secret
	tests := []struct {
		name  string
		stdin string
		args  []string
		code  int
	}{
		{"secret key", f.alice.SecretAccessKey + "\n", f.aliceArgs("--secret-key", "-"), 0},
		{"secret key without a newline", f.alice.SecretAccessKey, f.aliceArgs("--secret-key", "-"), 0},
		{"secret key, then MFA code", f.alice.SecretAccessKey + "\n" + f.srv.TOTPCode(f.mfa.SerialNumber) + "\n",
			f.aliceArgs("--secret-key", "-", "--mfa-token", "-", "--mfa-serial", f.mfa.SerialNumber, "--no-cache"), 0},
		{"wrong secret key", "not-the-secret\n", f.aliceArgs("--secret-key", "-"), 3},
		{"empty stdin", "", f.aliceArgs("--secret-key", "-"), 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := f.run(t, env, tt.stdin, append([]string{"whoami"}, tt.args...)...)
			require.Equal(t, tt.code, r.code, "stderr: %s", r.stderr)
			for _, q := range flagPrompts {
				assert.NotContains(t, r.stderr, q, "asked a pipe")
			}
			if tt.code == 0 {
				assert.Contains(t, r.stdout, f.alice.ARN)
			}
		})
	}
}

// withoutVar is env without the variable name.
func withoutVar(env []string, name string) []string {
	var out []string
	for _, kv := range env {
		if !strings.HasPrefix(kv, name+"=") {
			out = append(out, kv)
		}
	}
	return out
}
