package ststest

import (
	"bytes"
	"compress/flate"
	"crypto/rand"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"unicode/utf8"
)

// packedBudget is the allotted packed space in bytes of this server's
// compressed measure. AWS's packed format is undocumented; this measure
// (DEFLATE of the compacted policy, of the managed policy ARNs and of the
// tags) is calibrated on the one size recorded against AWS, a 163-character
// session policy reported as 16 (localstack's test_sts.snapshot.json): a
// guess everywhere else.
const packedBudget = 896

// packedPolicy returns PackedPolicySize for a request that passed a
// session policy, managed policy ARNs or tags (nil when it passed none),
// MalformedPolicyDocument for a policy that is not JSON, or
// PackedPolicyTooLarge when they exceed the allotted space.
//
// STS words PackedPolicyTooLarge one way for policies and another for
// tags (aws/containers-roadmap#2413); the tags' text is used when the tags
// take more of the space than the policies.
func packedPolicy(hasPolicy bool, policy string, arns []string, tags []tag) (*int, *apiError) {
	if !hasPolicy && len(arns) == 0 && len(tags) == 0 {
		return nil, nil
	}
	var compact bytes.Buffer
	if hasPolicy {
		var v any
		if err := json.Unmarshal([]byte(policy), &v); err != nil {
			return nil, malformedPolicy(policy, err)
		}
		if doc, ok := v.(map[string]any); !ok || doc["Statement"] == nil {
			return nil, &apiError{http.StatusBadRequest, "MalformedPolicyDocument", msgPolicySyntax}
		}
		_ = json.Compact(&compact, []byte(policy)) // valid, as just checked
	}
	policies := deflatedSize(compact.String() + strings.Join(arns, ""))
	var rendered strings.Builder
	for _, t := range tags {
		rendered.WriteString(t.key + "=" + t.value + ";")
	}
	tagged := deflatedSize(rendered.String())
	percent := ((policies+tagged)*100 + packedBudget - 1) / packedBudget
	switch {
	case percent <= 100:
		return &percent, nil
	case tagged > policies:
		return nil, &apiError{http.StatusBadRequest, "PackedPolicyTooLarge",
			fmt.Sprintf("Packed size of session tags consumes %d%% of allotted space.", percent)}
	default:
		return nil, &apiError{http.StatusBadRequest, "PackedPolicyTooLarge",
			fmt.Sprintf("Packed policy consumes %d%% of allotted space, please use smaller policy.", percent)}
	}
}

// deflatedSize is the size of s compressed with DEFLATE; 0 for "".
func deflatedSize(s string) int {
	if s == "" {
		return 0
	}
	var b bytes.Buffer
	w, _ := flate.NewWriter(&b, flate.BestCompression) // the level is valid
	_, _ = w.Write([]byte(s))
	_ = w.Close()
	return b.Len()
}

// msgPolicySyntax is STS's MalformedPolicyDocument for a session policy
// its JSON parser read but that is no policy: AssumeRole with
// {'json':'but not what AWS wants}, a document without Statement, got
// "Syntax errors in policy." (apache/hadoop, hadoop-aws ITestAssumeRole
// testAssumeRoleFSBadPolicy2 and assumed_roles.md, recorded against AWS in
// 2018, when STS read that single-quoted text as JSON). That STS answers
// the same today for strict JSON without Statement (an array, a string,
// {"Version":"2012-10-17"}) is inferred from that record. What it answers
// for a statement whose Effect is neither Allow nor Deny has no public
// record; such policies pass.
const msgPolicySyntax = "Syntax errors in policy."

// malformedPolicy is the MalformedPolicyDocument STS sends for a session
// policy that is not JSON: the message of its Java JSON parser (Jackson),
// e.g. "Unexpected character ('i' (code 105)): expected a valid value
// (number, String, array, object, 'true', 'false' or 'null')\n at [Source:
// java.io.StringReader@52b5743d; line: 1, column: 2]"
// (ansible-collections/amazon.aws#2778). Jackson words other mistakes
// differently by context; this server uses that text for every unexpected
// character and "Unexpected end-of-input" for a truncated document (a
// guess). The StringReader's identity hash is random, as Java's is.
func malformedPolicy(policy string, err error) *apiError {
	at := len(policy)
	var syntax *json.SyntaxError
	if errors.As(err, &syntax) {
		at = int(syntax.Offset) - 1
	}
	if at < 0 {
		at = 0
	}
	var what string
	if at >= len(policy) || strings.HasPrefix(err.Error(), "unexpected end") {
		what, at = "Unexpected end-of-input", len(policy)
	} else {
		c, _ := utf8.DecodeRuneInString(policy[at:])
		what = fmt.Sprintf("Unexpected character ('%c' (code %d)): expected a valid value (number, String, array, object, 'true', 'false' or 'null')", c, c)
	}
	line := 1 + strings.Count(policy[:at], "\n")
	column := at - (strings.LastIndex(policy[:at], "\n") + 1) + 2
	var hash [4]byte
	_, _ = rand.Read(hash[:])
	return &apiError{http.StatusBadRequest, "MalformedPolicyDocument",
		fmt.Sprintf("%s\n at [Source: java.io.StringReader@%x; line: %d, column: %d]", what, binary.BigEndian.Uint32(hash[:]), line, column)}
}
