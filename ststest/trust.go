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

// lookupRoleLocked finds the role an AssumeRole request names. A value
// that is not an ARN at all is a ValidationError, as at STS; an ARN that
// names no role here is refused like any role the caller may not assume.
func (s *Server) lookupRoleLocked(roleARN string) (*roleRecord, *apiError) {
	if _, err := stsrules.ParseARN(roleARN); err != nil {
		return nil, validationError(msgInvalidRoleARN)
	}
	return s.roles[strings.ToLower(roleARN)], nil
}
