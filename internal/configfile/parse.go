// Package configfile edits the AWS shared config file (~/.aws/config) the
// way a person would: it changes the lines it is asked to change and keeps
// every other line, comment and blank line byte for byte, line endings
// (LF or CRLF) included.
//
// It reads lines as the AWS SDK for Go v2 parser does (section headers,
// comments, properties, the indented sub-properties of the [services]
// form, continuation lines), so that what [File.Get] returns is what the
// SDK reads. It is not a general INI library: values it writes are single
// lines the SDK reads back unchanged, and anything else is refused.
//
// [Edit] changes a file on disk under a lock against other editors, with
// a checked read (a regular file of bounded size) and an atomic write.
package configfile

import (
	"strings"
)

// lineKind is what a line is to the SDK's parser.
type lineKind int

const (
	blankLine    lineKind = iota // empty or only spaces and tabs
	commentLine                  // # or ; after optional spaces
	headerLine                   // [name] or [type name], maybe indented, maybe with a comment
	propertyLine                 // key = value (or key: value), not indented
	indentedLine                 // a sub-property or a continuation of the property above
	otherLine                    // anything else; the SDK ignores it
)

// line is one line of the file: its text with its line ending, and what
// the parser made of it.
type line struct {
	raw  string // the bytes of the line, line ending included
	kind lineKind
	// section is the section name of a header ("profile dev", "default",
	// "sso-session corp"), as the SDK names it.
	section string
	// key and value of a property (key lower-cased, value unquoted, as the
	// SDK reads them).
	key, value string
}

// text is the line without its line ending.
func (l line) text() string {
	s := strings.TrimSuffix(l.raw, "\n")
	return strings.TrimSuffix(s, "\r")
}

// ending is the line's line ending: "\r\n", "\n" or "" (the last line of
// a file without a final newline).
func (l line) ending() string { return l.raw[len(l.text()):] }

// classify reads one line (without its ending) as the SDK's tokenizer
// does, in its order: blank, comment, header, property, indented.
func classify(raw string) line {
	l := line{raw: raw}
	s := l.text()
	switch {
	case strings.TrimSpace(s) == "":
		l.kind = blankLine
	case isComment(s):
		l.kind = commentLine
	case isHeader(s):
		l.kind = headerLine
		l.section, _ = headerName(s)
	case s[0] == ' ' || s[0] == '\t':
		// Comments stay in a sub-property's value, as in the SDK.
		l.kind = indentedLine
		l.key, l.value, _ = splitProperty(strings.TrimLeft(s, " \t"))
	default:
		k, v, ok := splitProperty(strings.TrimRight(trimPropertyComment(s), " \t"))
		if !ok {
			l.kind = otherLine
			break
		}
		l.kind, l.key, l.value = propertyLine, k, v
	}
	return l
}

func isHeader(s string) bool {
	_, ok := headerName(s)
	return ok
}

func isComment(s string) bool {
	t := strings.TrimLeft(s, " \t")
	return strings.HasPrefix(t, "#") || strings.HasPrefix(t, ";")
}

// headerName returns the section a header line names ("type name" with
// one space, or "name") and whether s is a header. As in the SDK, a header
// ends at the first # or ;, and the type is what precedes the first run of
// spaces or tabs.
func headerName(s string) (string, bool) {
	s, _, _ = strings.Cut(s, "#")
	s, _, _ = strings.Cut(s, ";")
	s = strings.TrimSpace(s)
	if len(s) < 2 || s[0] != '[' || s[len(s)-1] != ']' {
		return "", false
	}
	s = strings.TrimSpace(s[1 : len(s)-1])
	i := strings.IndexAny(s, " \t")
	if i < 0 {
		return s, true
	}
	return s[:i] + " " + strings.TrimLeft(s[i:], " \t"), true
}

// trimPropertyComment cuts an inline comment: # or ; after a space or
// tab.
func trimPropertyComment(s string) string {
	for _, sep := range []string{" #", " ;", "\t#", "\t;"} {
		s, _, _ = strings.Cut(s, sep)
	}
	return s
}

// splitProperty splits "key = value" at the first = (or at a : before
// it), lower-casing the key and unquoting the value as the SDK does.
func splitProperty(s string) (key, value string, ok bool) {
	eq, colon := strings.Index(s, "="), strings.Index(s, ":")
	sep := "="
	if eq == -1 || colon != -1 && colon < eq {
		sep = ":"
	}
	k, v, ok := strings.Cut(s, sep)
	if !ok {
		return "", "", false
	}
	v = strings.TrimSpace(v)
	if len(v) >= 2 && (v[0] == '"' && v[len(v)-1] == '"' || v[0] == '\'' && v[len(v)-1] == '\'') {
		v = v[1 : len(v)-1]
	}
	return strings.ToLower(strings.TrimSpace(k)), v, true
}

// splitLines splits b after each "\n", keeping the endings; the last line
// may have none.
func splitLines(b []byte) []line {
	s := string(b)
	var lines []line
	for s != "" {
		i := strings.IndexByte(s, '\n') + 1
		if i == 0 {
			i = len(s)
		}
		lines = append(lines, classify(s[:i]))
		s = s[i:]
	}
	return lines
}

// entry is a property of a section block as the SDK reads it: its line
// and the indented lines that belong to it (sub-properties of an empty
// value, or continuation lines of a value).
type entry struct {
	start, end int // lines [start, end)
	key        string
	value      string // continuation lines joined with "\n"; "" for sub-properties
	sub        map[string]string
}

// block is one [section] header and the lines up to the next header.
type block struct {
	name       string
	header     int // index of the header line
	contentEnd int // one past the last property, indented or unknown line; header+1 when none
	end        int // the next header, or the end of the file
	entries    []entry
}

// blocks reads the section blocks of lines. Lines before the first header
// belong to no section (the SDK ignores their properties).
func blocks(lines []line) []block {
	var out []block
	for i := 0; i < len(lines); i++ {
		if lines[i].kind != headerLine {
			continue
		}
		b := block{name: lines[i].section, header: i, contentEnd: i + 1, end: len(lines)}
		for j := i + 1; j < len(lines); j++ {
			if lines[j].kind == headerLine {
				b.end = j
				break
			}
		}
		b.entries = entries(lines, &b)
		out = append(out, b)
	}
	return out
}

// entries reads the properties of block b, as the SDK's parser does: an
// indented key = value is a sub-property of the property above it when
// that one's value is empty, else a property of its own; an indented line
// without = continues the value above.
func entries(lines []line, b *block) []entry {
	var es []entry
	for j := b.header + 1; j < b.end; j++ {
		l := lines[j]
		var cur *entry
		if len(es) > 0 {
			cur = &es[len(es)-1]
		}
		switch {
		case l.kind == propertyLine:
			es = append(es, entry{start: j, end: j + 1, key: l.key, value: l.value})
		case l.kind == indentedLine && l.key != "" && (cur == nil || cur.value != ""):
			// An orphaned sub-property: the SDK promotes it.
			es = append(es, entry{start: j, end: j + 1, key: l.key, value: strings.TrimSpace(trimPropertyComment(l.value))})
		case l.kind == indentedLine && cur != nil && l.key != "":
			if cur.sub == nil {
				cur.sub = map[string]string{}
			}
			cur.sub[l.key] = l.value
			cur.end = j + 1
		case l.kind == indentedLine && cur != nil:
			if cur.value != "" && cur.sub == nil {
				cur.value += "\n" + strings.TrimLeft(l.text(), " \t")
			}
			cur.end = j + 1
		case l.kind == blankLine, l.kind == commentLine:
			continue
		}
		b.contentEnd = j + 1
	}
	return es
}
