package ststest

import (
	"fmt"
	"net/http"
	"net/url"
)

// unmodelledOperations are the operations of STS's API model (botocore
// 1.43's data/sts/2011-06-15) that the server does not serve.
var unmodelledOperations = map[string]bool{
	"AssumeRoot":                 true,
	"DecodeAuthorizationMessage": true,
	"GetDelegatedAccessToken":    true,
	"GetWebIdentityToken":        true,
}

// unmodelledAction answers a request for an action the server does not
// serve, signed or not, with InvalidAction and a message that says so:
// before authentication, so that an unsigned call of an operation STS
// would have served is not mistaken for a missing signature. Requests
// without Action or Version, and for served actions, pass (nil).
//
// For an action STS has, the answer is ststest's own, not STS's. For an
// action STS does not have either, "Could not find operation ... for
// version ..." is a guess at STS's text; the note after it is ours.
func unmodelledAction(params url.Values) *apiError {
	action := params.Get("Action")
	if action == "" || !params.Has("Version") || operations[action] != nil || unsignedOperations[action] != nil {
		return nil
	}
	if unmodelledOperations[action] {
		return &apiError{http.StatusBadRequest, "InvalidAction",
			fmt.Sprintf("%s is an operation of STS that ststest does not model; this answer is ststest's, not STS's.", action)}
	}
	return &apiError{http.StatusBadRequest, "InvalidAction",
		fmt.Sprintf("Could not find operation %s for version %s (ststest does not model it).", action, params.Get("Version"))}
}
