package ststest

import (
	"fmt"
	"net/http"
)

// apiError is an STS error response: the HTTP status, the code and the
// message STS would send.
type apiError struct {
	status  int
	code    string
	message string
}

func (e *apiError) Error() string { return e.code + ": " + e.message }

// errorType is the <Type> STS writes: Sender for the caller's mistakes
// (4xx), Receiver for the service's own (5xx).
func (e *apiError) errorType() string {
	if e.status >= 500 {
		return "Receiver"
	}
	return "Sender"
}

// Messages quoted from STS (shared/STS-REFERENCE.md §2), except:
// msgMFABothNeeded, seen when a serial is sent without a code or the
// reverse (y13i/sgviz#9); msgInvalidRoleARN (physera/onelogin-aws-cli#12).
// msgMissingAction is the Common Errors page's description of
// MissingAction; msgMissingVersion is a guess worded like other AWS Query
// APIs' MissingParameter messages.
const (
	msgBadMFACode        = "MultiFactorAuthentication failed with invalid MFA one time pass code."
	msgUnknownMFASerial  = "MultiFactorAuthentication failed, unable to validate MFA code.  Please verify your MFA serial number is valid and associated with this user."
	msgMFABothNeeded     = "MultiFactorAuthentication failed, must provide both MFA serial number and one time pass code."
	msgRootAssumeRole    = "Roles may not be assumed by root accounts."
	msgRoleMaxDuration   = "The requested DurationSeconds exceeds the MaxSessionDuration set for this role."
	msgChainingDuration  = "The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role chaining."
	msgInvalidToken      = "The security token included in the request is invalid."
	msgExpiredToken      = "The security token included in the request is expired"
	msgMissingAuth       = "Request is missing Authentication Token"
	msgSignatureMismatch = "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details."
	msgInvalidRoleARN    = "Request ARN is invalid"
	msgMissingAction     = "The request is missing an action or a required parameter."
	msgMissingVersion    = "The request must contain the parameter Version"
)

func accessDenied(message string) *apiError {
	return &apiError{http.StatusForbidden, "AccessDenied", message}
}

// notAuthorized is the AccessDenied STS sends when the caller may not act
// on the resource: a missing role, a trust policy that does not name the
// caller, a wrong external ID or missing MFA all look the same.
func notAuthorized(callerARN, action, resource string) *apiError {
	return accessDenied(fmt.Sprintf("User: %s is not authorized to perform: sts:%s on resource: %s", callerARN, action, resource))
}

func sessionCredentialsRefused(action string) *apiError {
	return accessDenied("Cannot call " + action + " with session credentials")
}

func validationError(message string) *apiError {
	return &apiError{http.StatusBadRequest, "ValidationError", message}
}

func invalidClientTokenID() *apiError {
	return &apiError{http.StatusForbidden, "InvalidClientTokenId", msgInvalidToken}
}

func signatureDoesNotMatch(message string) *apiError {
	return &apiError{http.StatusForbidden, "SignatureDoesNotMatch", message}
}

func incompleteSignature(message string) *apiError {
	return &apiError{http.StatusBadRequest, "IncompleteSignature", message}
}

// invalidAction is the answer for a served action with another Version;
// its text is a guess (no record of STS's answer).
func expiredToken(message string) *apiError {
	return &apiError{http.StatusBadRequest, "ExpiredTokenException", message}
}

func invalidAction(action, version string) *apiError {
	return &apiError{http.StatusBadRequest, "InvalidAction", "Could not find operation " + action + " for version " + version}
}
