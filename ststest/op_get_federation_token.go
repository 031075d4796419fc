package ststest

import (
	"encoding/xml"
	"time"

	"github.com/awssession/awssession/internal/stsrules"
)

type getFederationTokenResult struct {
	XMLName          xml.Name `xml:"GetFederationTokenResult"`
	Credentials      credentialsXML
	FederatedUser    federatedUserXML
	PackedPolicySize *int `xml:",omitempty"`
}

type federatedUserXML struct {
	Arn             string
	FederatedUserId string
}

// getFederationToken issues credentials for a federated user on behalf
// of an IAM user (or the root) signing with long-term keys.
func (s *Server) getFederationToken(c *call) (any, *apiError) {
	p := paramReader{params: c.params}
	name, _ := p.str("Name", stsrules.FederationName, true)
	policy, hasPolicy := p.str("Policy", stsrules.FederationPolicy, false)
	arns := p.policyARNs()
	tags := p.tags()
	seconds := p.duration(stsrules.MinDurationSeconds, stsrules.MaxSessionTokenSeconds, stsrules.DefaultSessionTokenSeconds)
	if e := p.err(); e != nil {
		return nil, e
	}
	if e := duplicateTagKeys(tags); e != nil {
		return nil, e
	}
	if c.caller.temporary {
		return nil, sessionCredentialsRefused("GetFederationToken")
	}
	packed, e := packedPolicy(hasPolicy, policy, arns, tags)
	if e != nil {
		return nil, e
	}
	if packed == nil {
		packed = new(int) // STS sends 0 when nothing was passed (localstack's test_sts.snapshot.json)
	}
	if c.caller.kind == kindRoot && seconds > stsrules.RootSessionMaxSeconds {
		seconds = stsrules.RootSessionMaxSeconds
	}
	as := principal{
		kind:   kindFederated,
		arn:    s.arn("sts", "federated-user/"+name),
		userID: s.cfg.account + ":" + name,
		user:   c.caller.user,
	}
	sess := s.issueLocked(as, c.now, time.Duration(seconds)*time.Second)
	return getFederationTokenResult{
		Credentials:      sess.credentialsXML(),
		FederatedUser:    federatedUserXML{Arn: as.arn, FederatedUserId: as.userID},
		PackedPolicySize: packed,
	}, nil
}
