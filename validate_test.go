package awssession_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/awssession/awssession"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestInvalidInput(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	const acct = "123456789012"
	role := "arn:aws:iam::" + acct + ":role/Admin"
	serial := "arn:aws:iam::" + acct + ":mfa/alice"
	tok := awssession.StaticToken("123456")
	keys := f.aliceKeys()
	ar := func(r awssession.AssumeRole) awssession.Option {
		if r.RoleARN == "" {
			r.RoleARN = role
		}
		return awssession.WithAssumeRole(r)
	}
	tags := func(n int) map[string]string {
		m := map[string]string{}
		for i := range n {
			m[fmt.Sprintf("k%d", i)] = "v"
		}
		return m
	}
	arns := func(n int) []string {
		var s []string
		for i := range n {
			s = append(s, fmt.Sprintf("arn:aws:iam::aws:policy/P%d", i))
		}
		return s
	}
	profiles := f.writeConfig(t, `
[profile mfa]
role_arn = `+role+`
source_profile = base
mfa_serial = `+serial+`

[profile role]
role_arn = `+role+`
source_profile = base
`, `
[base]
aws_access_key_id = `+f.alice.AccessKeyID+`
aws_secret_access_key = `+f.alice.SecretAccessKey+`
`)

	tests := []struct {
		name      string
		opts      []awssession.Option
		field     string
		conflicts bool
	}{
		// Sources.
		{"empty access key", []awssession.Option{awssession.WithStaticCredentials("", "s", "")}, "AccessKeyID", false},
		{"short access key", []awssession.Option{awssession.WithStaticCredentials("AKIA123", "s", "")}, "AccessKeyID", false},
		{"access key with space", []awssession.Option{awssession.WithStaticCredentials("AKIA 123456789012345", "s", "")}, "AccessKeyID", false},
		{"empty secret", []awssession.Option{awssession.WithStaticCredentials("AKIAIOSFODNN7EXAMPLE", "", "")}, "SecretAccessKey", false},
		{"temporary key without token", []awssession.Option{awssession.WithStaticCredentials("ASIAIOSFODNN7EXAMPLE", "s", "")}, "SessionToken", false},
		{"access key of 129", []awssession.Option{awssession.WithStaticCredentials("AKIA"+strings.Repeat("A", 125), "s", "")}, "WithStaticCredentials.AccessKeyID", false},
		{"access key with NUL", []awssession.Option{awssession.WithStaticCredentials("AKIAIOSFODNN7EXAMPL\x00", "s", "")}, "WithStaticCredentials.AccessKeyID", false},
		{"secret with NUL", []awssession.Option{awssession.WithStaticCredentials("AKIAIOSFODNN7EXAMPLE", f.alice.SecretAccessKey+"\x00", "")}, "WithStaticCredentials.SecretAccessKey", false},
		{"secret of 129 bytes", []awssession.Option{awssession.WithStaticCredentials("AKIAIOSFODNN7EXAMPLE", strings.Repeat("s", 129), "")}, "WithStaticCredentials.SecretAccessKey", false},
		{"session token of 10 MB", []awssession.Option{awssession.WithStaticCredentials("ASIAIOSFODNN7EXAMPLE", "s", strings.Repeat("t", 10<<20))}, "WithStaticCredentials.SessionToken", false},
		{"session token with NUL", []awssession.Option{awssession.WithStaticCredentials("ASIAIOSFODNN7EXAMPLE", "s", "t\x00t")}, "WithStaticCredentials.SessionToken", false},
		{"keys and profile", []awssession.Option{keys, awssession.WithProfile("dev")}, "WithProfile", true},
		{"profile and keys", []awssession.Option{awssession.WithProfile("dev"), keys}, "WithStaticCredentials", true},
		{"two profiles", []awssession.Option{awssession.WithProfile("a"), awssession.WithProfile("b")}, "WithProfile", true},
		{"two key pairs", []awssession.Option{keys, awssession.WithStaticCredentials("AKIAIOSFODNN7EXAMPLE", "s", "")}, "WithStaticCredentials", true},
		{"empty profile", []awssession.Option{awssession.WithProfile("")}, "WithProfile", false},
		{"profile with space", []awssession.Option{awssession.WithProfile("my profile")}, "WithProfile", false},
		{"profile with bracket", []awssession.Option{awssession.WithProfile("p]")}, "WithProfile", false},
		{"missing profile", []awssession.Option{profiles, awssession.WithProfile("nope")}, "WithProfile", false},
		{"region typo", []awssession.Option{keys, awssession.WithRegion("us-east1")}, "WithRegion", false},
		{"region uppercase", []awssession.Option{keys, awssession.WithRegion("US-EAST-1")}, "WithRegion", false},
		// MFA.
		{"empty serial", []awssession.Option{keys, awssession.WithMFA("", tok), awssession.WithGetSessionToken(0)}, "WithMFA.SerialNumber", false},
		{"user ARN as serial", []awssession.Option{keys, awssession.WithMFA("arn:aws:iam::"+acct+":user/alice", tok), awssession.WithGetSessionToken(0)}, "user ARN", false},
		{"FIDO key serial", []awssession.Option{keys, awssession.WithMFA("arn:aws:iam::"+acct+":u2f/user/alice/key", tok), awssession.WithGetSessionToken(0)}, "FIDO", false},
		{"serial short account", []awssession.Option{keys, awssession.WithMFA("arn:aws:iam::1234:mfa/alice", tok), awssession.WithGetSessionToken(0)}, "WithMFA.SerialNumber", false},
		{"serial sts service", []awssession.Option{keys, awssession.WithMFA("arn:aws:sts::"+acct+":mfa/alice", tok), awssession.WithGetSessionToken(0)}, "WithMFA.SerialNumber", false},
		{"serial bad partition", []awssession.Option{keys, awssession.WithMFA("arn:aws-mars:iam::"+acct+":mfa/alice", tok), awssession.WithGetSessionToken(0)}, "unknown partition", false},
		{"hardware serial too short", []awssession.Option{keys, awssession.WithMFA("GAHT123", tok), awssession.WithGetSessionToken(0)}, "WithMFA.SerialNumber", false},
		{"hardware serial punctuation", []awssession.Option{keys, awssession.WithMFA("GAHT 1234 5678", tok), awssession.WithGetSessionToken(0)}, "WithMFA.SerialNumber", false},
		{"nil token provider", []awssession.Option{keys, awssession.WithMFA(serial, nil), awssession.WithGetSessionToken(0)}, "WithMFA.Tokens", false},
		{"two devices", []awssession.Option{keys, awssession.WithMFA(serial, tok), awssession.WithMFA(serial+"2", tok), awssession.WithGetSessionToken(0)}, "WithMFA", true},
		{"MFA without a layer", []awssession.Option{keys, awssession.WithMFA(serial, tok)}, "no layer takes an MFA code", true},
		{"profile mfa without WithMFA", []awssession.Option{profiles, awssession.WithProfile("mfa")}, "mfa_serial", false},
		{"profile mfa other device", []awssession.Option{profiles, awssession.WithProfile("mfa"), awssession.WithMFA("arn:aws:iam::"+acct+":mfa/bob", tok)}, "differs from the profile", true},
		// GetSessionToken.
		{"session too short", []awssession.Option{keys, awssession.WithGetSessionToken(899 * time.Second)}, "greater than or equal to 900", false},
		{"session too long", []awssession.Option{keys, awssession.WithGetSessionToken(37 * time.Hour)}, "less than or equal to 129600", false},
		{"session negative", []awssession.Option{keys, awssession.WithGetSessionToken(-time.Hour)}, "WithGetSessionToken", false},
		{"session fractional", []awssession.Option{keys, awssession.WithGetSessionToken(time.Hour + time.Millisecond)}, "whole number of seconds", false},
		{"session twice", []awssession.Option{keys, awssession.WithGetSessionToken(time.Hour), awssession.WithGetSessionToken(2 * time.Hour)}, "WithGetSessionToken", true},
		{"session with temporary keys", []awssession.Option{awssession.WithStaticCredentials("ASIAIOSFODNN7EXAMPLE", "s", "t"), awssession.WithGetSessionToken(0)}, "long-term", true},
		// Roles.
		{"empty role ARN", []awssession.Option{keys, awssession.WithAssumeRole(awssession.AssumeRole{})}, "AssumeRole[0].RoleARN", false},
		{"role name only", []awssession.Option{keys, ar(awssession.AssumeRole{RoleARN: "Admin"})}, "AssumeRole[0].RoleARN", false},
		{"user ARN as role", []awssession.Option{keys, ar(awssession.AssumeRole{RoleARN: "arn:aws:iam::" + acct + ":user/alice"})}, "AssumeRole[0].RoleARN", false},
		{"role with region", []awssession.Option{keys, ar(awssession.AssumeRole{RoleARN: "arn:aws:iam:us-east-1:" + acct + ":role/A"})}, "empty region", false},
		{"role 11-digit account", []awssession.Option{keys, ar(awssession.AssumeRole{RoleARN: "arn:aws:iam::12345678901:role/A"})}, "12 digits", false},
		{"role name too long", []awssession.Option{keys, ar(awssession.AssumeRole{RoleARN: "arn:aws:iam::" + acct + ":role/" + strings.Repeat("r", 65)})}, "AssumeRole[0].RoleARN", false},
		{"role name bad char", []awssession.Option{keys, ar(awssession.AssumeRole{RoleARN: "arn:aws:iam::" + acct + ":role/a*b"})}, "AssumeRole[0].RoleARN", false},
		{"second hop bad", []awssession.Option{keys, ar(awssession.AssumeRole{}), ar(awssession.AssumeRole{RoleARN: "nope"})}, "AssumeRole[1].RoleARN", false},
		{"session name one char", []awssession.Option{keys, ar(awssession.AssumeRole{RoleSessionName: "a"})}, "RoleSessionName", false},
		{"session name colon", []awssession.Option{keys, ar(awssession.AssumeRole{RoleSessionName: "a:b"})}, "RoleSessionName", false},
		{"session name bot", []awssession.Option{keys, ar(awssession.AssumeRole{RoleSessionName: "dependabot[bot]"})}, "RoleSessionName", false},
		{"session name 65", []awssession.Option{keys, ar(awssession.AssumeRole{RoleSessionName: strings.Repeat("s", 65)})}, "RoleSessionName", false},
		{"session name space", []awssession.Option{keys, ar(awssession.AssumeRole{RoleSessionName: "alice smith"})}, "RoleSessionName", false},
		{"external id one char", []awssession.Option{keys, ar(awssession.AssumeRole{ExternalID: "x"})}, "ExternalID", false},
		{"external id space", []awssession.Option{keys, ar(awssession.AssumeRole{ExternalID: "a b"})}, "ExternalID", false},
		{"external id too long", []awssession.Option{keys, ar(awssession.AssumeRole{ExternalID: strings.Repeat("e", 1225)})}, "ExternalID", false},
		{"source identity aws:", []awssession.Option{keys, ar(awssession.AssumeRole{SourceIdentity: "aws:alice"})}, "SourceIdentity", false},
		{"source identity short", []awssession.Option{keys, ar(awssession.AssumeRole{SourceIdentity: "a"})}, "SourceIdentity", false},
		{"source identity space", []awssession.Option{keys, ar(awssession.AssumeRole{SourceIdentity: "al ice"})}, "SourceIdentity", false},
		{"policy not JSON", []awssession.Option{keys, ar(awssession.AssumeRole{Policy: "{"})}, "Policy", false},
		{"policy control char", []awssession.Option{keys, ar(awssession.AssumeRole{Policy: "{\"a\":\"\x01\"}"})}, "Policy", false},
		{"policy too large", []awssession.Option{keys, ar(awssession.AssumeRole{Policy: `{"a":"` + strings.Repeat("x", 2100) + `"}`})}, "2048", false},
		{"eleven policy ARNs", []awssession.Option{keys, ar(awssession.AssumeRole{PolicyARNs: arns(11)})}, "PolicyARNs", false},
		{"policy ARN is a role", []awssession.Option{keys, ar(awssession.AssumeRole{PolicyARNs: []string{role}})}, "PolicyARNs[0]", false},
		{"policy ARN not an ARN", []awssession.Option{keys, ar(awssession.AssumeRole{PolicyARNs: []string{"ReadOnlyAccess"}})}, "PolicyARNs[0]", false},
		{"51 tags", []awssession.Option{keys, ar(awssession.AssumeRole{Tags: tags(51)})}, "Tags", false},
		{"tag key empty", []awssession.Option{keys, ar(awssession.AssumeRole{Tags: map[string]string{"": "v"}})}, "Tags", false},
		{"tag key star", []awssession.Option{keys, ar(awssession.AssumeRole{Tags: map[string]string{"a*": "v"}})}, "Tags", false},
		{"tag key 129", []awssession.Option{keys, ar(awssession.AssumeRole{Tags: map[string]string{strings.Repeat("k", 129): "v"}})}, "Tags", false},
		{"tag value 257", []awssession.Option{keys, ar(awssession.AssumeRole{Tags: map[string]string{"k": strings.Repeat("v", 257)}})}, "Tags", false},
		{"tag value bad char", []awssession.Option{keys, ar(awssession.AssumeRole{Tags: map[string]string{"k": "a;b"}})}, "Tags", false},
		{"tag keys differ in case", []awssession.Option{keys, ar(awssession.AssumeRole{Tags: map[string]string{"Env": "a", "env": "b"}})}, "differ only in case", false},
		{"transitive key bad", []awssession.Option{keys, ar(awssession.AssumeRole{TransitiveTagKeys: []string{"a*"}})}, "TransitiveTagKeys", false},
		{"role duration short", []awssession.Option{keys, ar(awssession.AssumeRole{Duration: 10 * time.Minute})}, "AssumeRole[0].Duration", false},
		{"role duration 13h", []awssession.Option{keys, ar(awssession.AssumeRole{Duration: 13 * time.Hour})}, "less than or equal to 43200", false},
		{"chained 2h", []awssession.Option{keys, ar(awssession.AssumeRole{}), ar(awssession.AssumeRole{Duration: 2 * time.Hour})}, "1 hour limit", false},
		{"2h over session", []awssession.Option{keys, awssession.WithGetSessionToken(0), ar(awssession.AssumeRole{Duration: 2 * time.Hour})}, "1 hour limit", false},
		{"2h over temporary keys", []awssession.Option{awssession.WithStaticCredentials("ASIAIOSFODNN7EXAMPLE", "s", "t"), ar(awssession.AssumeRole{Duration: 2 * time.Hour})}, "1 hour limit", false},
		{"2h over role profile", []awssession.Option{profiles, awssession.WithProfile("role"), ar(awssession.AssumeRole{Duration: 2 * time.Hour})}, "1 hour limit", false},
		// Partitions and endpoints.
		{"role in china, MFA in aws", []awssession.Option{keys, awssession.WithMFA(serial, tok), ar(awssession.AssumeRole{RoleARN: "arn:aws-cn:iam::" + acct + ":role/A"})}, "sessions cannot cross partitions", false},
		{"role in aws, region in china", []awssession.Option{keys, awssession.WithRegion("cn-north-1"), ar(awssession.AssumeRole{})}, "partition aws does not match region cn-north-1", false},
		{"endpoint not a URL", []awssession.Option{keys, awssession.WithSTSEndpoint("sts.local")}, "WithSTSEndpoint", false},
		{"endpoint ftp", []awssession.Option{keys, awssession.WithSTSEndpoint("ftp://127.0.0.1/")}, "WithSTSEndpoint", false},
		{"endpoint plain http remote", []awssession.Option{keys, awssession.WithSTSEndpoint("http://sts.example.com")}, "clear text", false},
		{"endpoint with password", []awssession.Option{keys, awssession.WithSTSEndpoint("https://u:p@sts.example.com")}, "user information", false},
	}
	require.GreaterOrEqual(t, len(tests), 60)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f.srv.ResetRequests()
			// The case's own region or endpoint, if any, wins: last one counts.
			opts := append(f.base(), tt.opts...)
			cfg, err := awssession.CreateSession(context.Background(), opts...)
			if err == nil {
				_, err = cfg.Credentials.Retrieve(context.Background())
				t.Fatalf("CreateSession: got no error (Retrieve: %v), want one naming %q", err, tt.field)
			}
			assert.ErrorIs(t, err, awssession.ErrInvalidInput)
			assert.Equal(t, tt.conflicts, errors.Is(err, awssession.ErrConflictingOptions), "conflict")
			assert.Contains(t, err.Error(), tt.field)
			assert.NotContains(t, err.Error(), f.alice.SecretAccessKey)
			assert.Empty(t, f.srv.Requests(), "no STS request for invalid input")
		})
	}
}

func TestInvalidInputReportsEveryProblem(t *testing.T) {
	t.Parallel()
	_, err := awssession.CreateSession(context.Background(), awssession.WithEnvironment(nil),
		awssession.WithRegion("nowhere"),
		awssession.WithAssumeRole(awssession.AssumeRole{RoleARN: "x", RoleSessionName: "a"}))
	require.Error(t, err)
	for _, field := range []string{"WithRegion", "AssumeRole[0].RoleARN", "AssumeRole[0].RoleSessionName"} {
		assert.Contains(t, err.Error(), field)
	}
	var ie *awssession.InputError
	require.ErrorAs(t, err, &ie)
}
