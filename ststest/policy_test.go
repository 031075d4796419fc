package ststest_test

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/aws-sdk-go-v2/service/sts/types"
	"github.com/aws/smithy-go"
	"github.com/stretchr/testify/require"

	"github.com/awssession/awssession/ststest"
)

// policy163 is a session policy of 163 characters, the length of the one
// localstack recorded against AWS with PackedPolicySize 16.
const policy163 = `{"Version": "2012-10-17", "Statement": [{"Sid": "ReadBucket", "Effect": "Allow", "Action": ["s3:GetObject", "s3:List*"], "Resource": "arn:aws:s3:::example-bk/*"}]}`

func TestSessionPolicyMustBeJSON(t *testing.T) {
	f := newFixture(t)
	role := f.srv.AddRole("Scoped", ststest.Trust{Principals: []string{f.alice.ARN}})
	client := clientFor(f.srv, f.alice)
	const expected = "expected a valid value (number, String, array, object, 'true', 'false' or 'null')"
	tests := []struct {
		name, policy, want string // want: the message up to the parser's source
		line, column       int
	}{
		{"not JSON at all", "invalid", "Unexpected character ('i' (code 105)): " + expected, 1, 2},
		{"a bad value on line 2", "{\"Version\": \"2012-10-17\",\n \"Statement\": x}", "Unexpected character ('x' (code 120)): " + expected, 2, 16},
		{"cut short", `{"Version": "2012-10-17"`, "Unexpected end-of-input", 1, 26},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := client.AssumeRole(ctxT(t), &sts.AssumeRoleInput{RoleArn: aws.String(role.ARN), RoleSessionName: aws.String("s1"), Policy: aws.String(tt.policy)})
			requireAPIError(t, err, "MalformedPolicyDocument", "", 400)
			var malformed *types.MalformedPolicyDocumentException
			require.ErrorAs(t, err, &malformed, "the SDK maps the code to its typed error")
			var apiErr smithy.APIError
			require.ErrorAs(t, err, &apiErr)
			require.Regexp(t, `^`+regexpQuote(tt.want)+`\n at \[Source: java\.io\.StringReader@[0-9a-f]+; line: `+fmt.Sprint(tt.line)+`, column: `+fmt.Sprint(tt.column)+`\]$`, apiErr.ErrorMessage())
		})
	}
	t.Run("GetFederationToken too", func(t *testing.T) {
		_, err := client.GetFederationToken(ctxT(t), &sts.GetFederationTokenInput{Name: aws.String("bob"), Policy: aws.String("invalid")})
		requireAPIError(t, err, "MalformedPolicyDocument", "", 400)
	})
}

func regexpQuote(s string) string {
	r := strings.NewReplacer(`(`, `\(`, `)`, `\)`, `.`, `\.`, `'`, `'`, `[`, `\[`, `]`, `\]`)
	return r.Replace(s)
}

func TestPackedPolicySize(t *testing.T) {
	f := newFixture(t)
	role := f.srv.AddRole("Scoped", ststest.Trust{Principals: []string{f.alice.ARN}, SessionTags: true})
	client := clientFor(f.srv, f.alice)
	require.Len(t, policy163, 163)

	out, err := client.AssumeRole(ctxT(t), &sts.AssumeRoleInput{RoleArn: aws.String(role.ARN), RoleSessionName: aws.String("s1"), Policy: aws.String(policy163)})
	require.NoError(t, err)
	require.Equal(t, int32(16), aws.ToInt32(out.PackedPolicySize)) //lint:ignore SA1019 the fake sends what STS sends

	t.Run("GetFederationToken without a policy reports 0", func(t *testing.T) {
		out, err := client.GetFederationToken(ctxT(t), &sts.GetFederationTokenInput{Name: aws.String("bob")})
		require.NoError(t, err)
		require.NotNil(t, out.PackedPolicySize)                       //lint:ignore SA1019 as above
		require.Equal(t, int32(0), aws.ToInt32(out.PackedPolicySize)) //lint:ignore SA1019 as above
	})
	t.Run("too many tags", func(t *testing.T) {
		var tags []types.Tag
		for i := range 20 {
			tags = append(tags, types.Tag{Key: aws.String(fmt.Sprintf("k%d-%s", i, hexOf("key", i))), Value: aws.String(hexOf("value", i))})
		}
		_, err := client.AssumeRole(ctxT(t), &sts.AssumeRoleInput{RoleArn: aws.String(role.ARN), RoleSessionName: aws.String("s1"), Tags: tags})
		requireAPIError(t, err, "PackedPolicyTooLarge", "Packed size of session tags consumes 160% of allotted space.", 400)
	})
	t.Run("too large a policy", func(t *testing.T) {
		var resources []string
		for i := range 40 {
			resources = append(resources, `"arn:aws:s3:::`+hexOf("bucket", i)+`"`)
		}
		policy := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":[` + strings.Join(resources, ",") + `]}]}`
		_, err := client.AssumeRole(ctxT(t), &sts.AssumeRoleInput{RoleArn: aws.String(role.ARN), RoleSessionName: aws.String("s1"), Policy: aws.String(policy)})
		requireAPIError(t, err, "PackedPolicyTooLarge", "Packed policy consumes 173% of allotted space, please use smaller policy.", 400)
		var typed *types.PackedPolicyTooLargeException
		require.ErrorAs(t, err, &typed, "got %T, want the SDK's typed error", err)
	})
}

// hexOf returns 64 hexadecimal characters that compress as poorly as
// real identifiers do, the same for the same arguments.
func hexOf(what string, i int) string {
	sum := sha256.Sum256([]byte(fmt.Sprint(what, i)))
	return hex.EncodeToString(sum[:])
}

// TestSessionPolicyMustBeAPolicy: JSON that is no policy (no Statement)
// is MalformedPolicyDocument "Syntax errors in policy.", as STS answered
// in the one public record; an Effect other than Allow or Deny has no
// record and passes.
func TestSessionPolicyMustBeAPolicy(t *testing.T) {
	f := newFixture(t)
	role := f.srv.AddRole("Scoped", ststest.Trust{Principals: []string{f.alice.ARN}})
	client := clientFor(f.srv, f.alice)
	for name, policy := range map[string]string{
		"no Statement":  `{"Version":"2012-10-17"}`,
		"an array":      `[{"Effect":"Allow","Action":"s3:*","Resource":"*"}]`,
		"a JSON string": `"s3:*"`,
		"null":          `null`,
	} {
		t.Run(name, func(t *testing.T) {
			_, err := client.AssumeRole(ctxT(t), &sts.AssumeRoleInput{RoleArn: aws.String(role.ARN), RoleSessionName: aws.String("s1"), Policy: aws.String(policy)})
			requireAPIError(t, err, "MalformedPolicyDocument", "Syntax errors in policy.", 400)
			var malformed *types.MalformedPolicyDocumentException
			require.ErrorAs(t, err, &malformed)
		})
	}
	t.Run("GetFederationToken too", func(t *testing.T) {
		_, err := client.GetFederationToken(ctxT(t), &sts.GetFederationTokenInput{Name: aws.String("bob"), Policy: aws.String(`{}`)})
		requireAPIError(t, err, "MalformedPolicyDocument", "Syntax errors in policy.", 400)
	})
	t.Run("an Effect STS has no recorded answer for passes", func(t *testing.T) {
		_, err := client.AssumeRole(ctxT(t), &sts.AssumeRoleInput{RoleArn: aws.String(role.ARN), RoleSessionName: aws.String("s1"),
			Policy: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Maybe","Action":"s3:*","Resource":"*"}]}`)})
		require.NoError(t, err)
	})
}

// TestFederatedPolicyLength: AssumeRoleWithWebIdentity and
// AssumeRoleWithSAML take sessionPolicyDocumentType, at most 2,048
// characters in the API model, where AssumeRole's policy has no maximum.
func TestFederatedPolicyLength(t *testing.T) {
	f := newFixture(t)
	role := f.srv.AddRole("Federated", ststest.Trust{Principals: []string{f.srv.OIDCProviderARN(), f.srv.SAMLProviderARN()}})
	policy := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*","Sid":"` + strings.Repeat("x", 2000) + `"}]}`
	want := "1 validation error detected: Value '" + policy + "' at 'policy' failed to satisfy constraint: Member must have length less than or equal to 2048"
	_, err := anonymousClient(f.srv).AssumeRoleWithWebIdentity(ctxT(t), &sts.AssumeRoleWithWebIdentityInput{
		RoleArn: aws.String(role.ARN), RoleSessionName: aws.String("s1"), Policy: aws.String(policy),
		WebIdentityToken: aws.String(f.srv.WebIdentityToken("sub", "")),
	})
	requireAPIError(t, err, "ValidationError", want, 400)
	_, err = anonymousClient(f.srv).AssumeRoleWithSAML(ctxT(t), &sts.AssumeRoleWithSAMLInput{
		RoleArn: aws.String(role.ARN), PrincipalArn: aws.String(f.srv.SAMLProviderARN()), Policy: aws.String(policy),
		SAMLAssertion: aws.String(f.srv.SAMLAssertion("alice", role.ARN)),
	})
	requireAPIError(t, err, "ValidationError", want, 400)
}
