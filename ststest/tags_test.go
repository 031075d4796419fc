package ststest_test

import (
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/aws-sdk-go-v2/service/sts/types"
	"github.com/stretchr/testify/require"

	"github.com/awssession/awssession/ststest"
)

func notAuthorizedFor(caller, action, role string) string {
	return "User: " + caller + " is not authorized to perform: sts:" + action + " on resource: " + role
}

func tagList(kv ...string) []types.Tag {
	var out []types.Tag
	for i := 0; i < len(kv); i += 2 {
		out = append(out, types.Tag{Key: aws.String(kv[i]), Value: aws.String(kv[i+1])})
	}
	return out
}

// TestTrustSessionTagsAndSourceIdentity: tags need sts:TagSession and a
// source identity sts:SetSourceIdentity in the role's trust policy.
func TestTrustSessionTagsAndSourceIdentity(t *testing.T) {
	f := newFixture(t)
	plain := f.srv.AddRole("Plain", ststest.Trust{Principals: []string{f.alice.ARN}})
	tagging := f.srv.AddRole("Tagging", ststest.Trust{Principals: []string{f.alice.ARN}, SessionTags: true})
	sourcing := f.srv.AddRole("Sourcing", ststest.Trust{Principals: []string{f.alice.ARN}, SourceIdentity: true})
	both := f.srv.AddRole("Both", ststest.Trust{Principals: []string{f.alice.ARN}, SessionTags: true, SourceIdentity: true})
	client := clientFor(f.srv, f.alice)
	tests := []struct {
		name           string
		role           string
		tags           []types.Tag
		sourceIdentity *string
		wantAction     string // the action refused; "" for success
	}{
		{"no tags, no source identity", plain.ARN, nil, nil, ""},
		{"tags without sts:TagSession", plain.ARN, tagList("team", "a"), nil, "TagSession"},
		{"tags with sts:TagSession", tagging.ARN, tagList("team", "a"), nil, ""},
		{"source identity without sts:SetSourceIdentity", tagging.ARN, nil, aws.String("alice"), "SetSourceIdentity"},
		{"source identity with sts:SetSourceIdentity", sourcing.ARN, nil, aws.String("alice"), ""},
		{"tags with only sts:SetSourceIdentity", sourcing.ARN, tagList("team", "a"), aws.String("alice"), "TagSession"},
		{"both with both", both.ARN, tagList("team", "a"), aws.String("alice"), ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := client.AssumeRole(ctxT(t), &sts.AssumeRoleInput{RoleArn: aws.String(tt.role), RoleSessionName: aws.String("s1"),
				Tags: tt.tags, SourceIdentity: tt.sourceIdentity})
			if tt.wantAction == "" {
				require.NoError(t, err)
				return
			}
			requireAPIError(t, err, "AccessDenied", notAuthorizedFor(f.alice.ARN, tt.wantAction, tt.role), 403)
		})
	}

	t.Run("every later hop of a chain with a source identity needs sts:SetSourceIdentity", func(t *testing.T) {
		first, err := client.AssumeRole(ctxT(t), &sts.AssumeRoleInput{RoleArn: aws.String(sourcing.ARN), RoleSessionName: aws.String("s1"),
			SourceIdentity: aws.String("alice")})
		require.NoError(t, err)
		hopRefused := f.srv.AddRole("HopRefused", ststest.Trust{Principals: []string{sourcing.ARN}})
		hopAllowed := f.srv.AddRole("HopAllowed", ststest.Trust{Principals: []string{sourcing.ARN}, SourceIdentity: true})
		chained := clientForCreds(f.srv, first.Credentials)
		_, err = chained.AssumeRole(ctxT(t), &sts.AssumeRoleInput{RoleArn: aws.String(hopRefused.ARN), RoleSessionName: aws.String("hop")})
		requireAPIError(t, err, "AccessDenied", notAuthorizedFor(aws.ToString(first.AssumedRoleUser.Arn), "SetSourceIdentity", hopRefused.ARN), 403)
		hop, err := chained.AssumeRole(ctxT(t), &sts.AssumeRoleInput{RoleArn: aws.String(hopAllowed.ARN), RoleSessionName: aws.String("hop")})
		require.NoError(t, err)
		require.Equal(t, "alice", aws.ToString(hop.SourceIdentity))
	})
}

// TestTransitiveTags checks STS's InvalidParameterValue rules on tag keys.
func TestTransitiveTags(t *testing.T) {
	f := newFixture(t)
	first := f.srv.AddRole("First", ststest.Trust{Principals: []string{f.alice.ARN}, SessionTags: true})
	second := f.srv.AddRole("Second", ststest.Trust{Principals: []string{first.ARN}, SessionTags: true})
	third := f.srv.AddRole("Third", ststest.Trust{Principals: []string{second.ARN}, SessionTags: true})
	client := clientFor(f.srv, f.alice)
	assume := func(t *testing.T, c *sts.Client, role string, tags []types.Tag, transitive ...string) (*sts.AssumeRoleOutput, error) {
		return c.AssumeRole(ctxT(t), &sts.AssumeRoleInput{RoleArn: aws.String(role), RoleSessionName: aws.String("s1"),
			Tags: tags, TransitiveTagKeys: transitive})
	}

	tests := []struct {
		name       string
		tags       []types.Tag
		transitive []string
		want       string // InvalidParameterValue message; "" for success
	}{
		{"transitive key among the tags", tagList("team", "a", "env", "dev"), []string{"team"}, ""},
		{"transitive key in another case", tagList("team", "a"), []string{"Team"}, ""},
		{"transitive key not among the tags", tagList("team", "a"), []string{"env"}, "The specified transitive tag key must be included in the requested tags."},
		{"transitive key without tags", nil, []string{"env"}, "The specified transitive tag key must be included in the requested tags."},
		{"tag keys differing only by case", tagList("Env", "a", "env", "b"), nil, "Duplicate tag keys found. Please note that Tag keys are case insensitive."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := assume(t, client, first.ARN, tt.tags, tt.transitive...)
			if tt.want == "" {
				require.NoError(t, err)
				return
			}
			requireAPIError(t, err, "InvalidParameterValue", tt.want, 400)
		})
	}

	t.Run("a chained session cannot re-set an inherited transitive key", func(t *testing.T) {
		out, err := assume(t, client, first.ARN, tagList("team", "a", "env", "dev"), "team")
		require.NoError(t, err)
		chained := clientForCreds(f.srv, out.Credentials)
		const conflict = "One of the specified transitive tag keys can't be set because it conflicts with a transitive tag key from the calling session."
		_, err = assume(t, chained, second.ARN, tagList("team", "b"))
		requireAPIError(t, err, "InvalidParameterValue", conflict, 400)
		_, err = assume(t, chained, second.ARN, tagList("TEAM", "b"))
		requireAPIError(t, err, "InvalidParameterValue", conflict, 400)
		// A key that was not transitive may be set again.
		hop, err := assume(t, chained, second.ARN, tagList("env", "prod"))
		require.NoError(t, err)
		// The transitive key passes on to the hop after that too.
		_, err = assume(t, clientForCreds(f.srv, hop.Credentials), third.ARN, tagList("team", "c"))
		requireAPIError(t, err, "InvalidParameterValue", conflict, 400)
	})
}

// TestRoleARNChecks checks STS's answers to role ARNs that name no role,
// in STS's order.
func TestRoleARNChecks(t *testing.T) {
	f := newFixture(t)
	bob := f.srv.AddUser("bob")
	client := clientFor(f.srv, f.alice)
	tests := []struct {
		name, arn, code, message string
		status                   int
	}{
		{"not an ARN", "nothing-valid-in-here", "ValidationError", "nothing-valid-in-here is invalid", 400},
		{"no partition", "arn::b:::something/test-role", "ValidationError", "arn::b:::something/test-role is invalid", 400},
		{"no service", "arn:a::::something/test-role", "ValidationError", "arn:a::::something/test-role is invalid", 400},
		{"not enough colons", "arn:aws:iam:123456789012:role/Admin", "ValidationError", "arn:aws:iam:123456789012:role/Admin is invalid", 400},
		{"no resource", "arn:a:a::aaaaaaaaaa:", "ValidationError", "arn:a:a::aaaaaaaaaa: is invalid", 400},
		{"an ARN of a user", bob.ARN, "AccessDenied", notAuthorized(f.alice.ARN, bob.ARN), 403},
		{"an ARN of a SAML provider", "arn:aws:iam::123456789012:saml-provider/Okta", "ValidationError", "Request ARN is invalid", 400},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := client.AssumeRole(ctxT(t), &sts.AssumeRoleInput{RoleArn: aws.String(tt.arn), RoleSessionName: aws.String("s1")})
			requireAPIError(t, err, tt.code, tt.message, tt.status)
		})
	}
}
