package ststest

import (
	"net/http"
	"strings"
)

// tag is one session tag.
type tag struct{ key, value string }

// Texts of STS's InvalidParameterValue answers on session tags, recorded
// against AWS in localstack's test_sts.snapshot.json.
const (
	msgDuplicateTagKeys     = "Duplicate tag keys found. Please note that Tag keys are case insensitive."
	msgTransitiveNotInTags  = "The specified transitive tag key must be included in the requested tags."
	msgTransitiveConflicted = "One of the specified transitive tag keys can't be set because it conflicts with a transitive tag key from the calling session."
)

func invalidParameterValue(message string) *apiError {
	return &apiError{http.StatusBadRequest, "InvalidParameterValue", message}
}

// duplicateTagKeys refuses keys that differ only by case, as tag keys are
// case-insensitive.
func duplicateTagKeys(tags []tag) *apiError {
	seen := map[string]bool{}
	for _, t := range tags {
		k := strings.ToLower(t.key)
		if seen[k] {
			return invalidParameterValue(msgDuplicateTagKeys)
		}
		seen[k] = true
	}
	return nil
}

// sessionTags applies STS's rules on transitive tags to a request's tags
// and transitive keys, for a caller that may carry transitive tags from
// an earlier hop of a role chain, and returns the transitive tags the new
// session passes on: the inherited ones and the requested ones marked
// transitive. Keys compare without regard to case, as everywhere in tags.
//
// A transitive key must name one of the request's tags, and a request may
// not set a tag whose key the calling session passed on as transitive.
func sessionTags(inherited, tags []tag, transitiveKeys []string) ([]tag, *apiError) {
	requested := map[string]tag{}
	for _, t := range tags {
		requested[strings.ToLower(t.key)] = t
	}
	for _, k := range transitiveKeys {
		if _, ok := requested[strings.ToLower(k)]; !ok {
			return nil, invalidParameterValue(msgTransitiveNotInTags)
		}
	}
	out := append([]tag(nil), inherited...)
	for _, t := range inherited {
		if _, ok := requested[strings.ToLower(t.key)]; ok {
			return nil, invalidParameterValue(msgTransitiveConflicted)
		}
	}
	for _, k := range transitiveKeys {
		t := requested[strings.ToLower(k)]
		if !hasTagKey(out, t.key) {
			out = append(out, t)
		}
	}
	return out, nil
}

func hasTagKey(tags []tag, key string) bool {
	for _, t := range tags {
		if strings.EqualFold(t.key, key) {
			return true
		}
	}
	return false
}
