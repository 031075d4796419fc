package awssession_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/awssession/awssession"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestImplausibleSTSAnswersAreRefused: an STS answer that cannot be a
// good session (expired, far beyond any STS lifetime, an empty secret) is
// an error, not credentials handed to the caller.
func TestImplausibleSTSAnswersAreRefused(t *testing.T) {
	t.Parallel()
	var answerWithToken func(secret, token string, exp time.Time) string
	answer := func(secret string, exp time.Time) string {
		return answerWithToken(secret, "token", exp)
	}
	answerWithToken = func(secret, token string, exp time.Time) string {
		return `<AssumeRoleResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><AssumeRoleResult><Credentials>` +
			`<AccessKeyId>ASIAIOSFODNN7EXAMPLE</AccessKeyId><SecretAccessKey>` + secret + `</SecretAccessKey>` +
			`<SessionToken>` + token + `</SessionToken><Expiration>` + exp.UTC().Format(time.RFC3339) + `</Expiration></Credentials>` +
			`<AssumedRoleUser><Arn>arn:aws:sts::123456789012:assumed-role/R/s</Arn><AssumedRoleId>AROAEXAMPLE:s</AssumedRoleId></AssumedRoleUser>` +
			`</AssumeRoleResult></AssumeRoleResponse>`
	}
	for _, tc := range []struct{ name, body, want string }{
		{"expired", answer("secret", time.Now().Add(-time.Minute)), "expired at"},
		{"expires in 9999", answer("secret", time.Date(9999, 1, 1, 0, 0, 0, 0, time.UTC)), "later than such a session lives"},
		{"empty secret", answer("", time.Now().Add(time.Hour)), "did not contain credentials"},
		{"a 10 MB token", answerWithToken("secret", strings.Repeat("t", 10<<20), time.Now().Add(time.Hour)), "oversized"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
				w.Header().Set("Content-Type", "text/xml")
				_, _ = w.Write([]byte(tc.body))
			}))
			t.Cleanup(srv.Close)
			cfg, err := awssession.CreateSession(context.Background(), awssession.WithEnvironment(nil), awssession.WithRegion("us-east-1"),
				awssession.WithSTSEndpoint(srv.URL), awssession.WithStaticCredentials("AKIAIOSFODNN7EXAMPLE", "secret", ""),
				awssession.WithAssumeRole(awssession.AssumeRole{RoleARN: "arn:aws:iam::123456789012:role/R"}))
			require.NoError(t, err)
			_, err = cfg.Credentials.Retrieve(context.Background())
			assert.ErrorContains(t, err, tc.want)
		})
	}
}
