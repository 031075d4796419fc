package main

import (
	"context"
	"sort"
	"strings"

	"github.com/awssession/awssession"
	"gopkg.in/ini.v1"
)

// profileNames lists the profiles of the shared config and credentials
// files the run's environment names (section names only: the library
// plans each profile from the SDK's parser, see profilePlan).
func (c *cli) profileNames() ([]string, error) {
	configFile, credsFile := c.sharedFilePaths()
	seen := map[string]bool{}
	for _, file := range []struct {
		path   string
		config bool
	}{{configFile, true}, {credsFile, false}} {
		f, err := ini.LoadSources(ini.LoadOptions{Loose: true, Insensitive: false, AllowNonUniqueSections: true, SkipUnrecognizableLines: true}, file.path)
		if err != nil {
			return nil, err
		}
		for _, name := range f.SectionStrings() {
			name = strings.TrimSpace(name)
			switch {
			case name == ini.DefaultSection:
				continue
			case file.config && name != "default":
				p, ok := strings.CutPrefix(name, "profile ")
				if !ok {
					continue // sso-session, services
				}
				name = strings.TrimSpace(p)
			}
			seen[name] = true
		}
	}
	names := make([]string, 0, len(seen))
	for n := range seen {
		names = append(names, n)
	}
	sort.Strings(names)
	return names, nil
}

// profilePlan is the plan of the session "--profile profile" builds by
// default (the keyring as its base's source where it holds the keys, an
// MFA session under MFA roles), with the cache: its layers say which are
// cached, until when, and under which keys.
func (c *cli) profilePlan(ctx context.Context, cache *awssession.FileCache, profile string) (awssession.Plan, error) {
	return awssession.Explain(ctx, awssession.WithEnvironment(c.environ), awssession.WithProfile(profile), awssession.WithCache(cache),
		awssession.WithProfileSource(c.keyringSource), awssession.WithProfileMFA(noCodes), awssession.WithDefaultMFASession(0))
}
