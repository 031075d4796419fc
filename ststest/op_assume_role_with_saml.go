package ststest

import (
	"crypto/sha1"
	"encoding/base64"
	"encoding/xml"
	"slices"

	"github.com/awssession/awssession/internal/stsrules"
)

// assumeRoleWithSAMLResult is the result in the order of the API
// reference's example.
type assumeRoleWithSAMLResult struct {
	XMLName          xml.Name `xml:"AssumeRoleWithSAMLResult"`
	Issuer           string
	AssumedRoleUser  assumedRoleUserXML
	Credentials      credentialsXML
	Audience         string
	SubjectType      string `xml:",omitempty"`
	PackedPolicySize *int   `xml:",omitempty"`
	NameQualifier    string
	SourceIdentity   string `xml:",omitempty"`
	Subject          string `xml:",omitempty"`
}

// msgSAMLDenied is STS's AccessDenied when the role does not exist or
// does not trust the provider (IAM User Guide, "Troubleshoot SAML
// federation with IAM"). STS's answer when the assertion does not name
// the requested role and provider is not recorded: this text is a guess.
const msgSAMLDenied = "Not authorized to perform sts:AssumeRoleWithSAML"

// The API model's rules for PrincipalArn (arnType, like RoleArn) and
// SAMLAssertion (4 to 100,000 characters, no pattern). STS's member name
// for the latter, "sAMLAssertion", is a guess at how it lower-cases the
// first letter of every other member.
var (
	samlPrincipalARN  = renamed(stsrules.RoleARN, "principalArn", 0)
	samlAssertionType = renamed(stsrules.WebIdentityToken, "sAMLAssertion", 100000)
)

// renamed is rule under another member name and, when max is not 0,
// another maximum length.
func renamed(rule stsrules.Param, member string, max int) stsrules.Param {
	rule.Member = member
	if max != 0 {
		rule.Max = max
	}
	return rule
}

// assumeRoleWithSAML issues credentials for a session of a role that
// trusts the server's SAML provider, in exchange for a SAML response its
// identity provider signed ([Server.SAMLAssertion]). The call is unsigned.
//
// STS checks in this order (its order where records show it, a guess
// elsewhere): the parameters; a PrincipalArn naming a provider of the
// account (a garbage assertion for an unknown provider gets "Specified
// provider doesn't exist.", jenkinsci/pipeline-aws-plugin's test against
// AWS); the response itself (see verifySAMLResponse); its
// RoleSessionName; a Role value pairing RoleArn with PrincipalArn; the
// role's trust; DurationSeconds against the role's maximum; the session
// policy. The session is a role session like AssumeRole's: a hop from it
// is role chaining. The SessionDuration attribute sets console sessions
// only and is not read.
func (s *Server) assumeRoleWithSAML(c *call) (any, *apiError) {
	p := paramReader{params: c.params}
	roleARN, _ := p.str("RoleArn", stsrules.RoleARN, true)
	providerARN, _ := p.str("PrincipalArn", samlPrincipalARN, true)
	assertion, _ := p.str("SAMLAssertion", samlAssertionType, true)
	policy, hasPolicy := p.str("Policy", stsrules.FederationPolicy, false)
	arns := p.policyARNs()
	seconds := p.duration(stsrules.MinDurationSeconds, stsrules.MaxAssumeRoleSeconds, stsrules.DefaultAssumeRoleSeconds)
	if e := p.err(); e != nil {
		return nil, e
	}
	role, e := s.lookupRoleLocked(roleARN)
	if e != nil {
		return nil, e
	}
	if providerARN != s.SAMLProviderARN() {
		return nil, invalidIdentityToken(msgSAMLNoProvider)
	}
	facts, e := s.verifySAMLResponse(assertion, c.now)
	if e != nil {
		return nil, e
	}
	switch {
	case !facts.hasSessionName:
		return nil, invalidIdentityToken(msgSAMLNoSessionName)
	case stsrules.RoleSessionName.Check(facts.sessionName) != nil:
		return nil, invalidIdentityToken(msgSAMLBadSessionName)
	}
	if !slices.Contains(facts.rolePairs, [2]string{roleARN, providerARN}) ||
		role == nil || !slices.Contains(role.trust.Principals, providerARN) {
		return nil, accessDenied(msgSAMLDenied)
	}
	r, e := s.federatedRoleLocked(c.now, role, facts.sessionName, seconds, hasPolicy, policy, arns)
	if e != nil {
		return nil, e
	}
	return assumeRoleWithSAMLResult{
		Issuer:           facts.issuer,
		AssumedRoleUser:  r.user,
		Credentials:      r.creds,
		Audience:         facts.recipient,
		SubjectType:      facts.subjectType,
		PackedPolicySize: r.packed,
		NameQualifier:    nameQualifier(facts.issuer, s.cfg.account, samlProviderName),
		Subject:          facts.subject,
	}, nil
}

// nameQualifier is BASE64(SHA1(issuer + account + "/" + provider name)),
// as the API reference defines it.
func nameQualifier(issuer, account, provider string) string {
	sum := sha1.Sum([]byte(issuer + account + "/" + provider))
	return base64.StdEncoding.EncodeToString(sum[:])
}
