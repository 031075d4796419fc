package ststest

import "encoding/xml"

type getCallerIdentityResult struct {
	XMLName xml.Name `xml:"GetCallerIdentityResult"`
	Arn     string
	UserId  string
	Account string
}

// getCallerIdentity reports who signed the request. It needs no
// permission and takes no parameters.
func (s *Server) getCallerIdentity(c *call) (any, *apiError) {
	return getCallerIdentityResult{Arn: c.caller.arn, UserId: c.caller.userID, Account: c.caller.account()}, nil
}
