package awssession_test

import (
	"context"
	"testing"
	"time"

	"github.com/awssession/awssession"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestExpectedAccount: a role in another account is refused before any
// call; keys and MFA sessions, whose answers name no account, are checked
// with one GetCallerIdentity before their credentials are used or cached.
func TestExpectedAccount(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	const other = "999999999999"
	otherRole := awssession.WithAssumeRole(awssession.AssumeRole{RoleARN: "arn:aws:iam::" + other + ":role/Admin"})

	t.Run("role in another account", func(t *testing.T) {
		t.Parallel()
		f := newFixture(t)
		_, err := awssession.CreateSession(ctx, f.base(f.aliceKeys(), otherRole, awssession.WithExpectedAccount(f.srv.Account()))...)
		require.ErrorIs(t, err, awssession.ErrInvalidInput)
		assert.ErrorContains(t, err, "account "+other+", not the expected "+f.srv.Account())
		assert.Empty(t, f.srv.Requests())
	})
	t.Run("not an account ID", func(t *testing.T) {
		t.Parallel()
		f := newFixture(t)
		_, err := awssession.CreateSession(ctx, f.base(f.aliceKeys(), awssession.WithExpectedAccount("dev"))...)
		assert.ErrorIs(t, err, awssession.ErrInvalidInput)
	})
	for _, tc := range []struct {
		name string
		opts func(*fixture) []awssession.Option
	}{
		{"static keys", func(f *fixture) []awssession.Option { return []awssession.Option{f.aliceKeys()} }},
		{"MFA session", func(f *fixture) []awssession.Option {
			return []awssession.Option{f.aliceKeys(), awssession.WithGetSessionToken(time.Hour)}
		}},
		{"role", func(f *fixture) []awssession.Option {
			return []awssession.Option{f.aliceKeys(), awssession.WithAssumeRole(awssession.AssumeRole{RoleARN: f.open.ARN})}
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			f := newFixture(t)
			cache := newFileCache(t)
			cfg, err := awssession.CreateSession(ctx, f.base(append(tc.opts(f), awssession.WithExpectedAccount(other))...)...)
			if err == nil { // a role's account is known before; the others' from STS
				_, err = cfg.Credentials.Retrieve(ctx)
			}
			require.ErrorIs(t, err, awssession.ErrInvalidInput, "wrong account")
			assert.ErrorContains(t, err, "not the expected "+other)

			for run := range 2 {
				f.srv.ResetRequests()
				cfg, err = awssession.CreateSession(ctx, f.base(append(tc.opts(f), awssession.WithCache(cache), awssession.WithExpectedAccount(f.srv.Account()))...)...)
				require.NoError(t, err)
				c, err := cfg.Credentials.Retrieve(ctx)
				require.NoError(t, err)
				assert.Equal(t, f.srv.Account(), c.AccountID)
				if run == 1 && tc.name != "static keys" {
					assert.Empty(t, f.srv.Requests(), "the cached entry carries its account")
				}
			}
		})
	}
}
