package ststest

import (
	"encoding/xml"
	"slices"

	"github.com/awssession/awssession/internal/stsrules"
)

type assumeRoleWithWebIdentityResult struct {
	XMLName                     xml.Name `xml:"AssumeRoleWithWebIdentityResult"`
	Credentials                 credentialsXML
	SubjectFromWebIdentityToken string
	AssumedRoleUser             assumedRoleUserXML
	PackedPolicySize            *int `xml:",omitempty"`
	Provider                    string
	Audience                    string
}

// msgWebIdentityDenied is STS's AccessDenied when the role does not trust
// the token, as users of GitHub Actions' OIDC quote it.
const msgWebIdentityDenied = "Not authorized to perform sts:AssumeRoleWithWebIdentity"

// assumeRoleWithWebIdentity issues credentials for a session of a role
// that trusts the server's OIDC issuer, in exchange for an ID token it
// minted ([Server.WebIdentityToken]). The call is unsigned.
//
// The issuer's client ID list is taken to be the audiences of the roles
// that trust it: a token for none of them is InvalidIdentityToken
// "Incorrect token audience", as IAM answers for a client ID the provider
// does not list; a token for another role's audience, or whose subject the
// role's pattern does not match, is AccessDenied. Provider is the issuer's
// provider ARN, as AWS CLI users see it for IAM OIDC providers (the API
// reference says the iss claim: a guess between the two).
func (s *Server) assumeRoleWithWebIdentity(c *call) (any, *apiError) {
	p := paramReader{params: c.params}
	roleARN, _ := p.str("RoleArn", stsrules.RoleARN, true)
	sessionName, _ := p.str("RoleSessionName", stsrules.RoleSessionName, true)
	token, _ := p.str("WebIdentityToken", stsrules.WebIdentityToken, true)
	p.str("ProviderId", stsrules.ProviderID, false)
	// Policy is sessionPolicyDocumentType here (at most 2,048 characters),
	// as for GetFederationToken; AssumeRole's has no maximum.
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
	claims, e := s.verifyWebIdentityToken(token, c.now)
	if e != nil {
		return nil, e
	}
	aud, known := s.clientIDLocked(claims.Audience)
	if !known {
		return nil, invalidIdentityToken(msgIncorrectAudience)
	}
	if role == nil || !role.trust.admitsWebIdentity(s.OIDCProviderARN(), aud, claims.Subject) {
		return nil, accessDenied(msgWebIdentityDenied)
	}
	r, e := s.federatedRoleLocked(c.now, role, sessionName, seconds, hasPolicy, policy, arns)
	if e != nil {
		return nil, e
	}
	return assumeRoleWithWebIdentityResult{
		Credentials:                 r.creds,
		SubjectFromWebIdentityToken: claims.Subject,
		AssumedRoleUser:             r.user,
		PackedPolicySize:            r.packed,
		Provider:                    s.OIDCProviderARN(),
		Audience:                    aud,
	}, nil
}

// clientIDLocked returns the first of a token's audiences that is a client
// ID of the server's issuer (an audience of a role that trusts it), and
// whether there is one. s.mu must be held.
func (s *Server) clientIDLocked(auds []string) (string, bool) {
	provider := s.OIDCProviderARN()
	for _, aud := range auds {
		for _, r := range s.roles {
			if slices.Contains(r.trust.Principals, provider) && r.trust.audience() == aud {
				return aud, true
			}
		}
	}
	return "", false
}
