package ststest_test

import (
	"encoding/xml"
	"net/http"
	"regexp"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/stretchr/testify/require"

	"github.com/awssession/awssession/ststest"
)

func TestIssuedCredentialsWireFormat(t *testing.T) {
	f := newFixture(t)
	status, header, body, _ := rawCall(t, f.srv, http.MethodPost, form("Action", "GetSessionToken", "DurationSeconds", "900"), userCreds(f.alice), time.Now())
	require.Equal(t, 200, status, "got %d, want 200: %s", status, body)
	require.Equal(t, "text/xml", header.Get("Content-Type"))
	var got struct {
		XMLName     xml.Name
		Credentials struct{ AccessKeyId, SecretAccessKey, SessionToken, Expiration string } `xml:"GetSessionTokenResult>Credentials"`
		RequestID   string                                                                  `xml:"ResponseMetadata>RequestId"`
	}
	require.NoError(t, xml.Unmarshal([]byte(body), &got))
	require.Equal(t, xml.Name{Space: "https://sts.amazonaws.com/doc/2011-06-15/", Local: "GetSessionTokenResponse"}, got.XMLName)
	require.Regexp(t, `^ASIA[A-Z2-7]{16}$`, got.Credentials.AccessKeyId)
	require.Len(t, got.Credentials.SecretAccessKey, 40)
	require.NotEmpty(t, got.Credentials.SessionToken)
	want := f.clock.Now().Add(900 * time.Second).UTC().Format("2006-01-02T15:04:05.000Z")
	require.Equal(t, want, got.Credentials.Expiration, "got %s, want UTC RFC 3339 with milliseconds", got.Credentials.Expiration)
	require.Equal(t, header.Get("X-Amzn-Requestid"), got.RequestID)
	require.Regexp(t, regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`), got.RequestID)
}

func TestUserKeysAndIDs(t *testing.T) {
	srv := ststest.NewServer(t, ststest.WithAccount("111122223333"))
	u := srv.AddUser("carol")
	require.Equal(t, "arn:aws:iam::111122223333:user/carol", u.ARN)
	require.Regexp(t, `^AKIA[A-Z2-7]{16}$`, u.AccessKeyID)
	require.Regexp(t, `^AIDA[A-Z2-7]{17}$`, u.UserID)
	require.Len(t, u.SecretAccessKey, 40)
	require.Equal(t, "arn:aws:iam::111122223333:mfa/carol", srv.AddMFADevice("carol").SerialNumber)
	require.Equal(t, "arn:aws:iam::111122223333:mfa/carol-2", srv.AddMFADevice("carol").SerialNumber)
	require.NotEqual(t, u.AccessKeyID, srv.AddUser("dave").AccessKeyID)
	require.Panics(t, func() { srv.AddUser("carol") })
	require.Panics(t, func() { srv.AddUser("bad name") })
	require.Panics(t, func() { srv.AddMFADevice("nobody") })
}

func TestGetCallerIdentity(t *testing.T) {
	f := newFixture(t)
	root := f.srv.AddRootKey()
	role := f.srv.AddRole("path/Reader", ststest.Trust{Principals: []string{f.alice.ARN}})
	alice := clientFor(f.srv, f.alice)
	gst := f.mfaSession(t)
	ar, err := alice.AssumeRole(ctxT(t), &sts.AssumeRoleInput{RoleArn: aws.String(role.ARN), RoleSessionName: aws.String("sess")})
	require.NoError(t, err)
	gft, err := alice.GetFederationToken(ctxT(t), &sts.GetFederationTokenInput{Name: aws.String("Bob")})
	require.NoError(t, err)
	require.Equal(t, "arn:aws:sts::123456789012:federated-user/Bob", aws.ToString(gft.FederatedUser.Arn))
	require.Equal(t, "123456789012:Bob", aws.ToString(gft.FederatedUser.FederatedUserId))

	tests := []struct {
		name              string
		client            *sts.Client
		wantARN, wantUser string
	}{
		{"IAM user", alice, f.alice.ARN, f.alice.UserID},
		{"GetSessionToken session", clientForCreds(f.srv, gst), f.alice.ARN, f.alice.UserID},
		{"role session", clientForCreds(f.srv, ar.Credentials), "arn:aws:sts::123456789012:assumed-role/Reader/sess", aws.ToString(ar.AssumedRoleUser.AssumedRoleId)},
		{"federated user", clientForCreds(f.srv, gft.Credentials), "arn:aws:sts::123456789012:federated-user/Bob", "123456789012:Bob"},
		{"root", clientFor(f.srv, root), "arn:aws:iam::123456789012:root", "123456789012"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, err := tt.client.GetCallerIdentity(ctxT(t), nil)
			require.NoError(t, err)
			require.Equal(t, tt.wantARN, aws.ToString(out.Arn), "got ARN %s, want %s", aws.ToString(out.Arn), tt.wantARN)
			require.Equal(t, tt.wantUser, aws.ToString(out.UserId), "got UserId %s, want %s", aws.ToString(out.UserId), tt.wantUser)
			require.Equal(t, "123456789012", aws.ToString(out.Account))
		})
	}
	t.Run("federated users may not assume roles", func(t *testing.T) {
		_, err := clientForCreds(f.srv, gft.Credentials).AssumeRole(ctxT(t), &sts.AssumeRoleInput{RoleArn: aws.String(role.ARN), RoleSessionName: aws.String("x1")})
		requireAPIError(t, err, "AccessDenied", notAuthorized("arn:aws:sts::123456789012:federated-user/Bob", role.ARN), 403)
	})
}

func TestPartition(t *testing.T) {
	srv := ststest.NewServer(t, ststest.WithPartition("aws-cn"))
	u := srv.AddUser("li")
	require.Equal(t, "arn:aws-cn:iam::123456789012:user/li", u.ARN)
	role := srv.AddRole("R", ststest.Trust{Principals: []string{u.ARN}})
	out, err := clientFor(srv, u).AssumeRole(ctxT(t), &sts.AssumeRoleInput{RoleArn: aws.String(role.ARN), RoleSessionName: aws.String("cn")})
	require.NoError(t, err)
	require.Equal(t, "arn:aws-cn:sts::123456789012:assumed-role/R/cn", aws.ToString(out.AssumedRoleUser.Arn))
}
