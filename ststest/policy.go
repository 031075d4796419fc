package ststest

import (
	"fmt"
	"net/http"

	"github.com/awssession/awssession/internal/stsrules"
)

// packedPolicy returns PackedPolicySize for a request that passed a
// session policy, managed policy ARNs or tags (nil when it passed none),
// or PackedPolicyTooLarge when they exceed the budget.
//
// AWS packs these into an undocumented compressed format; this server
// approximates the size as their plaintext length (policy, ARNs, tag keys
// and values) as a percentage of the documented 2,048-character limit,
// rounded up.
func packedPolicy(hasPolicy bool, policy string, arns []string, tags []tag) (*int, *apiError) {
	if !hasPolicy && len(arns) == 0 && len(tags) == 0 {
		return nil, nil
	}
	n := len(policy)
	for _, a := range arns {
		n += len(a)
	}
	for _, t := range tags {
		n += len(t.key) + len(t.value)
	}
	percent := (n*100 + stsrules.MaxPackedPolicyChars - 1) / stsrules.MaxPackedPolicyChars
	if percent > 100 {
		return nil, &apiError{http.StatusBadRequest, "PackedPolicyTooLarge",
			fmt.Sprintf("Packed policy consumes %d%% of allotted space, please use smaller policy.", percent)}
	}
	return &percent, nil
}
