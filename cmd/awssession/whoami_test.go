package main

import (
	"encoding/json"
	"testing"

	"github.com/awssession/awssession"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestWhoami(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	tests := []struct {
		name string
		args []string
		arn  string
	}{
		{"keys", f.aliceArgs(), f.alice.ARN},
		{"MFA session", f.aliceArgs("--mfa-serial", f.mfa.SerialNumber, "--mfa-totp-secret-env", "MFA_SEED"), f.alice.ARN},
		{"role", f.aliceArgs("--role-arn", f.reader.ARN, "--role-session-name", "who"), "arn:aws:sts::123456789012:assumed-role/Reader/who"},
		{"chain", f.aliceArgs("--role-arn", f.reader.ARN, "--role-arn", f.deep.ARN, "--external-id", "ext-42", "--role-session-name", "deep"),
			"arn:aws:sts::123456789012:assumed-role/Deep/deep"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := f.run(t, nil, "", append([]string{"whoami", "--json"}, tt.args...)...)
			require.Equal(t, 0, r.code, "stderr: %s", r.stderr)
			var id awssession.Identity
			require.NoError(t, json.Unmarshal([]byte(r.stdout), &id))
			assert.Equal(t, tt.arn, id.ARN)
			assert.Equal(t, "123456789012", id.Account)
			assert.NotEmpty(t, id.UserID)
		})
	}
	r := f.run(t, nil, "", append([]string{"whoami"}, f.aliceArgs()...)...)
	require.Equal(t, 0, r.code, "stderr: %s", r.stderr)
	assert.Equal(t, "Account  123456789012\nArn      "+f.alice.ARN+"\nUserId   "+f.alice.UserID+"\n", r.stdout)
}
