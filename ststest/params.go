package ststest

import (
	"fmt"
	"net/url"
	"sort"
	"strconv"
	"strings"

	"github.com/awssession/awssession/internal/stsrules"
)

// paramReader reads an operation's form parameters, collecting every
// constraint they break so that one ValidationError can list them all,
// as STS does.
type paramReader struct {
	params   url.Values
	problems []stsrules.Problem
}

func (p *paramReader) add(vs ...*stsrules.Violation) {
	for _, v := range vs {
		if v != nil {
			p.problems = append(p.problems, v)
		}
	}
}

// err is the ValidationError for the problems found, or nil.
func (p *paramReader) err() *apiError {
	if len(p.problems) == 0 {
		return nil
	}
	return validationError(stsrules.Report(p.problems))
}

// str reads key and checks it against rule. It reports whether the key
// was present; an absent required key is a Missing problem.
func (p *paramReader) str(key string, rule stsrules.Param, required bool) (string, bool) {
	vs, ok := p.params[key]
	if !ok {
		if required {
			p.problems = append(p.problems, stsrules.Missing{Member: rule.Member})
		}
		return "", false
	}
	p.add(rule.CheckAll(vs[0])...)
	return vs[0], true
}

// duration reads DurationSeconds within [min, max], or returns def.
func (p *paramReader) duration(min, max, def int) int {
	vs, ok := p.params["DurationSeconds"]
	if !ok {
		return def
	}
	n, err := strconv.Atoi(vs[0])
	if err != nil {
		// A guess: STS's answer is not recorded; worded like the model's
		// other rules.
		p.add(&stsrules.Violation{Member: "durationSeconds", Value: vs[0], Rule: "Member must be an integer"})
		return def
	}
	p.add(stsrules.CheckRange("durationSeconds", n, min, max))
	return n
}

// list returns the values of a Query-protocol list: prefix.member.N
// (with suffix ".field" for structures, "" for strings), ordered by N.
// A list sent empty ("PolicyArns=") has no items.
func (p *paramReader) list(prefix, field string) []listItem {
	var items []listItem
	for k, vs := range p.params {
		rest, ok := strings.CutPrefix(k, prefix+".member.")
		if !ok {
			continue
		}
		n, f, _ := strings.Cut(rest, ".")
		i, err := strconv.Atoi(n)
		if err != nil || i < 1 || f != field {
			continue
		}
		items = append(items, listItem{index: i, value: vs[0]})
	}
	sort.Slice(items, func(a, b int) bool { return items[a].index < items[b].index })
	return items
}

type listItem struct {
	index int
	value string
}

// at renames a violation of a list element's rule to its path in the
// request, e.g. 'tags.2.member.key'.
func at(vs []*stsrules.Violation, path string) []*stsrules.Violation {
	for _, v := range vs {
		v.Member = path
	}
	return vs
}

// policyARNs reads PolicyArns: each arn is an ARN, at most ten.
func (p *paramReader) policyARNs() []string {
	var arns []string
	for _, it := range p.list("PolicyArns", "arn") {
		p.add(at(stsrules.PolicyARN.CheckAll(it.value), fmt.Sprintf("policyArns.%d.member.arn", it.index))...)
		arns = append(arns, it.value)
	}
	p.add(stsrules.TooMany("policyArns", arns, stsrules.MaxPolicyARNs))
	return arns
}

// tags reads Tags: at most fifty, each with a key and a value.
func (p *paramReader) tags() []tag {
	keys, values := p.list("Tags", "Key"), p.list("Tags", "Value")
	byIndex := map[int]*tag{}
	var order []int
	get := func(i int) *tag {
		if byIndex[i] == nil {
			byIndex[i] = &tag{}
			order = append(order, i)
		}
		return byIndex[i]
	}
	seenKey, seenValue := map[int]bool{}, map[int]bool{}
	for _, it := range keys {
		get(it.index).key, seenKey[it.index] = it.value, true
	}
	for _, it := range values {
		get(it.index).value, seenValue[it.index] = it.value, true
	}
	sort.Ints(order)
	var tags []tag
	var rendered []string
	for _, i := range order {
		t := byIndex[i]
		if !seenKey[i] {
			p.problems = append(p.problems, stsrules.Missing{Member: fmt.Sprintf("tags.%d.member.key", i)})
		} else {
			p.add(at(stsrules.TagKey.CheckAll(t.key), fmt.Sprintf("tags.%d.member.key", i))...)
		}
		if !seenValue[i] {
			p.problems = append(p.problems, stsrules.Missing{Member: fmt.Sprintf("tags.%d.member.value", i)})
		} else {
			p.add(at(stsrules.TagValue.CheckAll(t.value), fmt.Sprintf("tags.%d.member.value", i))...)
		}
		tags = append(tags, *t)
		rendered = append(rendered, fmt.Sprintf("Tag(key=%s, value=%s)", t.key, t.value))
	}
	p.add(stsrules.TooMany("tags", rendered, stsrules.MaxTags))
	return tags
}

// transitiveTagKeys reads TransitiveTagKeys: at most fifty tag keys.
func (p *paramReader) transitiveTagKeys() []string {
	var keys []string
	for _, it := range p.list("TransitiveTagKeys", "") {
		p.add(at(stsrules.TagKey.CheckAll(it.value), fmt.Sprintf("transitiveTagKeys.%d.member", it.index))...)
		keys = append(keys, it.value)
	}
	p.add(stsrules.TooMany("transitiveTagKeys", keys, stsrules.MaxTransitiveTagKeys))
	return keys
}
