package awssession_test

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/credentials/stscreds"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/awssession/awssession"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The Credentials of a session keep what callers of an
// aws.CredentialsCache rely on: Invalidate forces a new STS call,
// aws.IsCredentialsProvider sees the provider underneath, the SDK's
// user-agent metrics see where the credentials came from, and a client
// built from the config signs with them.
func TestSessionCredentialsKeepTheSDKCacheContract(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()

	cfg, err := awssession.CreateSession(ctx, f.base(f.aliceKeys(),
		awssession.WithAssumeRole(awssession.AssumeRole{RoleARN: f.open.ARN}))...)
	require.NoError(t, err)
	first, err := cfg.Credentials.Retrieve(ctx)
	require.NoError(t, err)
	again, err := cfg.Credentials.Retrieve(ctx)
	require.NoError(t, err)
	assert.Equal(t, first, again)
	assert.Equal(t, 1, f.srv.CountRequests("AssumeRole"))

	inv, ok := cfg.Credentials.(interface{ Invalidate() })
	require.True(t, ok, "Credentials have Invalidate")
	inv.Invalidate()
	second, err := cfg.Credentials.Retrieve(ctx)
	require.NoError(t, err)
	assert.NotEqual(t, first.AccessKeyID, second.AccessKeyID)
	assert.Equal(t, 2, f.srv.CountRequests("AssumeRole"), "Invalidate makes the next Retrieve ask STS")

	id, err := sts.NewFromConfig(cfg).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	require.NoError(t, err)
	assert.Contains(t, aws.ToString(id.Arn), ":assumed-role/Open/")

	static, err := awssession.CreateSession(ctx, f.base(f.aliceKeys())...)
	require.NoError(t, err)
	assert.True(t, aws.IsCredentialsProvider(static.Credentials, (*credentials.StaticCredentialsProvider)(nil)))
	assert.False(t, aws.IsCredentialsProvider(static.Credentials, (*stscreds.AssumeRoleProvider)(nil)))
	src, ok := static.Credentials.(aws.CredentialProviderSource)
	require.True(t, ok, "Credentials report their sources")
	assert.Equal(t, []aws.CredentialSource{aws.CredentialSourceCode}, src.ProviderSources())
}
