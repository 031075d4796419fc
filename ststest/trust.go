package ststest

import (
	"strings"

	"github.com/awssession/awssession/internal/stsrules"
)

// admits reports whether the trust policy's principals name p. A user
// ARN admits that user's long-term keys and GetSessionToken sessions; a
// role ARN admits sessions of that role (role chaining); an account root
// ARN or account ID admits every principal of the account, as in IAM.
func (t Trust) admits(p principal, account, rootARN string) bool {
	for _, want := range t.Principals {
		switch {
		case want == "*", want == account, want == rootARN:
			return true
		case p.role != nil && (want == p.role.arn || want == p.arn):
			return true
		case p.role == nil && p.user != nil && want == p.user.arn:
			return true
		}
	}
	return false
}

// lookupRoleLocked finds the role an AssumeRole request names. An ARN
// of something other than a role is a ValidationError, "Request ARN is
// invalid" (a SAML provider ARN passed as the role: physera/onelogin-aws-cli#12);
// anything else that names no role here, malformed ARNs included, is
// refused like any role the caller may not assume (a missing colon in the
// ARN: 99designs/aws-vault#668).
func (s *Server) lookupRoleLocked(roleARN string) (*roleRecord, *apiError) {
	if a, err := stsrules.ParseARN(roleARN); err == nil && (a.Service != "iam" || !strings.HasPrefix(a.Resource, "role/")) {
		return nil, validationError(msgInvalidRoleARN)
	}
	return s.roles[strings.ToLower(roleARN)], nil
}
