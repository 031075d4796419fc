package main

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// maxErrorText is how much of an error report prints. STS (or anything
// claiming to be it at --sts-endpoint) chooses its error messages; a 5 MB
// message is not a diagnosis.
const maxErrorText = 1 << 10

// flagNames are library fields that the command line fills from a flag
// (or its variable): errors name the flag the user typed, not the Go
// option.
var flagNames = strings.NewReplacer(
	"WithStaticCredentials.AccessKeyID", "--access-key/$"+envAccessKey,
	"WithStaticCredentials.SecretAccessKey", "--secret-key/$"+envSecretKey,
	"WithStaticCredentials.SessionToken", "--session-token/$"+envSessionToken,
)

// terminalText makes an error message safe and short for a terminal: the
// library's field names become flags, control characters (C0 and C1,
// DEL), bidirectional overrides and invalid UTF-8 are escaped (\x1b,
// \u202e), and the text is cut at maxErrorText bytes with a marker that
// says how much was left out.
func terminalText(s string) string {
	s = flagNames.Replace(s)
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
		case r < 0x100 && unicode.IsControl(r):
			fmt.Fprintf(&b, `\x%02x`, r)
		case isBidiControl(r):
			fmt.Fprintf(&b, `\u%04x`, r)
		default:
			b.WriteString(s[i : i+size])
		}
		i += size
	}
	return b.String()
}

// isBidiControl reports the Unicode characters that reorder the text
// around them (LRE…RLO, LRI…PDI, LRM, RLM, ALM): a message could show a
// path or an ARN other than the one it holds.
func isBidiControl(r rune) bool {
	return r >= 0x202a && r <= 0x202e || r >= 0x2066 && r <= 0x2069 || r == 0x200e || r == 0x200f || r == 0x061c
}
