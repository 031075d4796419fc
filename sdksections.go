package awssession

import (
	"bytes"
	"errors"
	"os"
	"strconv"
	"strings"

	"github.com/aws/aws-sdk-go-v2/config"
)

// sdkSections splits a shared file into sections as the SDK's parser does
// (config/internal/ini of config v1.33.15, tokenize.go and strings.go): a
// line is a section header when, neither blank nor a comment, it is
// bracketed once cut at its first '#' or ';'; the lines after it, up to
// the next header, are the section's; lines before the first header
// belong to none. The parser reads each line on its own, so the lines of
// a section mean to it what they mean in the whole file. It returns the
// lines of each section (header included, each ending in a newline) by
// the name the parser reads in the header; a name given twice has both,
// in order, as the parser merges them.
func sdkSections(b []byte) map[string][]byte {
	out := map[string][]byte{}
	name, in := "", false
	for line := range bytes.Lines(b) {
		if h, ok := sdkHeader(strings.TrimSuffix(string(line), "\n")); ok {
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

// sdkHeader returns the section name in line when the SDK's parser reads
// it as a header: "[ profile\tdev ] ; note" is "profile dev".
func sdkHeader(line string) (string, bool) {
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
	typ, name := sdkSplitHeader(strings.TrimSpace(h[1 : len(h)-1]))
	if typ != "" {
		return typ + " " + name, true
	}
	return name, true
}

// sdkSplitHeader is the parser's splitProfile: the first word and the
// rest after the spaces or tabs that follow it.
func sdkSplitHeader(s string) (typ, name string) {
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

// lookedUp are the sections the SDK's parser looked up and could have
// missed in a parse that returned sc and err.
func lookedUp(sc config.SharedConfig, err error) []string {
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

// scratchFile is a temporary file the SDK's parser reads. Where the
// system names open files (/dev/fd), it is removed at once and read
// through its descriptor, so a killed process leaves no copy of a
// credentials file behind.
type scratchFile struct {
	f    *os.File
	path string
	size int64
}

func newScratchFile() (*scratchFile, error) {
	f, err := os.CreateTemp("", "awssession-profiles-*")
	if err != nil {
		return nil, err
	}
	s := &scratchFile{f: f, path: f.Name()}
	alias := "/dev/fd/" + strconv.FormatUint(uint64(f.Fd()), 10)
	if err := s.set([]byte("[x]")); err != nil {
		s.close()
		return nil, err
	}
	if b, err := os.ReadFile(alias); err == nil && string(b) == "[x]" && os.Remove(f.Name()) == nil {
		s.path = alias
	}
	return s, nil
}

// put makes b the file's content and adds its path to paths, unless b is
// empty.
func (s *scratchFile) put(paths []string, b []byte) ([]string, error) {
	if len(b) == 0 {
		return paths, nil
	}
	return append(paths, s.path), s.set(b)
}

// set makes b the file's content, for a reader that opens it next (on
// some systems a reader of /dev/fd shares the file's offset). It never
// truncates the file to nothing: on ext4 the close of any descriptor of
// a file truncated to zero flushes it to disk, 40 µs a parse.
func (s *scratchFile) set(b []byte) error {
	if _, err := s.f.WriteAt(b, 0); err != nil {
		return err
	}
	if int64(len(b)) < s.size {
		if err := s.f.Truncate(int64(len(b))); err != nil {
			return err
		}
	}
	s.size = int64(len(b))
	_, err := s.f.Seek(0, 0)
	return err
}

func (s *scratchFile) close() {
	_ = s.f.Close()
	if s.path == s.f.Name() {
		_ = os.Remove(s.path)
	}
}
