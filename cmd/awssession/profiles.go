package main

import (
	"context"

	"github.com/awssession/awssession"
)

// profileNames lists the profiles of the shared config and credentials
// files the run's environment names, read as sessions read them: a FIFO,
// /dev/zero or an oversized file is refused (an input error naming it).
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

// profilePlans are the plans of the sessions "--profile NAME" builds by
// default for each of names (the keyring as its base's source where it
// holds the keys, an MFA session under MFA roles), with the cache: their
// layers say which are cached, until when, and under which keys. The
// shared files are read once for all of them; the error is a refused
// shared file's.
func (c *cli) profilePlans(ctx context.Context, cache *awssession.FileCache, names []string) ([]awssession.ProfilePlan, error) {
	return awssession.ExplainProfiles(ctx, names, awssession.WithEnvironment(c.environ), awssession.WithCache(cache),
		awssession.WithProfileSource(c.keyringSource), awssession.WithProfileMFA(noCodes), awssession.WithDefaultMFASession(0))
}
