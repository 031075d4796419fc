package awssession_test

import (
	"context"
	"io"
	"path/filepath"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/awssession/awssession"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The Go SDK's own providers are peers of our sign-in: a token we write
// must serve config.LoadDefaultConfig, which reads the process
// environment (so these tests set it, and do not run in parallel).

// TestOurSSOTokenServesTheSDK: LoadDefaultConfig on the profile uses the
// token SignIn wrote where the AWS CLI keeps it.
func TestOurSSOTokenServesTheSDK(t *testing.T) {
	w := newSSOWorld(t)
	_, err := awssession.SignIn(context.Background(), awssession.SignInOptions{Flow: awssession.SignInDeviceCode, Out: io.Discard}, w.opts()...)
	require.NoError(t, err)
	t.Setenv("HOME", w.configDir)
	t.Setenv("AWS_ENDPOINT_URL_SSO", w.srv.URL)
	t.Setenv("AWS_ENDPOINT_URL_SSO_OIDC", w.srv.URL)
	t.Setenv("AWS_ENDPOINT_URL_STS", w.srv.URL)
	cfg, err := config.LoadDefaultConfig(context.Background(), config.WithSharedConfigProfile("dev"),
		config.WithSharedConfigFiles([]string{filepath.Join(w.configDir, "config")}), config.WithSharedCredentialsFiles([]string{}))
	require.NoError(t, err)
	out, err := sts.NewFromConfig(cfg).GetCallerIdentity(context.Background(), &sts.GetCallerIdentityInput{})
	require.NoError(t, err)
	assert.Regexp(t, `:assumed-role/AWSReservedSSO_Admin_[0-9a-f]{16}/alice$`, *out.Arn)
}

// TestOurConsoleCacheServesTheSDK: the SDK's logincreds uses the cache
// SignInConsole wrote, and refreshes it through the fake (which verifies
// the SDK's DPoP proof with the key we generated) once it expires.
func TestOurConsoleCacheServesTheSDK(t *testing.T) {
	w := newConsoleWorld(t)
	_, err := awssession.SignInConsole(context.Background(), awssession.SignInOptions{Open: scriptedBrowser(t), Out: io.Discard}, w.opts("console")...)
	require.NoError(t, err)
	t.Setenv("AWS_LOGIN_CACHE_DIRECTORY", w.cache)
	t.Setenv("AWS_ENDPOINT_URL_SIGNIN", w.srv.URL)
	t.Setenv("AWS_ENDPOINT_URL_STS", w.srv.URL)
	load := func() string {
		cfg, err := config.LoadDefaultConfig(context.Background(), config.WithSharedConfigProfile("console"),
			config.WithSharedConfigFiles([]string{filepath.Join(w.configDir, "config")}), config.WithSharedCredentialsFiles([]string{}))
		require.NoError(t, err)
		out, err := sts.NewFromConfig(cfg).GetCallerIdentity(context.Background(), &sts.GetCallerIdentityInput{})
		require.NoError(t, err)
		return *out.Arn
	}
	assert.Equal(t, w.alice.ARN, load())
	w.editCache(t, func(c map[string]any) {
		c["accessToken"].(map[string]any)["expiresAt"] = time.Now().Add(-time.Minute).UTC().Format(time.RFC3339)
	})
	assert.Equal(t, w.alice.ARN, load())
	assert.Equal(t, 2, w.srv.CountRequests("signin:CreateOAuth2Token"), "the SDK refreshed through the fake")
}
