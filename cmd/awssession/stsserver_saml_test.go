package main

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/awssession/awssession/ststest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// samlUsers has two roles that trust the server's SAML provider and one
// that trusts only alice.
const samlUsers = `{
	"users": [{"name": "alice"}],
	"roles": [
		{"name": "Federated", "saml": true, "maxSessionDurationSeconds": 28800},
		{"name": "Auditor", "saml": true},
		{"name": "Plain", "principals": ["alice"]},
		{"name": "Next", "principals": ["Federated"]}
	]}`

// samlServer is a running sts-server with samlUsers.
type samlServer struct {
	ststest.Snapshot
	federated, auditor, plain, next ststest.SnapshotRole
}

func startSAMLSTSServer(t *testing.T) samlServer {
	t.Helper()
	users := filepath.Join(t.TempDir(), "users.json")
	require.NoError(t, os.WriteFile(users, []byte(samlUsers), 0o600))
	info, stop := startSTSServer(t, "--users", users)
	t.Cleanup(func() { stop() })
	snap := info.Snapshot
	return samlServer{Snapshot: snap, federated: roleNamed(t, snap, "Federated"), auditor: roleNamed(t, snap, "Auditor"),
		plain: roleNamed(t, snap, "Plain"), next: roleNamed(t, snap, "Next")}
}

// fetchSAMLAssertion gets an assertion from the server's HTTP endpoint,
// as a client in another language would.
func fetchSAMLAssertion(t *testing.T, base, user string, roles ...string) string {
	t.Helper()
	q := url.Values{"user": {user}, "role": roles}
	return getOK(t, base+"/ststest/saml-assertion?"+q.Encode())
}

// tamper changes the session name inside a signed assertion.
func tamper(t *testing.T, assertion string) string {
	t.Helper()
	raw, err := base64.StdEncoding.DecodeString(assertion)
	require.NoError(t, err)
	changed := strings.ReplaceAll(string(raw), ">alice<", ">mallory<")
	require.NotEqual(t, string(raw), changed)
	return base64.StdEncoding.EncodeToString([]byte(changed))
}

// TestSTSServerSAML uses the printed JSON and the assertion endpoint with
// the Go SDK: the provider, the roles that trust it, a session and a hop
// from it.
func TestSTSServerSAML(t *testing.T) {
	t.Parallel()
	s := startSAMLSTSServer(t)
	require.Equal(t, "arn:aws:iam::123456789012:saml-provider/ststest", s.SAMLProviderARN)
	assert.Equal(t, []string{s.SAMLProviderARN}, s.federated.Principals)
	assert.Equal(t, []string{s.Users[0].ARN}, s.plain.Principals)

	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	anonymous := sts.NewFromConfig(aws.Config{Region: "us-east-1", BaseEndpoint: aws.String(s.URL)})
	out, err := anonymous.AssumeRoleWithSAML(ctx, &sts.AssumeRoleWithSAMLInput{
		RoleArn: aws.String(s.federated.ARN), PrincipalArn: aws.String(s.SAMLProviderARN), DurationSeconds: aws.Int32(28800),
		SAMLAssertion: aws.String(fetchSAMLAssertion(t, s.URL, "alice", s.federated.ARN)),
	})
	require.NoError(t, err)
	assert.Equal(t, "arn:aws:sts::123456789012:assumed-role/Federated/alice", aws.ToString(out.AssumedRoleUser.Arn))
	assert.Equal(t, s.URL+"/saml", aws.ToString(out.Issuer))

	session := sts.NewFromConfig(aws.Config{Region: "us-east-1", BaseEndpoint: aws.String(s.URL),
		Credentials: credentials.NewStaticCredentialsProvider(aws.ToString(out.Credentials.AccessKeyId),
			aws.ToString(out.Credentials.SecretAccessKey), aws.ToString(out.Credentials.SessionToken))})
	hop, err := session.AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String(s.next.ARN), RoleSessionName: aws.String("hop")})
	require.NoError(t, err)
	assert.Equal(t, "arn:aws:sts::123456789012:assumed-role/Next/hop", aws.ToString(hop.AssumedRoleUser.Arn))
}

// TestSTSServerSAMLAWSCLI: the AWS CLI v2 assumes a role with an
// assertion from sts-server's endpoint and uses the session; a tampered
// assertion, a role the assertion does not name and a role that does not
// trust the provider are refused with STS's codes.
func TestSTSServerSAMLAWSCLI(t *testing.T) {
	requireAWSCLI(t)
	t.Parallel()
	s := startSAMLSTSServer(t)
	assertion := fetchSAMLAssertion(t, s.URL, "alice", s.federated.ARN, s.plain.ARN)
	assume := func(role, assertion string) peerResult {
		return runAWS(t, s.URL, nil, "sts", "assume-role-with-saml", "--role-arn", role,
			"--principal-arn", s.SAMLProviderARN, "--saml-assertion", assertion)
	}
	const prefix = "An error occurred (%s) when calling the AssumeRoleWithSAML operation: "
	for name, tt := range map[string]struct{ role, assertion, code, message string }{
		"tampered":                {s.federated.ARN, tamper(t, assertion), "InvalidIdentityToken", "Response signature invalid"},
		"a role it does not name": {s.auditor.ARN, assertion, "AccessDenied", "Not authorized to perform sts:AssumeRoleWithSAML"},
		"a role that does not trust the provider": {s.plain.ARN, assertion, "AccessDenied", "Not authorized to perform sts:AssumeRoleWithSAML"},
	} {
		r := assume(tt.role, tt.assertion)
		assert.NotEqual(t, 0, r.code, "%s: got exit 0", name)
		assert.Contains(t, r.stderr, strings.Replace(prefix, "%s", tt.code, 1)+tt.message, name)
	}

	r := assume(s.federated.ARN, assertion)
	require.Equal(t, 0, r.code, "stderr: %s", r.stderr)
	var out struct {
		Credentials                  struct{ AccessKeyId, SecretAccessKey, SessionToken, Expiration string }
		AssumedRoleUser              struct{ Arn string }
		Subject, SubjectType, Issuer string
		Audience, NameQualifier      string
	}
	require.NoError(t, json.Unmarshal([]byte(r.stdout), &out), "stdout: %s", r.stdout)
	assert.Equal(t, "arn:aws:sts::123456789012:assumed-role/Federated/alice", out.AssumedRoleUser.Arn)
	assert.Equal(t, "alice", out.Subject)
	assert.Equal(t, "persistent", out.SubjectType)
	assert.Equal(t, "https://signin.aws.amazon.com/saml", out.Audience)
	assert.NotEmpty(t, out.NameQualifier)

	r = runAWS(t, s.URL, []string{"AWS_ACCESS_KEY_ID=" + out.Credentials.AccessKeyId,
		"AWS_SECRET_ACCESS_KEY=" + out.Credentials.SecretAccessKey, "AWS_SESSION_TOKEN=" + out.Credentials.SessionToken},
		"sts", "get-caller-identity")
	require.Equal(t, 0, r.code, "stderr: %s", r.stderr)
	assert.Equal(t, "arn:aws:sts::123456789012:assumed-role/Federated/alice", jsonString(t, r.stdout, "Arn"))
}

// boto3SAML is a boto3 program that tries AssumeRoleWithSAML for each
// {"role", "assertion"} of its stdin's "tries" against the endpoint and
// prints each outcome (the caller ARN of the session, or the error code
// and message) as one JSON list.
const boto3SAML = `
import json, sys
import boto3, botocore.exceptions
req = json.load(sys.stdin)
sts = boto3.client("sts", endpoint_url=req["endpoint"], region_name="us-east-1")
out = []
for t in req["tries"]:
    try:
        r = sts.assume_role_with_saml(RoleArn=t["role"], PrincipalArn=req["provider"], SAMLAssertion=t["assertion"])
        c = r["Credentials"]
        who = boto3.client("sts", endpoint_url=req["endpoint"], region_name="us-east-1",
            aws_access_key_id=c["AccessKeyId"], aws_secret_access_key=c["SecretAccessKey"],
            aws_session_token=c["SessionToken"]).get_caller_identity()
        out.append({"arn": who["Arn"], "subject": r["Subject"], "issuer": r["Issuer"]})
    except botocore.exceptions.ClientError as e:
        out.append({"code": e.response["Error"]["Code"], "message": e.response["Error"]["Message"],
            "status": e.response["ResponseMetadata"]["HTTPStatusCode"]})
print(json.dumps(out))
`

// TestSTSServerSAMLBoto3: boto3 (the machine's python3) assumes a role
// with an assertion from sts-server, without credentials of its own, and
// its refusals carry STS's codes.
func TestSTSServerSAMLBoto3(t *testing.T) {
	requireBoto3(t)
	t.Parallel()
	s := startSAMLSTSServer(t)
	assertion := fetchSAMLAssertion(t, s.URL, "alice", s.federated.ARN, s.plain.ARN)
	type try struct {
		Role      string `json:"role"`
		Assertion string `json:"assertion"`
	}
	in, err := json.Marshal(map[string]any{"endpoint": s.URL, "provider": s.SAMLProviderARN, "tries": []try{
		{s.federated.ARN, assertion},
		{s.federated.ARN, tamper(t, assertion)},
		{s.auditor.ARN, assertion},
		{s.plain.ARN, assertion},
	}})
	require.NoError(t, err)
	r := runPeer(t, string(in), nil, "python3", "-c", boto3SAML)
	require.Equal(t, 0, r.code, "stderr: %s", r.stderr)
	type outcome struct {
		Arn, Subject, Issuer, Code, Message string
		Status                              int
	}
	var got []outcome
	require.NoError(t, json.Unmarshal([]byte(r.stdout), &got), "stdout: %s", r.stdout)
	denied := outcome{Code: "AccessDenied", Message: "Not authorized to perform sts:AssumeRoleWithSAML", Status: 403}
	assert.Equal(t, []outcome{
		{Arn: "arn:aws:sts::123456789012:assumed-role/Federated/alice", Subject: "alice", Issuer: s.URL + "/saml"},
		{Code: "InvalidIdentityToken", Message: "Response signature invalid", Status: 400},
		denied,
		denied,
	}, got)
}
