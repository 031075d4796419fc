package main

import (
	"context"

	"github.com/awssession/awssession"
)

// profileNames lists the profiles of the shared config and credentials
// files the run's environment names, through the library's checked read
// (the library plans each profile from the SDK's parser, see
// profilePlan).
func (c *cli) profileNames() ([]string, error) {
	return awssession.Profiles(context.Background(), awssession.WithEnvironment(c.environ))
}

// sharedFilePaths are the shared config and credentials files of the
// run's environment, as the library names them: the files a command that
// writes a profile edits.
func (c *cli) sharedFilePaths() (configFile, credsFile string) {
	config, creds := awssession.SharedFiles(awssession.WithEnvironment(c.environ))
	return firstOf(config), firstOf(creds)
}

// firstOf is a list's first entry, "" for none.
func firstOf(list []string) string {
	if len(list) == 0 {
		return ""
	}
	return list[0]
}

// profilePlan is the plan of the session "--profile profile" builds by
// default (the keyring as its base's source where it holds the keys, an
// MFA session under MFA roles), with the cache: its layers say which are
// cached, until when, and under which keys.
func (c *cli) profilePlan(ctx context.Context, cache *awssession.FileCache, profile string) (awssession.Plan, error) {
	return awssession.Explain(ctx, awssession.WithEnvironment(c.environ), awssession.WithProfile(profile), awssession.WithCache(cache),
		awssession.WithProfileSource(c.keyringSource), awssession.WithProfileMFA(noCodes), awssession.WithDefaultMFASession(0))
}
