package main

import (
	"slices"
	"time"

	"github.com/awssession/awssession/ststest"
	"github.com/spf13/cobra"
)

// signInFlags are sts-server's flags for IAM Identity Center and AWS
// Sign-In.
type signInFlags struct {
	autoApprove             string
	ssoTokenLifetime        time.Duration
	loginCredentialLifetime time.Duration
}

func (f *signInFlags) register(cmd *cobra.Command) {
	cmd.Flags().StringVar(&f.autoApprove, "auto-approve", "", "approve every sign-in at once as this user of the --users file")
	cmd.Flags().DurationVar(&f.ssoTokenLifetime, "sso-token-lifetime", time.Hour, "lifetime of refreshable IAM Identity Center access tokens")
	cmd.Flags().DurationVar(&f.loginCredentialLifetime, "login-credential-lifetime", 15*time.Minute, "lifetime of aws login credentials (1s to 15m)")
}

// options checks the flags against the users to create and returns the
// server options they set.
func (f *signInFlags) options(cmd *cobra.Command, spec usersFile) ([]ststest.ServerOption, error) {
	switch {
	case f.autoApprove != "" && !slices.ContainsFunc(spec.Users, func(u userSpec) bool { return u.Name == f.autoApprove }):
		return nil, usageErrorf(cmd, "--auto-approve %q: not a user the server creates (see --users)", f.autoApprove)
	case f.ssoTokenLifetime < time.Second:
		return nil, usageErrorf(cmd, "--sso-token-lifetime %v: want at least 1s", f.ssoTokenLifetime)
	case f.loginCredentialLifetime < time.Second || f.loginCredentialLifetime > 15*time.Minute:
		return nil, usageErrorf(cmd, "--login-credential-lifetime %v: want 1s to 15m", f.loginCredentialLifetime)
	}
	opts := []ststest.ServerOption{ststest.WithSSOTokenLifetime(f.ssoTokenLifetime),
		ststest.WithLoginCredentialLifetime(f.loginCredentialLifetime)}
	if f.autoApprove != "" {
		opts = append(opts, ststest.WithAutoApprove(f.autoApprove))
	}
	return opts, nil
}
