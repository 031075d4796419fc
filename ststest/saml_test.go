package ststest_test

import (
	"crypto/sha1"
	"encoding/base64"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/aws-sdk-go-v2/service/sts/types"
	"github.com/beevik/etree"
	"github.com/stretchr/testify/require"

	"github.com/awssession/awssession/ststest"
)

// samlFixture has a role that trusts the server's SAML provider, one that
// does not, and a role a SAML session may chain to.
type samlFixture struct {
	*fixture
	admin, other, chained ststest.Role
}

func newSAMLFixture(t *testing.T) *samlFixture {
	f := newFixture(t)
	provider := f.srv.SAMLProviderARN()
	admin := f.srv.AddRole("SAMLAdmin", ststest.Trust{Principals: []string{provider}, MaxSessionDuration: 2 * time.Hour})
	return &samlFixture{fixture: f, admin: admin,
		other:   f.srv.AddRole("NotFederated", ststest.Trust{Principals: []string{f.alice.ARN}}),
		chained: f.srv.AddRole("Chained", ststest.Trust{Principals: []string{admin.ARN}, MaxSessionDuration: 2 * time.Hour}),
	}
}

func (f *samlFixture) assume(t *testing.T, role, provider, assertion string, seconds int32) (*sts.AssumeRoleWithSAMLOutput, error) {
	in := &sts.AssumeRoleWithSAMLInput{RoleArn: aws.String(role), PrincipalArn: aws.String(provider), SAMLAssertion: aws.String(assertion)}
	if seconds != 0 {
		in.DurationSeconds = aws.Int32(seconds)
	}
	return anonymousClient(f.srv).AssumeRoleWithSAML(ctxT(t), in)
}

func TestSAMLProviderARN(t *testing.T) {
	f := newFixture(t)
	require.Equal(t, "arn:aws:iam::123456789012:saml-provider/ststest", f.srv.SAMLProviderARN())
}

// TestAssumeRoleWithSAML: an unsigned AssumeRoleWithSAML, as the SDK sends
// it, returns STS's whole response, and the session works for
// GetCallerIdentity and for role chaining with its 1 h cap.
func TestAssumeRoleWithSAML(t *testing.T) {
	f := newSAMLFixture(t)
	out, err := f.assume(t, f.admin.ARN, f.srv.SAMLProviderARN(), f.srv.SAMLAssertion("alice@example.com", f.other.ARN, f.admin.ARN), 7200)
	require.NoError(t, err)
	issuer := f.srv.URL + "/saml"
	require.Equal(t, "arn:aws:sts::123456789012:assumed-role/SAMLAdmin/alice@example.com", aws.ToString(out.AssumedRoleUser.Arn))
	require.True(t, strings.HasPrefix(aws.ToString(out.AssumedRoleUser.AssumedRoleId), "AROA"))
	require.Equal(t, issuer, aws.ToString(out.Issuer))
	require.Equal(t, "https://signin.aws.amazon.com/saml", aws.ToString(out.Audience))
	require.Equal(t, "alice@example.com", aws.ToString(out.Subject))
	require.Equal(t, "persistent", aws.ToString(out.SubjectType))
	sum := sha1.Sum([]byte(issuer + "123456789012/ststest"))
	require.Equal(t, base64.StdEncoding.EncodeToString(sum[:]), aws.ToString(out.NameQualifier))
	require.Nil(t, out.PackedPolicySize) //lint:ignore SA1019 the fake sends what STS sends
	require.Nil(t, out.SourceIdentity)
	require.Equal(t, f.clock.Now().Add(2*time.Hour).UTC().Truncate(time.Millisecond), aws.ToTime(out.Credentials.Expiration))

	who, err := clientForCreds(f.srv, out.Credentials).GetCallerIdentity(ctxT(t), nil)
	require.NoError(t, err)
	require.Equal(t, aws.ToString(out.AssumedRoleUser.Arn), aws.ToString(who.Arn))
	reqs := f.srv.Requests()
	require.Equal(t, "AssumeRoleWithSAML", reqs[0].Action)
	require.Empty(t, reqs[0].AccessKeyID, "the call is unsigned")

	hop := clientForCreds(f.srv, out.Credentials)
	_, err = hop.AssumeRole(ctxT(t), &sts.AssumeRoleInput{RoleArn: aws.String(f.chained.ARN), RoleSessionName: aws.String("next"), DurationSeconds: aws.Int32(7200)})
	requireAPIError(t, err, "ValidationError", "The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role chaining.", 400)
	next, err := hop.AssumeRole(ctxT(t), &sts.AssumeRoleInput{RoleArn: aws.String(f.chained.ARN), RoleSessionName: aws.String("next")})
	require.NoError(t, err)
	require.Equal(t, "arn:aws:sts::123456789012:assumed-role/Chained/next", aws.ToString(next.AssumedRoleUser.Arn))
}

// TestAssumeRoleWithSAMLPolicy: a session policy is measured like
// AssumeRole's.
func TestAssumeRoleWithSAMLPolicy(t *testing.T) {
	f := newSAMLFixture(t)
	out, err := anonymousClient(f.srv).AssumeRoleWithSAML(ctxT(t), &sts.AssumeRoleWithSAMLInput{
		RoleArn: aws.String(f.admin.ARN), PrincipalArn: aws.String(f.srv.SAMLProviderARN()),
		SAMLAssertion: aws.String(f.srv.SAMLAssertion("bob", f.admin.ARN)),
		Policy:        aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"}]}`),
		PolicyArns:    []types.PolicyDescriptorType{{Arn: aws.String("arn:aws:iam::aws:policy/ReadOnlyAccess")}},
	})
	require.NoError(t, err)
	require.NotNil(t, out.PackedPolicySize) //lint:ignore SA1019 the fake sends what STS sends
}

// decodeSAML and encodeSAML turn a SAMLResponse into XML and back, for
// tampering.
func decodeSAML(t *testing.T, assertion string) string {
	t.Helper()
	raw, err := base64.StdEncoding.DecodeString(assertion)
	require.NoError(t, err)
	return string(raw)
}

func encodeSAML(xml string) string { return base64.StdEncoding.EncodeToString([]byte(xml)) }

// wrapped is an XML signature wrapping attack on a response that names
// only named: the one Assertion the response carries is the attacker's,
// naming want, with the signed original hidden inside it (in Advice)
// under the same ID, so that a verifier that checks one element and
// reads another would accept it.
func wrapped(t *testing.T, response, named, want string) string {
	t.Helper()
	doc := etree.NewDocument()
	require.NoError(t, doc.ReadFromString(decodeSAML(t, response)))
	original := doc.Root().SelectElement("Assertion")
	require.NotNil(t, original)
	forged := original.Copy()
	forged.RemoveChild(forged.SelectElement("Signature"))
	for _, v := range forged.FindElements(".//AttributeValue") {
		v.SetText(strings.Replace(v.Text(), named, want, 1))
	}
	advice := etree.NewElement("saml:Advice")
	advice.AddChild(original.Copy())
	forged.InsertChildAt(forged.SelectElement("Conditions").Index()+1, advice)
	doc.Root().RemoveChild(original)
	doc.Root().AddChild(forged)
	out, err := doc.WriteToString()
	require.NoError(t, err)
	return encodeSAML(out)
}

// TestAssumeRoleWithSAMLRefusals: what STS refuses, with its codes.
func TestAssumeRoleWithSAMLRefusals(t *testing.T) {
	f := newSAMLFixture(t)
	auditor := f.srv.AddRole("Auditor", ststest.Trust{Principals: []string{f.srv.SAMLProviderARN()}})
	provider := f.srv.SAMLProviderARN()
	other := ststest.NewServer(t, ststest.WithClock(f.clock.Now))
	good := f.srv.SAMLAssertion("alice", f.admin.ARN, f.other.ARN)
	tampered := encodeSAML(strings.ReplaceAll(decodeSAML(t, good), ">alice<", ">mallory<"))
	require.NotEqual(t, good, tampered)
	twice := decodeSAML(t, good)
	start, end := strings.Index(twice, "<saml:Assertion"), strings.Index(twice, "</saml:Assertion>")+len("</saml:Assertion>")
	twice = twice[:start] + strings.ReplaceAll(twice[start:end], f.admin.ARN, auditor.ARN) + twice[start:]
	tests := []struct {
		name, role, provider, assertion, code, message string
		status                                         int
	}{
		{"a tampered assertion", f.admin.ARN, provider, tampered, "InvalidIdentityToken", "Response signature invalid", 400},
		{"a signature wrapped in a forged assertion", auditor.ARN, provider, wrapped(t, good, f.admin.ARN, auditor.ARN), "InvalidIdentityToken", "Response signature invalid", 400},
		{"a forged assertion beside the signed one", auditor.ARN, provider, encodeSAML(twice), "InvalidIdentityToken", "", 400},
		{"another identity provider's assertion", f.admin.ARN, provider, other.SAMLAssertion("alice", f.admin.ARN), "InvalidIdentityToken", "", 400},
		{"not base64", f.admin.ARN, provider, "not a SAML response!", "InvalidIdentityToken", "", 400},
		{"base64 of something else", f.admin.ARN, provider, encodeSAML("<html/>"), "InvalidIdentityToken", "", 400},
		{"a provider the account does not have", f.admin.ARN, "arn:aws:iam::123456789012:saml-provider/Okta", good, "InvalidIdentityToken", "Specified provider doesn't exist.", 400},
		{"a role the assertion does not name", auditor.ARN, provider, good, "AccessDenied", "Not authorized to perform sts:AssumeRoleWithSAML", 403},
		{"a role that does not trust the provider", f.other.ARN, provider, good, "AccessDenied", "Not authorized to perform sts:AssumeRoleWithSAML", 403},
		{"a role that does not exist", "arn:aws:iam::123456789012:role/Nope", provider, f.srv.SAMLAssertion("alice", "arn:aws:iam::123456789012:role/Nope"), "AccessDenied", "Not authorized to perform sts:AssumeRoleWithSAML", 403},
		{"no RoleSessionName", f.admin.ARN, provider, f.srv.SAMLAssertion("", f.admin.ARN), "InvalidIdentityToken", "RoleSessionName is required in AuthnResponse", 400},
		{"a RoleSessionName STS refuses", f.admin.ARN, provider, f.srv.SAMLAssertion("Alice Smith", f.admin.ARN), "InvalidIdentityToken", "RoleSessionName in AuthnResponse must match [a-zA-Z_0-9+=,.@-]{2,64}", 400},
		{"not an ARN", "nothing-valid-in-here", provider, good, "ValidationError", "nothing-valid-in-here is invalid", 400},
		{"a PrincipalArn too short", f.admin.ARN, "arn:aws:iam::1:x", good, "ValidationError", "1 validation error detected: Value 'arn:aws:iam::1:x' at 'principalArn' failed to satisfy constraint: Member must have length greater than or equal to 20", 400},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := f.assume(t, tt.role, tt.provider, tt.assertion, 0)
			requireAPIError(t, err, tt.code, tt.message, tt.status)
		})
	}
	t.Run("another identity provider's assertion names its issuer", func(t *testing.T) {
		_, err := f.assume(t, f.admin.ARN, provider, other.SAMLAssertion("alice", f.admin.ARN), 0)
		require.ErrorContains(t, err, "Issuer not present in specified provider (Service: AWSOpenIdDiscoveryService; Status Code: 400; Error Code: AuthSamlInvalidSamlResponseException; Request ID: ")
	})
	t.Run("a duration over the role's maximum", func(t *testing.T) {
		_, err := f.assume(t, f.admin.ARN, provider, good, 3*3600)
		requireAPIError(t, err, "ValidationError", "The requested DurationSeconds exceeds the MaxSessionDuration set for this role.", 400)
	})
	t.Run("an assertion older than five minutes", func(t *testing.T) {
		old := f.srv.SAMLAssertion("alice", f.admin.ARN)
		f.clock.Advance(5*time.Minute + time.Second)
		_, err := f.assume(t, f.admin.ARN, provider, old, 0)
		requireAPIError(t, err, "ExpiredTokenException", "Token must be redeemed within 5 minutes of issuance", 400)
	})
}
