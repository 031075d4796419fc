package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"unicode"
	"unicode/utf16"
	"unicode/utf8"
)

// maxErrorText is how much of untrusted text prints. STS (or anything
// claiming to be it at --sts-endpoint) chooses its error messages, and
// anyone who can write a shared file its section names; a 5 MB message
// is not a diagnosis, nor a name.
const maxErrorText = 1 << 10

// terminalText makes untrusted text (an error message, a name read from
// the shared files, the keyring, the cache or STS) safe for a terminal:
// every character a terminal acts on or that hides or reorders the text
// around it is escaped, as is invalid UTF-8 (see escapeTerminal), and the
// text is cut at maxErrorText bytes with a marker that says how much was
// left out. It is the one rule for what reaches a terminal; safeName and
// printJSON build on it.
func terminalText(s string) string {
	return escapeTerminal(s, false)
}

// safeName is a name read from a file, the keyring or STS (a profile, a
// role ARN, a cache key) as list, cache list, explain and whoami print
// it: as it is when it holds nothing terminalText would escape, else
// double-quoted with Go's escapes ("a\x1b]0;b"), so that the escaped form
// is never mistaken for a name.
func safeName(s string) string {
	if isTerminalSafe(s) && !strings.ContainsAny(s, `"\`) {
		return s
	}
	return `"` + escapeTerminal(s, true) + `"`
}

// isTerminalSafe reports whether s prints as it is: nothing in it is
// escaped by terminalText (shell completion offers only such names: an
// escaped one would complete to another name).
func isTerminalSafe(s string) bool {
	if len(s) > maxErrorText {
		return false
	}
	for i, r := range s {
		if r == utf8.RuneError && !strings.HasPrefix(s[i:], "\uFFFD") || unsafeRune(r) {
			return false
		}
	}
	return true
}

// unsafeRune reports the characters terminalText escapes: controls (C0,
// C1, DEL), format characters (bidirectional overrides and isolates,
// zero-width marks), line and paragraph separators, spaces other than
// the ASCII one, private-use and unassigned code points: what a terminal
// may act on, or what shows one text as another.
func unsafeRune(r rune) bool {
	return !unicode.IsPrint(r)
}

// escapeTerminal escapes s (see terminalText); with quoted, also '"' and
// '\', for a double-quoted form.
func escapeTerminal(s string, quoted bool) string {
	var b strings.Builder
	for i := 0; i < len(s); {
		if b.Len() >= maxErrorText {
			fmt.Fprintf(&b, "… [%d more bytes not shown]", len(s)-i)
			break
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			fmt.Fprintf(&b, `\x%02x`, s[i])
		case quoted && (r == '"' || r == '\\'):
			b.WriteByte('\\')
			b.WriteRune(r)
		case !unsafeRune(r):
			b.WriteString(s[i : i+size])
		case r < 0x100:
			fmt.Fprintf(&b, `\x%02x`, r)
		case r < 0x10000:
			fmt.Fprintf(&b, `\u%04x`, r)
		default:
			fmt.Fprintf(&b, `\U%08x`, r)
		}
		i += size
	}
	return b.String()
}

// printJSON writes v as indented JSON whose strings hold no character a
// terminal acts on: encoding/json escapes C0 controls but not C1 ones
// (U+009B is CSI to many terminals) nor bidirectional overrides, which
// are escaped here as \uXXXX (still the same JSON value).
func printJSON(w io.Writer, v any) error {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetIndent("", "  ")
	if err := enc.Encode(v); err != nil {
		return err
	}
	var b strings.Builder
	for _, r := range buf.String() { // encoding/json wrote valid UTF-8
		switch {
		case r == '\n' || !unsafeRune(r):
			b.WriteRune(r)
		case r < 0x10000:
			fmt.Fprintf(&b, `\u%04x`, r)
		default:
			r1, r2 := utf16.EncodeRune(r)
			fmt.Fprintf(&b, `\u%04x\u%04x`, r1, r2)
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}
