// Package sdkfiles holds what planning many profiles needs of the SDK's
// shared-file parser (config v1.33.15), which reads only whole files by
// path: the sections of a file as that parser splits them, the sections it
// looked up in a parse, and scratch files to hand it a subset of a file.
package sdkfiles

import (
	"bytes"
	"errors"
	"strings"

	"github.com/aws/aws-sdk-go-v2/config"
)

// Sections splits a shared file into sections as the SDK's parser does
// (config/internal/ini of config v1.33.15, tokenize.go and strings.go): a
// line is a section header when, neither blank nor a comment, it is
// bracketed once cut at its first '#' or ';'; the lines after it, up to
// the next header, are the section's; lines before the first header
// belong to none. The parser reads each line on its own, so the lines of
// a section mean to it what they mean in the whole file. It returns the
// lines of each section (header included, each ending in a newline) by
// the name the parser reads in the header; a name given twice has both,
// in order, as the parser merges them.
func Sections(b []byte) map[string][]byte {
	out := map[string][]byte{}
	name, in := "", false
	for line := range bytes.Lines(b) {
		if h, ok := Header(strings.TrimSuffix(string(line), "\n")); ok {
			name, in = h, true
		}
		if in {
			out[name] = append(out[name], line...)
			if !bytes.HasSuffix(line, []byte("\n")) {
				out[name] = append(out[name], '\n')
			}
		}
	}
	return out
}

// Header returns the section name in line when the SDK's parser reads
// it as a header: "[ profile\tdev ] ; note" is "profile dev".
func Header(line string) (string, bool) {
	if strings.TrimSpace(line) == "" {
		return "", false
	}
	if t := strings.TrimLeft(line, " \t"); strings.HasPrefix(t, "#") || strings.HasPrefix(t, ";") {
		return "", false
	}
	h, _, _ := strings.Cut(line, "#")
	h, _, _ = strings.Cut(h, ";")
	h = strings.TrimSpace(h)
	if !strings.HasPrefix(h, "[") || !strings.HasSuffix(h, "]") {
		return "", false
	}
	typ, name := splitHeader(strings.TrimSpace(h[1 : len(h)-1]))
	if typ != "" {
		return typ + " " + name, true
	}
	return name, true
}

// splitHeader is the parser's splitProfile: the first word and the
// rest after the spaces or tabs that follow it.
func splitHeader(s string) (typ, name string) {
	first := 0
	for i, r := range s {
		switch {
		case r == ' ' || r == '\t':
			if first == 0 {
				first = i
			}
		case first != 0:
			return s[:first], s[i:]
		}
	}
	if first == 0 {
		return "", s
	}
	return "", ""
}

// LookedUp are the sections the SDK's parser looked up and could have
// missed in a parse that returned sc and err.
func LookedUp(sc config.SharedConfig, err error) []string {
	var out []string
	var missing config.SharedConfigProfileNotExistError
	switch {
	case errors.As(err, &missing):
		out = append(out, missing.Profile)
	case err != nil && strings.HasPrefix(err.Error(), ssoSessionMissing):
		out = append(out, "sso-session "+strings.TrimSpace(strings.TrimPrefix(err.Error(), ssoSessionMissing)))
	case err == nil:
		for c := &sc; c != nil; c = c.Source {
			out = append(out, c.Profile)
			if c.SourceProfileName != "" {
				out = append(out, c.SourceProfileName)
			}
			if c.SSOSessionName != "" {
				out = append(out, "sso-session "+strings.TrimSpace(c.SSOSessionName))
			}
			if c.ServicesSectionName != "" {
				out = append(out, "services "+c.ServicesSectionName)
			}
		}
	}
	return out
}

// ssoSessionMissing starts the SDK's error (in words only) for an
// sso_session whose section it did not find.
const ssoSessionMissing = "failed to find SSO session section, "
