package main

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/config"
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
	sc, err := config.LoadSharedConfigProfile(ctx, profile, c.sharedConfigFiles)
	if err != nil {
		return ""
	}
	name := profile
	for p, depth := &sc, 0; p != nil && depth < 16; p, depth = p.Source, depth+1 {
		if p.MFASerial != "" {
			name = p.Profile
			break
		}
	}
	file := c.getenv("AWS_CONFIG_FILE")
	if file == "" {
		file = config.DefaultSharedConfigFilename()
	}
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
