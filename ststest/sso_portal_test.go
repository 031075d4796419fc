package ststest_test

import (
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials/ssocreds"
	"github.com/aws/aws-sdk-go-v2/service/sso"
	ssotypes "github.com/aws/aws-sdk-go-v2/service/sso/types"
	"github.com/aws/aws-sdk-go-v2/service/ssooidc"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/awssession/awssession/ststest"
)

// TestSSOPortalPaging lists accounts and roles over several pages with
// the SDK's paginators.
func TestSSOPortalPaging(t *testing.T) {
	t.Parallel()
	f := newSSOFixture(t)
	var want []string
	for i := 5; i >= 1; i-- {
		account := fmt.Sprintf("11112222333%d", i)
		f.srv.AssignSSO("alice", account, "ReadOnly")
		want = append([]string{account}, want...)
	}
	for _, set := range []string{"Admin", "Billing", "Dev"} {
		f.srv.AssignSSO("alice", "111122223331", set)
	}
	f.srv.AssignSSO("alice", "111122223331", "Dev") // twice: one assignment
	f.srv.AddUser("bob")
	f.srv.AssignSSO("bob", "999988887777", "Admin")
	tok := f.deviceToken(t, f.register(t, "sso:account:access"))

	var got []string
	pages := 0
	accounts := sso.NewListAccountsPaginator(f.portal, &sso.ListAccountsInput{AccessToken: tok.AccessToken, MaxResults: aws.Int32(2)})
	for accounts.HasMorePages() {
		page, err := accounts.NextPage(ctxT(t))
		require.NoError(t, err)
		pages++
		for _, a := range page.AccountList {
			got = append(got, aws.ToString(a.AccountId))
			assert.Equal(t, "ststest-"+aws.ToString(a.AccountId), aws.ToString(a.AccountName))
		}
	}
	assert.Equal(t, want, got)
	assert.Equal(t, 3, pages)

	var roles []ssotypes.RoleInfo
	rolePages := sso.NewListAccountRolesPaginator(f.portal, &sso.ListAccountRolesInput{AccessToken: tok.AccessToken,
		AccountId: aws.String("111122223331"), MaxResults: aws.Int32(3)})
	for rolePages.HasMorePages() {
		page, err := rolePages.NextPage(ctxT(t))
		require.NoError(t, err)
		roles = append(roles, page.RoleList...)
	}
	var names []string
	for _, r := range roles {
		names = append(names, aws.ToString(r.RoleName))
		assert.Equal(t, "111122223331", aws.ToString(r.AccountId))
	}
	assert.Equal(t, []string{"Admin", "Billing", "Dev", "ReadOnly"}, names)

	none, err := f.portal.ListAccountRoles(ctxT(t), &sso.ListAccountRolesInput{AccessToken: tok.AccessToken, AccountId: aws.String("999988887777")})
	require.NoError(t, err)
	assert.Empty(t, none.RoleList)

	_, err = f.portal.ListAccounts(ctxT(t), &sso.ListAccountsInput{AccessToken: tok.AccessToken, MaxResults: aws.Int32(101)})
	requireErrorType(t, err, "InvalidRequestException", http.StatusBadRequest)
	_, err = f.portal.ListAccounts(ctxT(t), &sso.ListAccountsInput{AccessToken: tok.AccessToken, NextToken: aws.String("forged")})
	requireErrorType(t, err, "InvalidRequestException", http.StatusBadRequest)
}

// TestSSORoleCredentials: GetRoleCredentials returns a session of the
// permission set's AWSReservedSSO role that the STS recognises, which can
// assume a role whose trust names that role or its account; Logout ends
// the token but not the credentials.
func TestSSORoleCredentials(t *testing.T) {
	t.Parallel()
	f := newSSOFixture(t)
	admin := f.srv.AssignSSO("alice", f.srv.Account(), "Admin")
	other := f.srv.AssignSSO("alice", "111122223333", "Admin")
	assert.Regexp(t, `^arn:aws:iam::123456789012:role/aws-reserved/sso\.amazonaws\.com/AWSReservedSSO_Admin_[0-9a-f]{16}$`, admin.ARN)
	assert.NotEqual(t, admin.Name, other.Name)
	assert.Equal(t, admin, f.srv.AssignSSO("alice", f.srv.Account(), "Admin"), "one role per permission set and account")
	byRole := f.srv.AddRole("Deploy", ststest.Trust{Principals: []string{admin.ARN}})
	byOtherAccount := f.srv.AddRole("CrossAccount", ststest.Trust{Principals: []string{"111122223333"}})
	client := f.register(t, "sso:account:access")
	tok := f.deviceToken(t, client)

	get := func(account, role string) (*sso.GetRoleCredentialsOutput, error) {
		return f.portal.GetRoleCredentials(ctxT(t), &sso.GetRoleCredentialsInput{AccessToken: tok.AccessToken,
			AccountId: aws.String(account), RoleName: aws.String(role)})
	}
	out, err := get(f.srv.Account(), "Admin")
	require.NoError(t, err)
	rc := out.RoleCredentials
	assert.Regexp(t, `^ASIA`, aws.ToString(rc.AccessKeyId))
	assert.WithinDuration(t, f.clock.Now().Add(time.Hour), time.UnixMilli(rc.Expiration), time.Second)
	stsClient := newClient(f.srv, aws.ToString(rc.AccessKeyId), aws.ToString(rc.SecretAccessKey), aws.ToString(rc.SessionToken))
	who, err := stsClient.GetCallerIdentity(ctxT(t), nil)
	require.NoError(t, err)
	assert.Equal(t, "arn:aws:sts::123456789012:assumed-role/"+admin.Name+"/alice", aws.ToString(who.Arn))

	chained, err := stsClient.AssumeRole(ctxT(t), &sts.AssumeRoleInput{RoleArn: aws.String(byRole.ARN), RoleSessionName: aws.String("chain")})
	require.NoError(t, err)
	assert.Equal(t, "arn:aws:sts::123456789012:assumed-role/Deploy/chain", aws.ToString(chained.AssumedRoleUser.Arn))
	_, err = stsClient.AssumeRole(ctxT(t), &sts.AssumeRoleInput{RoleArn: aws.String(byOtherAccount.ARN), RoleSessionName: aws.String("xx")})
	requireAPIError(t, err, "AccessDenied", "", http.StatusForbidden)

	out, err = get("111122223333", "Admin")
	require.NoError(t, err)
	rc = out.RoleCredentials
	cross := newClient(f.srv, aws.ToString(rc.AccessKeyId), aws.ToString(rc.SecretAccessKey), aws.ToString(rc.SessionToken))
	who, err = cross.GetCallerIdentity(ctxT(t), nil)
	require.NoError(t, err)
	assert.Equal(t, "111122223333", aws.ToString(who.Account))
	_, err = cross.AssumeRole(ctxT(t), &sts.AssumeRoleInput{RoleArn: aws.String(byOtherAccount.ARN), RoleSessionName: aws.String("xx")})
	require.NoError(t, err)

	_, err = get(f.srv.Account(), "ReadOnly")
	requireErrorType(t, err, "ForbiddenException", http.StatusForbidden)
	_, err = f.portal.GetRoleCredentials(ctxT(t), &sso.GetRoleCredentialsInput{AccessToken: aws.String("aoa-unknown"),
		AccountId: aws.String(f.srv.Account()), RoleName: aws.String("Admin")})
	requireErrorType(t, err, "UnauthorizedException", http.StatusUnauthorized)

	_, err = f.portal.Logout(ctxT(t), &sso.LogoutInput{AccessToken: tok.AccessToken})
	require.NoError(t, err)
	_, err = get(f.srv.Account(), "Admin")
	requireErrorType(t, err, "UnauthorizedException", http.StatusUnauthorized)
	_, err = f.portal.Logout(ctxT(t), &sso.LogoutInput{AccessToken: tok.AccessToken})
	requireErrorType(t, err, "UnauthorizedException", http.StatusUnauthorized)
	_, err = f.oidc.CreateToken(ctxT(t), &ssooidc.CreateTokenInput{ClientId: client.ClientId, ClientSecret: client.ClientSecret,
		GrantType: aws.String("refresh_token"), RefreshToken: tok.RefreshToken})
	requireErrorType(t, err, "InvalidGrantException", http.StatusBadRequest)
	_, err = stsClient.GetCallerIdentity(ctxT(t), nil)
	assert.NoError(t, err, "credentials issued before Logout last until they expire")

	f.clock.Advance(8 * time.Hour)
	tok = f.deviceToken(t, f.register(t))
	_, err = get(f.srv.Account(), "Admin")
	require.NoError(t, err, "a new sign-in works")
}

// TestSSOCredentialsProvider runs the SDK's own SSO providers against the
// server from a token cache file, as the AWS CLI writes it: an expired
// access token is refreshed (and the file rewritten), then role
// credentials are fetched.
func TestSSOCredentialsProvider(t *testing.T) {
	t.Parallel()
	f := newSSOFixture(t)
	f.srv.AssignSSO("alice", f.srv.Account(), "Admin")
	client := f.register(t, "sso:account:access")
	tok := f.deviceToken(t, client)
	path := filepath.Join(t.TempDir(), "token.json")
	require.NoError(t, os.WriteFile(path, []byte(fmt.Sprintf(`{"startUrl":%q,"region":"us-east-1","accessToken":"expired",
		"expiresAt":"2020-01-01T00:00:00Z","clientId":%q,"clientSecret":%q,"refreshToken":%q,"registrationExpiresAt":"2099-01-01T00:00:00Z"}`,
		f.srv.SSOStartURL(), aws.ToString(client.ClientId), aws.ToString(client.ClientSecret), aws.ToString(tok.RefreshToken))), 0o600))

	provider := ssocreds.New(f.portal, f.srv.Account(), "Admin", f.srv.SSOStartURL(), func(o *ssocreds.Options) {
		o.SSOTokenProvider = ssocreds.NewSSOTokenProvider(f.oidc, path)
	})
	creds, err := provider.Retrieve(ctxT(t))
	require.NoError(t, err)
	assert.Equal(t, f.srv.Account(), creds.AccountID)
	who, err := newClient(f.srv, creds.AccessKeyID, creds.SecretAccessKey, creds.SessionToken).GetCallerIdentity(ctxT(t), nil)
	require.NoError(t, err)
	assert.Contains(t, aws.ToString(who.Arn), ":assumed-role/AWSReservedSSO_Admin_")
	data, err := os.ReadFile(path)
	require.NoError(t, err)
	assert.NotContains(t, string(data), aws.ToString(tok.RefreshToken), "the rotated refresh token replaced the old one")
	assert.Equal(t, 1, f.srv.CountRequests("sso:GetRoleCredentials"))
	assert.Equal(t, 2, f.srv.CountRequests("sso-oidc:CreateToken"))
}
