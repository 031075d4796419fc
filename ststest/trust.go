package ststest

import (
	"slices"
	"strings"
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

// lookupRoleLocked finds the role an AssumeRole request names, with
// STS's answers in STS's order (localstack's test_sts.snapshot.json,
// recorded 2025-07-21): a value that is not shaped like an ARN (six
// colon-separated fields, partition, service and resource non-empty) is
// a ValidationError "VALUE is invalid"; an ARN of a user is refused like
// any role the caller may not assume (amzn/selling-partner-api-models#2523);
// an ARN of something other than a role or user is "Request ARN is
// invalid" (a SAML provider ARN passed as the role:
// physera/onelogin-aws-cli#12). A nil role with no error is a role that
// does not exist here. Where the line falls between the last two for
// other resource types is a guess.
func (s *Server) lookupRoleLocked(roleARN string) (*roleRecord, *apiError) {
	parts := strings.SplitN(roleARN, ":", 6)
	if len(parts) != 6 || parts[0] != "arn" || parts[1] == "" || parts[2] == "" || parts[5] == "" {
		return nil, validationError(roleARN + " is invalid")
	}
	kind, _, _ := strings.Cut(parts[5], "/")
	if parts[2] != "iam" || (kind != "role" && kind != "user") {
		return nil, validationError(msgInvalidRoleARN)
	}
	return s.roles[strings.ToLower(roleARN)], nil
}

// extraAction returns the trust-policy action beyond sts:AssumeRole that
// a request needs and the role does not allow ("TagSession" when it sets
// session tags, "SetSourceIdentity" when a source identity is set or
// carried along a chain), or "" when nothing is missing. Transitive tags
// inherited from the caller need no sts:TagSession here: AWS documents
// the action for tags passed in the request, and says nothing of later
// hops (a guess).
func (t Trust) extraAction(setsTags, sourceIdentity bool) string {
	switch {
	case setsTags && !t.SessionTags:
		return "TagSession"
	case sourceIdentity && !t.SourceIdentity:
		return "SetSourceIdentity"
	}
	return ""
}

// audience is the aud the role expects of web identity tokens.
func (t Trust) audience() string {
	if t.Audience == "" {
		return defaultAudience
	}
	return t.Audience
}

// admitsWebIdentity reports whether the trust policy names the OIDC
// provider and its conditions on the token's aud and sub hold. Only the
// provider's ARN admits web identities: "*" and account principals do not,
// as IAM's Federated principals are separate from its AWS ones.
func (t Trust) admitsWebIdentity(provider, aud, sub string) bool {
	return slices.Contains(t.Principals, provider) && aud == t.audience() &&
		(t.Subject == "" || matchLike(t.Subject, sub))
}
