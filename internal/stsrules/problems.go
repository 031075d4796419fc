package stsrules

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// Problem is one constraint failure in an STS ValidationError. *Violation
// and Missing are the two kinds.
type Problem interface {
	Detail() string
}

// Missing is a required member the request left out. STS words it
// "Value null at 'roleSessionName' failed to satisfy constraint: Member
// must not be null" (aws/aws-sdk-cpp#1252; serverless/serverless#2036 for
// a list member, 'tags.1.member.value').
type Missing struct {
	Member string
}

// Detail is the text of this problem alone.
func (m Missing) Detail() string {
	return fmt.Sprintf("Value null at '%s' failed to satisfy constraint: Member must not be null", m.Member)
}

// Report joins problems the way STS does: "N validation error(s)
// detected: a; b". It is [Message] for any mix of problems.
func Report(ps []Problem) string {
	parts := make([]string, len(ps))
	for i, p := range ps {
		parts[i] = p.Detail()
	}
	noun := "errors"
	if len(ps) == 1 {
		noun = "error"
	}
	return fmt.Sprintf("%d validation %s detected: %s", len(ps), noun, strings.Join(parts, "; "))
}

// CheckAll reports every constraint value breaks, not only the first as
// [Param.Check] does, in the order STS lists them: the pattern, then the
// length. An empty RoleArn gets both (newscorpaus/consigliere#18):
//
//	2 validation errors detected: Value '' at 'roleArn' failed to satisfy
//	constraint: Member must satisfy regular expression pattern: …; Value ''
//	at 'roleArn' failed to satisfy constraint: Member must have length
//	greater than or equal to 20
//
// A server uses it; a client wanting one reason uses Check.
func (p Param) CheckAll(value string) []*Violation {
	var vs []*Violation
	if !p.re().MatchString(value) {
		vs = append(vs, &Violation{Member: p.Member, Value: value, Rule: "Member must satisfy regular expression pattern: " + p.Pattern})
	}
	n := utf8.RuneCountInString(value)
	if n < p.Min {
		vs = append(vs, &Violation{Member: p.Member, Value: value, Rule: fmt.Sprintf("Member must have length greater than or equal to %d", p.Min)})
	}
	if p.Max > 0 && n > p.Max {
		vs = append(vs, &Violation{Member: p.Member, Value: value, Rule: fmt.Sprintf("Member must have length less than or equal to %d", p.Max)})
	}
	return vs
}

// TooMany reports a list member with more than max items. The value is
// rendered as the service renders a Java list, "[a, b]"; the exact
// rendering of structured items is not documented.
func TooMany(member string, items []string, max int) *Violation {
	if len(items) <= max {
		return nil
	}
	return &Violation{Member: member, Value: "[" + strings.Join(items, ", ") + "]",
		Rule: fmt.Sprintf("Member must have length less than or equal to %d", max)}
}
