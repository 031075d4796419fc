package awssession

import (
	"context"
	"errors"
	"io/fs"
	"path/filepath"
	"slices"
	"strings"

	"github.com/awssession/awssession/internal/safefile"
	"gopkg.in/ini.v1"
)

// Profiles lists the profiles of the shared files a session with opts
// would read ([WithSharedConfigFiles], AWS_CONFIG_FILE and
// AWS_SHARED_CREDENTIALS_FILE in [WithEnvironment]'s environment, or the
// defaults), sorted: the names a command line completes and suggests. The
// files are read through the same checks as a session's (a FIFO or
// /dev/zero is refused, naming the file); the SDK's parser stays the one
// reader of every profile's settings.
func Profiles(ctx context.Context, opts ...Option) ([]string, error) {
	config, credentials := SharedFiles(opts...)
	files := sharedFiles{config: config, credentials: credentials}
	var names []string
	for _, f := range []struct {
		paths  []string
		config bool
	}{{files.config, true}, {files.credentials, false}} {
		for _, path := range f.paths {
			sections, err := readSections(path)
			if err != nil {
				return nil, err
			}
			for _, sec := range sections {
				if name, ok := profileOfSection(sec.Name(), f.config); ok {
					names = append(names, name)
				}
			}
		}
	}
	slices.Sort(names)
	return slices.Compact(names), nil
}

// SharedFiles names the shared config and credentials files a session
// with opts reads: [WithSharedConfigFiles]', else AWS_CONFIG_FILE and
// AWS_SHARED_CREDENTIALS_FILE of [WithEnvironment]'s environment, else
// ~/.aws/config and ~/.aws/credentials. A program that edits them (writes a
// profile) edits these.
func SharedFiles(opts ...Option) (config, credentials []string) {
	o := collect(opts)
	s := &snapshot{getenv: o.world.getenv}
	if h, err := o.world.home(); err == nil {
		s.home = h
	}
	f := o.sharedFiles(s)
	return f.config, f.credentials
}

// profileOfSection is the profile a section holds, as the SDK names
// them: [profile NAME] and [default] in the config file, [NAME] in the
// credentials file.
func profileOfSection(section string, configFile bool) (string, bool) {
	section = strings.TrimSpace(section)
	switch {
	case section == ini.DefaultSection:
		return "", false
	case !configFile || section == "default":
		return section, true
	}
	name, ok := strings.CutPrefix(section, "profile ")
	return strings.TrimSpace(name), ok // [sso-session …] and [services …] are not profiles
}

// readSections reads a shared file's sections through the checked read;
// a missing file has none.
func readSections(path string) ([]*ini.Section, error) {
	b, err := readChecked(path, maxSharedFile)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return nil, nil
	case err != nil:
		return nil, err
	}
	return parseSections(path, b)
}

// parseSections splits the content b of the shared file at path into
// sections.
func parseSections(path string, b []byte) ([]*ini.Section, error) {
	f, err := ini.LoadSources(ini.LoadOptions{Loose: true, AllowNestedValues: true, InsensitiveKeys: true,
		AllowNonUniqueSections: true, SkipUnrecognizableLines: true}, b)
	if err != nil {
		return nil, invalid(namedAt(path), "%v", err)
	}
	return f.Sections(), nil
}

// mfaProcesses reads the mfa_process key (aws-vault's: a command that
// prints the MFA code) of the given profiles from the config files. The
// SDK's parser does not expose keys it does not know.
func mfaProcesses(files sharedFiles, profiles []string) (map[string]string, error) {
	if files.batch != nil {
		return files.batch.mfaProcesses(profiles), nil
	}
	out := map[string]string{}
	for _, path := range files.config {
		sections, err := readSections(path)
		if err != nil {
			return nil, err
		}
		addMFAProcesses(out, sections, func(name string) bool { return slices.Contains(profiles, name) })
	}
	return out, nil
}

// addMFAProcesses sets out[profile] to the mfa_process of each config file
// section whose profile wanted accepts; a later section wins.
func addMFAProcesses(out map[string]string, sections []*ini.Section, wanted func(profile string) bool) {
	for _, sec := range sections {
		name, ok := profileOfSection(sec.Name(), true)
		if ok && wanted(name) && sec.HasKey("mfa_process") {
			out[name] = sec.Key("mfa_process").String()
		}
	}
}

// sharedFiles are the shared config and credentials files a session reads.
type sharedFiles struct {
	config, credentials []string
	// batch, when set, holds these files as ExplainProfiles read them
	// once; the SDK's parser gets the sections a profile needs from it.
	batch *profileSet
}

// sharedFiles are the files the SDK would read: WithSharedConfigFiles',
// else the environment's (AWS_CONFIG_FILE, AWS_SHARED_CREDENTIALS_FILE), else
// the defaults under the home directory.
func (o *options) sharedFiles(s *snapshot) sharedFiles {
	var f sharedFiles
	if o.files != nil {
		f = *o.files
	}
	if f.config == nil {
		f.config = s.sharedFile("AWS_CONFIG_FILE", "config")
	}
	if f.credentials == nil {
		f.credentials = s.sharedFile("AWS_SHARED_CREDENTIALS_FILE", "credentials")
	}
	return f
}

// sharedFile returns the named environment variable's file, else the
// default under the home directory. def is "config" or "credentials".
func (s *snapshot) sharedFile(env, def string) []string {
	if p := s.getenv(env); p != "" {
		return []string{p}
	}
	if s.home == "" {
		return []string{}
	}
	return []string{filepath.Join(s.home, ".aws", def)}
}

// check refuses shared files that are not regular files before the SDK
// reads them (a FIFO blocks forever, /dev/zero never ends).
func (f sharedFiles) check() error {
	for _, list := range [][]string{f.config, f.credentials} {
		for _, p := range list {
			if err := checkSharedFile(p); err != nil {
				return err
			}
		}
	}
	return nil
}

// maxSharedFile caps the shared config and credentials files: the SDK
// reads a file whole before parsing it, and real ones are a few KiB.
const maxSharedFile = 10 << 20

// checkSharedFile returns an [*InputError] naming path unless it is a
// regular file of at most maxSharedFile bytes, or missing (the SDK then
// goes on without it), or the null device (AWS_CONFIG_FILE=/dev/null is
// the usual way to say "no config"): the checks of safefile, the one
// checked read of every file a session, or a command, hands to a parser.
func checkSharedFile(path string) error {
	_, err := safefile.Check(path, maxSharedFile)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	return fileError(err)
}

// readChecked reads a file through safefile; a missing file is an error
// matching fs.ErrNotExist, a refused one an [*InputError] naming it.
func readChecked(path string, max int64) ([]byte, error) {
	b, err := safefile.Read(path, max)
	return b, fileError(err)
}

// fileError turns safefile's refusal into an input error naming the file.
func fileError(err error) error {
	if err == nil {
		return nil
	}
	var e *safefile.Error
	if errors.As(err, &e) {
		return invalid(namedAt(e.Path), "%s; it would be read as an AWS file", e.Problem)
	}
	return err
}
