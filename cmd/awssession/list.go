package main

import (
	"fmt"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/awssession/awssession"
	"github.com/awssession/awssession/internal/keyring"
	"github.com/spf13/cobra"
)

func (c *cli) listCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "list",
		Short: "List profiles, where their keys live, and their cached sessions",
		Long: `List every profile of the shared config and credentials files and every
profile the keyring holds items for: where its long-term keys live (keyring,
credentials file, or none: a role profile, SSO, a credential_process, ...),
whether the keyring holds a TOTP seed for it, and the sessions the cache
holds for it by default, with their expiry. No secret is shown, and the
file backend needs no passphrase for it.`,
		Args: noArgs,
		RunE: c.action(func(cmd *cobra.Command, _ []string) error {
			names, err := c.profileNames()
			if err != nil {
				return fmt.Errorf("read the shared files: %w", err)
			}
			kr, err := c.openKeyring()
			if err != nil {
				return err
			}
			held, err := kr.Profiles()
			if err != nil {
				return err
			}
			byName := map[string]keyring.Held{}
			for _, h := range held {
				if _, ok := byName[h.Profile]; !ok {
					names = append(names, h.Profile)
				}
				byName[h.Profile] = h
			}
			names = uniqueSorted(names)
			cache, err := c.fileCache("")
			if err != nil {
				return err
			}
			w := tabwriter.NewWriter(c.stdout, 0, 4, 2, ' ', 0)
			fmt.Fprintln(w, "PROFILE\tKEYS\tTOTP SEED\tCACHED SESSIONS")
			for _, name := range names {
				h := byName[name]
				keys, seed := "none", "-"
				switch {
				case h.Keys:
					keys = "keyring (" + kr.Backend() + ")"
				case c.profileHasKeys(cmd.Context(), name):
					keys = "credentials file"
				}
				if h.TOTPSeed {
					seed = "keyring"
				}
				fmt.Fprintf(w, "%s\t%s\t%s\t%s\n", name, keys, seed, c.cachedSessions(cmd, cache, name))
			}
			return w.Flush()
		}),
	}
}

// cachedSessions describes the cached layers of profile's default
// session, e.g. "AssumeRole until 2026-11-30 21:04 UTC", or "-".
func (c *cli) cachedSessions(cmd *cobra.Command, cache *awssession.FileCache, profile string) string {
	plan, err := c.profilePlan(cmd.Context(), cache, profile)
	if err != nil {
		return "-"
	}
	var parts []string
	for _, l := range plan.Layers {
		if l.Cached {
			parts = append(parts, fmt.Sprintf("%s until %s", l.Kind, l.Expires.UTC().Format(time.DateTime+" UTC")))
		}
	}
	if len(parts) == 0 {
		return "-"
	}
	return strings.Join(parts, ", ")
}

func uniqueSorted(names []string) []string {
	slices.Sort(names)
	return slices.Compact(names)
}
