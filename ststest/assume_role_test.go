package ststest_test

import (
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/aws-sdk-go-v2/service/sts/types"
	"github.com/stretchr/testify/require"

	"github.com/awssession/awssession/ststest"
)

func notAuthorized(caller, role string) string {
	return "User: " + caller + " is not authorized to perform: sts:AssumeRole on resource: " + role
}

func TestAssumeRoleTrust(t *testing.T) {
	f := newFixture(t)
	bob := f.srv.AddUser("bob")
	acct := f.srv.Account()
	byAlice := f.srv.AddRole("ByAlice", ststest.Trust{Principals: []string{f.alice.ARN}})
	byAccount := f.srv.AddRole("ByAccount", ststest.Trust{Principals: []string{"arn:aws:iam::" + acct + ":root"}})
	byRole := f.srv.AddRole("ByRole", ststest.Trust{Principals: []string{byAlice.ARN}})
	withExternal := f.srv.AddRole("Vendor", ststest.Trust{Principals: []string{f.alice.ARN}, ExternalID: "s3cr3t-id"})

	aliceRole, err := clientFor(f.srv, f.alice).AssumeRole(ctxT(t), &sts.AssumeRoleInput{RoleArn: aws.String(byAlice.ARN), RoleSessionName: aws.String("s1")})
	require.NoError(t, err)
	roleSessionARN := aws.ToString(aliceRole.AssumedRoleUser.Arn)

	tests := []struct {
		name       string
		client     *sts.Client
		role       string
		externalID *string
		wantDenied string // caller ARN in the AccessDenied message; "" for success
	}{
		{"listed user", clientFor(f.srv, f.alice), byAlice.ARN, nil, ""},
		{"unlisted user", clientFor(f.srv, bob), byAlice.ARN, nil, bob.ARN},
		{"account root admits any user", clientFor(f.srv, bob), byAccount.ARN, nil, ""},
		{"account root admits role sessions", clientForCreds(f.srv, aliceRole.Credentials), byAccount.ARN, nil, ""},
		{"listed role admits its sessions", clientForCreds(f.srv, aliceRole.Credentials), byRole.ARN, nil, ""},
		{"listed role does not admit its users", clientFor(f.srv, f.alice), byRole.ARN, nil, f.alice.ARN},
		{"role session not listed", clientForCreds(f.srv, aliceRole.Credentials), byAlice.ARN, nil, roleSessionARN},
		{"unknown role", clientFor(f.srv, f.alice), "arn:aws:iam::" + acct + ":role/Nope", nil, f.alice.ARN},
		{"role in another account", clientFor(f.srv, f.alice), "arn:aws:iam::999999999999:role/ByAlice", nil, f.alice.ARN},
		{"user ARN", clientFor(f.srv, f.alice), bob.ARN, nil, f.alice.ARN},
		{"external ID right", clientFor(f.srv, f.alice), withExternal.ARN, aws.String("s3cr3t-id"), ""},
		{"external ID missing", clientFor(f.srv, f.alice), withExternal.ARN, nil, f.alice.ARN},
		{"external ID wrong", clientFor(f.srv, f.alice), withExternal.ARN, aws.String("other-id"), f.alice.ARN},
		{"external ID not required is ignored", clientFor(f.srv, f.alice), byAlice.ARN, aws.String("any-id"), ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := tt.client.AssumeRole(ctxT(t), &sts.AssumeRoleInput{RoleArn: aws.String(tt.role), RoleSessionName: aws.String("s2"), ExternalId: tt.externalID})
			if tt.wantDenied == "" {
				require.NoError(t, err)
				return
			}
			requireAPIError(t, err, "AccessDenied", notAuthorized(tt.wantDenied, tt.role), 403)
		})
	}
}

func TestAssumeRoleMFA(t *testing.T) {
	f := newFixture(t)
	mfaRole := f.srv.AddRole("NeedsMFA", ststest.Trust{Principals: []string{f.alice.ARN}, RequireMFA: true})
	hop := f.srv.AddRole("Hop", ststest.Trust{Principals: []string{f.alice.ARN}})
	chainedMFARole := f.srv.AddRole("ChainedNeedsMFA", ststest.Trust{Principals: []string{mfaRole.ARN, hop.ARN}, RequireMFA: true})
	assume := func(t *testing.T, c *sts.Client, role string, serial, code *string) (*sts.AssumeRoleOutput, error) {
		return c.AssumeRole(ctxT(t), &sts.AssumeRoleInput{RoleArn: aws.String(role), RoleSessionName: aws.String("mfa"), SerialNumber: serial, TokenCode: code})
	}
	alice := clientFor(f.srv, f.alice)

	t.Run("refused without MFA", func(t *testing.T) {
		_, err := assume(t, alice, mfaRole.ARN, nil, nil)
		requireAPIError(t, err, "AccessDenied", notAuthorized(f.alice.ARN, mfaRole.ARN), 403)
	})
	t.Run("wrong code", func(t *testing.T) {
		_, err := assume(t, alice, mfaRole.ARN, aws.String(f.mfa.SerialNumber), aws.String(f.wrongCode()))
		requireAPIError(t, err, "AccessDenied", msgBadCode, 403)
	})
	var withMFA *sts.AssumeRoleOutput
	t.Run("accepted with a code", func(t *testing.T) {
		out, err := assume(t, alice, mfaRole.ARN, aws.String(f.mfa.SerialNumber), aws.String(f.code()))
		require.NoError(t, err)
		withMFA = out
	})
	t.Run("GetSessionToken with MFA carries MFA context, no code needed", func(t *testing.T) {
		_, err := assume(t, clientForCreds(f.srv, f.mfaSession(t)), mfaRole.ARN, nil, nil)
		require.NoError(t, err)
	})
	t.Run("GetSessionToken without MFA carries none", func(t *testing.T) {
		out, err := alice.GetSessionToken(ctxT(t), nil)
		require.NoError(t, err)
		_, err = assume(t, clientForCreds(f.srv, out.Credentials), mfaRole.ARN, nil, nil)
		requireAPIError(t, err, "AccessDenied", notAuthorized(f.alice.ARN, mfaRole.ARN), 403)
	})
	t.Run("a role session with MFA passes it to the next hop", func(t *testing.T) {
		require.NotNil(t, withMFA)
		_, err := assume(t, clientForCreds(f.srv, withMFA.Credentials), chainedMFARole.ARN, nil, nil)
		require.NoError(t, err)
	})
	t.Run("a role session without MFA has none to pass", func(t *testing.T) {
		out, err := assume(t, alice, hop.ARN, nil, nil)
		require.NoError(t, err)
		_, err = assume(t, clientForCreds(f.srv, out.Credentials), chainedMFARole.ARN, nil, nil)
		requireAPIError(t, err, "AccessDenied", notAuthorized(aws.ToString(out.AssumedRoleUser.Arn), chainedMFARole.ARN), 403)
	})
}

func TestAssumeRoleResponse(t *testing.T) {
	f := newFixture(t)
	role := f.srv.AddRole("team/Deploy", ststest.Trust{Principals: []string{f.alice.ARN}, MaxSessionDuration: 2 * time.Hour,
		SessionTags: true, SourceIdentity: true})
	require.Equal(t, "arn:aws:iam::123456789012:role/team/Deploy", role.ARN)
	client := clientFor(f.srv, f.alice)

	out, err := client.AssumeRole(ctxT(t), &sts.AssumeRoleInput{
		RoleArn: aws.String(role.ARN), RoleSessionName: aws.String("bob@example.com"),
		SourceIdentity: aws.String("alice"), DurationSeconds: aws.Int32(7200),
		Policy: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:ListAllMyBuckets","Resource":"*"}]}`),
		Tags:   []types.Tag{{Key: aws.String("Project"), Value: aws.String("Unicorn")}},
	})
	require.NoError(t, err)
	got := aws.ToString(out.AssumedRoleUser.Arn)
	require.Equal(t, "arn:aws:sts::123456789012:assumed-role/Deploy/bob@example.com", got, "got %s, want the path dropped", got)
	id := aws.ToString(out.AssumedRoleUser.AssumedRoleId)
	require.Regexp(t, `^AROA[A-Z2-7]{17}:bob@example\.com$`, id)
	require.Equal(t, "alice", aws.ToString(out.SourceIdentity))
	// STS still sends PackedPolicySize; the SDK deprecates the field in
	// favour of SessionTokenUtilization, but callers read it.
	require.NotNil(t, out.PackedPolicySize)                         //lint:ignore SA1019 the fake sends what STS sends
	require.Greater(t, aws.ToInt32(out.PackedPolicySize), int32(0)) //lint:ignore SA1019 as above
	require.Equal(t, f.clock.Now().Add(2*time.Hour).UTC().Truncate(time.Millisecond), aws.ToTime(out.Credentials.Expiration))
	require.True(t, strings.HasPrefix(aws.ToString(out.Credentials.AccessKeyId), "ASIA"))

	plain, err := client.AssumeRole(ctxT(t), &sts.AssumeRoleInput{RoleArn: aws.String(role.ARN), RoleSessionName: aws.String("plain")})
	require.NoError(t, err)
	require.Nil(t, plain.PackedPolicySize, "got PackedPolicySize %v, want none without policy or tags", plain.PackedPolicySize) //lint:ignore SA1019 as above
	require.Nil(t, plain.SourceIdentity)
	require.Equal(t, f.clock.Now().Add(time.Hour).UTC().Truncate(time.Millisecond), aws.ToTime(plain.Credentials.Expiration), "default is 1 h")

	t.Run("source identity persists along the chain and cannot change", func(t *testing.T) {
		next := f.srv.AddRole("Next", ststest.Trust{Principals: []string{role.ARN}, SourceIdentity: true})
		chained := clientForCreds(f.srv, out.Credentials)
		hop, err := chained.AssumeRole(ctxT(t), &sts.AssumeRoleInput{RoleArn: aws.String(next.ARN), RoleSessionName: aws.String("hop")})
		require.NoError(t, err)
		require.Equal(t, "alice", aws.ToString(hop.SourceIdentity))
		_, err = chained.AssumeRole(ctxT(t), &sts.AssumeRoleInput{RoleArn: aws.String(next.ARN), RoleSessionName: aws.String("hop"), SourceIdentity: aws.String("mallory")})
		requireAPIError(t, err, "AccessDenied", notAuthorized(got, next.ARN), 403)
	})
}
