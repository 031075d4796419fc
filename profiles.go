package awssession

import (
	"context"
	"errors"
	"io/fs"
	"slices"
	"strings"

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
	o := collect(opts)
	s := &snapshot{getenv: o.world.getenv}
	if h, err := o.world.home(); err == nil {
		s.home = h
	}
	files := o.sharedFiles(s)
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
