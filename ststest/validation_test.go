package ststest_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/aws-sdk-go-v2/service/sts/types"
	"github.com/stretchr/testify/require"

	"github.com/awssession/awssession/ststest"
)

const (
	patternSession = `[\w+=,.@-]*`
	patternTag     = `[\p{L}\p{Z}\p{N}_.:/=+\-@]+`
	patternValue   = `[\p{L}\p{Z}\p{N}_.:/=+\-@]*`
	patternPolicy  = `[\u0009\u000A\u000D\u0020-\u00FF]+`
)

func violation(value, member, rule string) string {
	return fmt.Sprintf("Value '%s' at '%s' failed to satisfy constraint: %s", value, member, rule)
}

func oneViolation(value, member, rule string) string {
	return "1 validation error detected: " + violation(value, member, rule)
}

func TestAssumeRoleValidation(t *testing.T) {
	f := newFixture(t)
	role := f.srv.AddRole("Target", ststest.Trust{Principals: []string{f.alice.ARN}, SessionTags: true, SourceIdentity: true})
	long65 := strings.Repeat("a", 65)
	arns := func(n int) []types.PolicyDescriptorType {
		var out []types.PolicyDescriptorType
		for i := range n {
			out = append(out, types.PolicyDescriptorType{Arn: aws.String(fmt.Sprintf("arn:aws:iam::123456789012:policy/p%d", i))})
		}
		return out
	}
	tags := func(n int) []types.Tag {
		var out []types.Tag
		for i := range n {
			out = append(out, types.Tag{Key: aws.String(fmt.Sprintf("k%d", i)), Value: aws.String("v")})
		}
		return out
	}
	var arnList []string
	for _, a := range arns(11) {
		arnList = append(arnList, aws.ToString(a.Arn))
	}
	var tagList []string
	for _, tg := range tags(51) {
		tagList = append(tagList, fmt.Sprintf("Tag(key=%s, value=%s)", aws.ToString(tg.Key), aws.ToString(tg.Value)))
	}

	tests := []struct {
		name   string
		modify func(*sts.AssumeRoleInput)
		want   string // ValidationError message; "" for success
	}{
		{"valid", func(in *sts.AssumeRoleInput) {}, ""},
		{"session name with a colon", func(in *sts.AssumeRoleInput) { in.RoleSessionName = aws.String("a:b") },
			oneViolation("a:b", "roleSessionName", "Member must satisfy regular expression pattern: "+patternSession)},
		{"session name with brackets", func(in *sts.AssumeRoleInput) { in.RoleSessionName = aws.String("dependabot[bot]") },
			oneViolation("dependabot[bot]", "roleSessionName", "Member must satisfy regular expression pattern: "+patternSession)},
		{"session name too short", func(in *sts.AssumeRoleInput) { in.RoleSessionName = aws.String("x") },
			oneViolation("x", "roleSessionName", "Member must have length greater than or equal to 2")},
		{"session name too long", func(in *sts.AssumeRoleInput) { in.RoleSessionName = aws.String(long65) },
			oneViolation(long65, "roleSessionName", "Member must have length less than or equal to 64")},
		{"role ARN empty", func(in *sts.AssumeRoleInput) { in.RoleArn = aws.String("") },
			"2 validation errors detected: " + violation("", "roleArn", `Member must satisfy regular expression pattern: [\u0009\u000A\u000D\u0020-\u007E\u0085\u00A0-\uD7FF\uE000-\uFFFD\u10000-\u10FFFF]+`) +
				"; " + violation("", "roleArn", "Member must have length greater than or equal to 20")},
		{"role ARN of something else", func(in *sts.AssumeRoleInput) { in.RoleArn = aws.String("arn:aws:iam::123456789012:saml-provider/Okta") }, "Request ARN is invalid"},
		{"external ID too short", func(in *sts.AssumeRoleInput) { in.ExternalId = aws.String("x") },
			oneViolation("x", "externalId", "Member must have length greater than or equal to 2")},
		{"external ID with a space", func(in *sts.AssumeRoleInput) { in.ExternalId = aws.String("a b") },
			oneViolation("a b", "externalId", `Member must satisfy regular expression pattern: [\w+=,.@:\/-]*`)},
		{"source identity with the aws: prefix", func(in *sts.AssumeRoleInput) { in.SourceIdentity = aws.String("aws:me") },
			oneViolation("aws:me", "sourceIdentity", "Member must satisfy regular expression pattern: "+patternSession)},
		{"policy outside Latin-1", func(in *sts.AssumeRoleInput) { in.Policy = aws.String(`{"Sid":"Ā"}`) },
			oneViolation(`{"Sid":"Ā"}`, "policy", "Member must satisfy regular expression pattern: "+patternPolicy)},
		{"ten policy ARNs", func(in *sts.AssumeRoleInput) { in.PolicyArns = arns(10) }, ""},
		{"eleven policy ARNs", func(in *sts.AssumeRoleInput) { in.PolicyArns = arns(11) },
			oneViolation("["+strings.Join(arnList, ", ")+"]", "policyArns", "Member must have length less than or equal to 10")},
		{"short policy ARN", func(in *sts.AssumeRoleInput) {
			in.PolicyArns = []types.PolicyDescriptorType{{Arn: aws.String("arn:aws:iam::1:p")}}
		}, oneViolation("arn:aws:iam::1:p", "policyArns.1.member.arn", "Member must have length greater than or equal to 20")},
		{"fifty tags", func(in *sts.AssumeRoleInput) { in.Tags = tags(50) }, ""},
		{"fifty-one tags", func(in *sts.AssumeRoleInput) { in.Tags = tags(51) },
			oneViolation("["+strings.Join(tagList, ", ")+"]", "tags", "Member must have length less than or equal to 50")},
		{"tag key with a star", func(in *sts.AssumeRoleInput) {
			in.Tags = []types.Tag{{Key: aws.String("ok"), Value: aws.String("v")}, {Key: aws.String("bad*key"), Value: aws.String("v")}}
		}, oneViolation("bad*key", "tags.2.member.key", "Member must satisfy regular expression pattern: "+patternTag)},
		{"tag value too long", func(in *sts.AssumeRoleInput) {
			in.Tags = []types.Tag{{Key: aws.String("k"), Value: aws.String(strings.Repeat("v", 257))}}
		}, oneViolation(strings.Repeat("v", 257), "tags.1.member.value", "Member must have length less than or equal to 256")},
		{"tag value empty", func(in *sts.AssumeRoleInput) { in.Tags = []types.Tag{{Key: aws.String("k"), Value: aws.String("")}} }, ""},
		{"tag value with a comma", func(in *sts.AssumeRoleInput) { in.Tags = []types.Tag{{Key: aws.String("k"), Value: aws.String("a,b")}} },
			oneViolation("a,b", "tags.1.member.value", "Member must satisfy regular expression pattern: "+patternValue)},
		{"transitive tag key with a star", func(in *sts.AssumeRoleInput) { in.TransitiveTagKeys = []string{"k*"} },
			oneViolation("k*", "transitiveTagKeys.1.member", "Member must satisfy regular expression pattern: "+patternTag)},
		{"serial number too short", func(in *sts.AssumeRoleInput) {
			in.SerialNumber, in.TokenCode = aws.String("GAHT1"), aws.String("123456")
		},
			oneViolation("GAHT1", "serialNumber", "Member must have length greater than or equal to 9")},
		{"token code of five digits", func(in *sts.AssumeRoleInput) {
			in.SerialNumber, in.TokenCode = aws.String(f.mfa.SerialNumber), aws.String("12345")
		},
			oneViolation("12345", "tokenCode", "Member must have length greater than or equal to 6")},
		{"token code empty", func(in *sts.AssumeRoleInput) {
			in.SerialNumber, in.TokenCode = aws.String(f.mfa.SerialNumber), aws.String("")
		},
			oneViolation("", "tokenCode", "Member must have length greater than or equal to 6")},
		{"token code with a letter", func(in *sts.AssumeRoleInput) {
			in.SerialNumber, in.TokenCode = aws.String(f.mfa.SerialNumber), aws.String("12345a")
		},
			oneViolation("12345a", "tokenCode", `Member must satisfy regular expression pattern: [\d]*`)},
		{"several violations at once", func(in *sts.AssumeRoleInput) {
			in.RoleSessionName, in.DurationSeconds = aws.String("x"), aws.Int32(60)
		}, "2 validation errors detected: " + violation("x", "roleSessionName", "Member must have length greater than or equal to 2") +
			"; " + violation("60", "durationSeconds", "Member must have value greater than or equal to 900")},
	}
	client := clientFor(f.srv, f.alice)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := &sts.AssumeRoleInput{RoleArn: aws.String(role.ARN), RoleSessionName: aws.String("valid")}
			tt.modify(in)
			_, err := client.AssumeRole(ctxT(t), in)
			if tt.want == "" {
				require.NoError(t, err)
				return
			}
			requireAPIError(t, err, "ValidationError", tt.want, 400)
		})
	}
}

func TestGetFederationTokenValidation(t *testing.T) {
	f := newFixture(t)
	tests := []struct {
		name, fedName string
		policy        *string
		want          string
	}{
		{"valid", "Bob", nil, ""},
		{"name too short", "B", nil, oneViolation("B", "name", "Member must have length greater than or equal to 2")},
		{"name too long", strings.Repeat("b", 33), nil, oneViolation(strings.Repeat("b", 33), "name", "Member must have length less than or equal to 32")},
		{"name with a slash", "a/b", nil, oneViolation("a/b", "name", "Member must satisfy regular expression pattern: "+patternSession)},
		{"policy too long", "Bob", aws.String(strings.Repeat(" ", 2049)), oneViolation(strings.Repeat(" ", 2049), "policy", "Member must have length less than or equal to 2048")},
	}
	client := clientFor(f.srv, f.alice)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := client.GetFederationToken(ctxT(t), &sts.GetFederationTokenInput{Name: aws.String(tt.fedName), Policy: tt.policy})
			if tt.want == "" {
				require.NoError(t, err)
				return
			}
			requireAPIError(t, err, "ValidationError", tt.want, 400)
		})
	}
}

// TestMissingRequiredParameters sends what the SDK refuses to send: its
// client-side validation catches missing required members, other clients'
// may not.
func TestMissingRequiredParameters(t *testing.T) {
	f := newFixture(t)
	tests := []struct {
		name string
		form []string
		want string
	}{
		{"AssumeRole without RoleSessionName", []string{"Action", "AssumeRole", "RoleArn", "arn:aws:iam::123456789012:role/X"},
			"1 validation error detected: Value null at 'roleSessionName' failed to satisfy constraint: Member must not be null"},
		{"AssumeRole with nothing", []string{"Action", "AssumeRole"},
			"2 validation errors detected: Value null at 'roleArn' failed to satisfy constraint: Member must not be null; Value null at 'roleSessionName' failed to satisfy constraint: Member must not be null"},
		{"GetFederationToken without Name", []string{"Action", "GetFederationToken"},
			"1 validation error detected: Value null at 'name' failed to satisfy constraint: Member must not be null"},
		{"tag without a value", []string{"Action", "GetFederationToken", "Name", "Bob", "Tags.member.1.Key", "k"},
			"1 validation error detected: Value null at 'tags.1.member.value' failed to satisfy constraint: Member must not be null"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			status, _, _, e := rawCall(t, f.srv, http.MethodPost, form(tt.form...), userCreds(f.alice), time.Now())
			require.Equal(t, 400, status)
			require.Equal(t, rawError{Type: "Sender", Code: "ValidationError", Message: tt.want}, e)
		})
	}
}
