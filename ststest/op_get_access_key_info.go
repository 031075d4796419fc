package ststest

import (
	"encoding/xml"

	"github.com/awssession/awssession/internal/stsrules"
)

type getAccessKeyInfoResult struct {
	XMLName xml.Name `xml:"GetAccessKeyInfoResult"`
	Account string
}

// getAccessKeyInfo returns the account that owns an access key. Any
// signed caller may ask, about any key. Keys this server issued belong to
// its account; for other keys it answers with the account the ID encodes,
// as STS answers for keys of accounts it does not hold here. A key ID
// that encodes none (older keys, made-up ones) is refused like an invalid
// parameter: what STS sends for it is a guess.
func (s *Server) getAccessKeyInfo(c *call) (any, *apiError) {
	p := paramReader{params: c.params}
	id, _ := p.str("AccessKeyId", stsrules.AccessKeyID, true)
	if e := p.err(); e != nil {
		return nil, e
	}
	account, ok := accountOfKeyID(id)
	if !ok {
		return nil, invalidParameterValue("The access key ID " + id + " is not valid.")
	}
	return getAccessKeyInfoResult{Account: account}, nil
}
