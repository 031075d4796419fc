package main

import (
	"slices"
	"strings"

	"github.com/spf13/cobra"
)

// completeProfiles adds shell completion of profile names (cobra's
// completion command serves bash, zsh, fish and PowerShell) to every
// command under root: the value of --profile, and the first argument of
// the commands that take a PROFILE ("env [PROFILE]", "remove PROFILE").
// The names come from the shared config and credentials files of the
// run's environment, read when the shell asks, so a profile added a
// moment ago completes.
func (c *cli) completeProfiles(root *cobra.Command) {
	for _, cmd := range root.Commands() {
		if cmd.Flags().Lookup("profile") != nil {
			_ = cmd.RegisterFlagCompletionFunc("profile", c.profileCompletions)
		}
		if cmd.ValidArgsFunction == nil && slices.Contains(strings.Fields(strings.NewReplacer("[", "", "]", "").Replace(cmd.Use)), "PROFILE") {
			cmd.ValidArgsFunction = c.firstArgProfile
		}
		c.completeProfiles(cmd)
	}
}

// firstArgProfile completes a profile name as the first argument. After
// it, exec's command completes as files do; other commands take nothing.
func (c *cli) firstArgProfile(cmd *cobra.Command, args []string, toComplete string) ([]cobra.Completion, cobra.ShellCompDirective) {
	if len(args) > 0 {
		if cmd.Name() == "exec" {
			return nil, cobra.ShellCompDirectiveDefault
		}
		return nil, cobra.ShellCompDirectiveNoFileComp
	}
	return c.profileCompletions(cmd, args, toComplete)
}

// profileCompletions lists the profiles whose names start with
// toComplete. Unreadable shared files complete nothing: a shell's
// completion is no place for an error. Names with characters a terminal
// acts on (see terminalText) are left out: the shell would print them,
// and an escaped form would complete to another name.
func (c *cli) profileCompletions(_ *cobra.Command, _ []string, toComplete string) ([]cobra.Completion, cobra.ShellCompDirective) {
	names, err := c.profileNames()
	if err != nil {
		return nil, cobra.ShellCompDirectiveNoFileComp | cobra.ShellCompDirectiveError
	}
	var out []cobra.Completion
	for _, n := range names {
		if strings.HasPrefix(n, toComplete) && isTerminalSafe(n) {
			out = append(out, n)
		}
	}
	return out, cobra.ShellCompDirectiveNoFileComp
}
