package main

import (
	"context"

	"github.com/awssession/awssession"
	"gopkg.in/ini.v1"
)

// profileMFAProcess returns the mfa_process (aws-vault's key: a command
// that prints the MFA code) of the profile in profile's source_profile
// chain that names the mfa_serial, else of profile itself; "" when there
// is none or the files cannot be read (CreateSession then reports why).
// The SDK's parser walks the chain and stays the authority for every key
// it knows; it does not expose unknown keys, so mfa_process is read from
// the same config file with an INI parser.
func (c *cli) profileMFAProcess(ctx context.Context, profile string) string {
	// The library plans the chain (also one on a base whose keys are in
	// the keyring, which the SDK's parser refuses): the hop that sends
	// the code names its profile; an MFA session at the base is the base
	// profile's device.
	plan, err := awssession.Explain(ctx, awssession.WithEnvironment(c.environ), awssession.WithProfile(profile),
		awssession.WithProfileSource(c.keyringSource), awssession.WithProfileMFA(noCodes))
	if err != nil {
		return ""
	}
	name := profile
	for _, l := range plan.Layers {
		if l.MFASerial != "" {
			name = firstNonEmpty(l.Profile, plan.BaseProfile)
			break
		}
	}
	file, _ := c.sharedFilePaths()
	f, err := ini.LoadSources(ini.LoadOptions{Loose: true, AllowNestedValues: true, InsensitiveKeys: true}, file)
	if err != nil {
		return ""
	}
	// As in the SDK: [default] or [profile default], [profile NAME].
	sections := []string{"profile " + name}
	if name == "default" {
		sections = append(sections, "default")
	}
	for _, section := range sections {
		if s, err := f.GetSection(section); err == nil && s.HasKey("mfa_process") {
			return s.Key("mfa_process").String()
		}
	}
	return ""
}
