package main

import (
	"context"

	"github.com/awssession/awssession"
)

// profileMFAProcess returns the mfa_process (aws-vault's key: a command
// that prints the MFA code) of the profile in profile's source_profile
// chain that names the mfa_serial, else of profile itself; "" when there
// is none or the files cannot be read (CreateSession then reports why).
// The library plans the chain (also one on a base whose keys are in the
// keyring, which the SDK's parser refuses) and reads the key with the
// shared files, through its checked read.
func (c *cli) profileMFAProcess(ctx context.Context, profile string) string {
	plan, err := awssession.Explain(ctx, awssession.WithEnvironment(c.environ), awssession.WithProfile(profile),
		awssession.WithProfileSource(c.keyringSource), awssession.WithProfileMFA(noCodes))
	if err != nil {
		return ""
	}
	return plan.MFAProcess
}
