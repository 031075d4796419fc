package ststest

import (
	"encoding/xml"
	"time"

	"github.com/awssession/awssession/internal/stsrules"
)

type getSessionTokenResult struct {
	XMLName     xml.Name `xml:"GetSessionTokenResult"`
	Credentials credentialsXML
}

// getSessionToken issues temporary credentials for an IAM user or the
// root, with MFA context when a valid device code is given.
func (s *Server) getSessionToken(c *call) (any, *apiError) {
	p := paramReader{params: c.params}
	seconds := p.duration(stsrules.MinDurationSeconds, stsrules.MaxSessionTokenSeconds, stsrules.DefaultSessionTokenSeconds)
	serial, hasSerial := p.str("SerialNumber", stsrules.SerialNumber, false)
	code, hasCode := p.str("TokenCode", stsrules.TokenCode, false)
	if e := p.err(); e != nil {
		return nil, e
	}
	if c.caller.temporary {
		return nil, sessionCredentialsRefused("GetSessionToken")
	}
	mfa, e := s.checkMFALocked(c.caller, c.now, serial, code, hasSerial, hasCode)
	if e != nil {
		return nil, e
	}
	if c.caller.kind == kindRoot && seconds > stsrules.RootSessionMaxSeconds {
		seconds = stsrules.RootSessionMaxSeconds // silently, as STS does
	}
	as := c.caller
	as.mfa = mfa
	sess := s.issueLocked(as, c.now, time.Duration(seconds)*time.Second)
	return getSessionTokenResult{Credentials: sess.credentialsXML()}, nil
}
