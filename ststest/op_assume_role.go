package ststest

import (
	"encoding/xml"
	"slices"
	"time"

	"github.com/awssession/awssession/internal/stsrules"
)

type assumeRoleResult struct {
	XMLName          xml.Name `xml:"AssumeRoleResult"`
	Credentials      credentialsXML
	AssumedRoleUser  assumedRoleUserXML
	PackedPolicySize *int   `xml:",omitempty"`
	SourceIdentity   string `xml:",omitempty"`
}

type assumedRoleUserXML struct {
	Arn           string
	AssumedRoleId string
}

// assumeRoleParams are AssumeRole's validated parameters.
type assumeRoleParams struct {
	roleARN, sessionName, externalID, sourceIdentity string
	serial, code                                     string
	hasSerial, hasCode, hasPolicy                    bool
	policy                                           string
	arns                                             []string
	tags                                             []tag
	transitiveKeys                                   []string
	seconds                                          int
}

func readAssumeRole(c *call) (assumeRoleParams, *apiError) {
	p := paramReader{params: c.params}
	var a assumeRoleParams
	a.roleARN, _ = p.str("RoleArn", stsrules.RoleARN, true)
	a.sessionName, _ = p.str("RoleSessionName", stsrules.RoleSessionName, true)
	a.policy, a.hasPolicy = p.str("Policy", stsrules.Policy, false)
	a.arns = p.policyARNs()
	a.seconds = p.duration(stsrules.MinDurationSeconds, stsrules.MaxAssumeRoleSeconds, stsrules.DefaultAssumeRoleSeconds)
	a.tags = p.tags()
	a.transitiveKeys = p.transitiveTagKeys()
	a.externalID, _ = p.str("ExternalId", stsrules.ExternalID, false)
	a.serial, a.hasSerial = p.str("SerialNumber", stsrules.SerialNumber, false)
	a.code, a.hasCode = p.str("TokenCode", stsrules.TokenCode, false)
	a.sourceIdentity, _ = p.str("SourceIdentity", stsrules.SourceIdentity, false)
	if e := p.err(); e != nil {
		return a, e
	}
	return a, duplicateTagKeys(a.tags)
}

// assumeRole issues credentials for a session of a role whose trust
// policy admits the caller.
//
// MFA context carries along a role chain: a session created with MFA, or
// assumed with credentials that had it, has it too, so a later hop to a
// role that requires MFA needs no code. The IAM User Guide ("Configuring
// MFA-protected API access") says the temporary credentials returned by
// GetSessionToken or AssumeRole called with MFA are MFA-authenticated for
// the requests made with them, and an AssumeRole call is such a request.
// AWS has no sentence on a second hop; tools built against real STS rely
// on the context surviving every hop (aws-vault sends no code on its
// "AssumeRole (chained MFA)" hops, also when the source is itself a role
// session), so this server does the same.
//
// A source identity persists along the chain and may not be changed; a
// different one is refused like any other denied AssumeRole. Every role
// on the way must allow sts:SetSourceIdentity, and a role assumed with
// tags sts:TagSession (see [Trust]). Transitive tags pass down the chain
// (see sessionTags).
func (s *Server) assumeRole(c *call) (any, *apiError) {
	a, e := readAssumeRole(c)
	if e != nil {
		return nil, e
	}
	switch c.caller.kind {
	case kindRoot:
		return nil, accessDenied(msgRootAssumeRole)
	case kindFederated:
		return nil, notAuthorized(c.caller.arn, "AssumeRole", a.roleARN)
	}
	transitive, e := sessionTags(c.caller.transitiveTags, a.tags, a.transitiveKeys)
	if e != nil {
		return nil, e
	}
	mfaNow, e := s.checkMFALocked(c.caller, c.now, a.serial, a.code, a.hasSerial, a.hasCode)
	if e != nil {
		return nil, e
	}
	role, e := s.lookupRoleLocked(a.roleARN)
	if e != nil {
		return nil, e
	}
	mfa := c.caller.mfa || mfaNow
	if role == nil ||
		!role.trust.admits(c.caller, c.caller.account(), s.rootARN(c.caller.account())) ||
		(role.trust.ExternalID != "" && a.externalID != role.trust.ExternalID) ||
		(role.trust.RequireMFA && !mfa) ||
		(c.caller.sourceIdentity != "" && a.sourceIdentity != "" && a.sourceIdentity != c.caller.sourceIdentity) {
		return nil, notAuthorized(c.caller.arn, "AssumeRole", a.roleARN)
	}
	sourceIdentity := c.caller.sourceIdentity
	if sourceIdentity == "" {
		sourceIdentity = a.sourceIdentity
	}
	if action := role.trust.extraAction(len(a.tags) > 0, sourceIdentity != ""); action != "" {
		return nil, notAuthorized(c.caller.arn, action, a.roleARN)
	}
	d := time.Duration(a.seconds) * time.Second
	if d > role.maxSession {
		return nil, validationError(msgRoleMaxDuration)
	}
	// Role chaining: credentials from AssumeRole or GetSessionToken.
	if c.caller.temporary && a.seconds > stsrules.RoleChainingMaxSeconds {
		return nil, validationError(msgChainingDuration)
	}
	packed, e := packedPolicy(a.hasPolicy, a.policy, a.arns, slices.Concat(a.tags, c.caller.transitiveTags))
	if e != nil {
		return nil, e
	}
	as := principal{
		kind:           kindRole,
		arn:            s.arn("sts", "assumed-role/"+role.name+"/"+a.sessionName),
		userID:         role.id + ":" + a.sessionName,
		role:           role,
		chained:        c.caller.temporary,
		mfa:            mfa,
		sourceIdentity: sourceIdentity,
		transitiveTags: transitive,
	}
	sess := s.issueLocked(as, c.now, d)
	return assumeRoleResult{
		Credentials:      sess.credentialsXML(),
		AssumedRoleUser:  assumedRoleUserXML{Arn: as.arn, AssumedRoleId: as.userID},
		PackedPolicySize: packed,
		SourceIdentity:   sourceIdentity,
	}, nil
}
