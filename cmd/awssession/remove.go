package main

import (
	"context"
	"strings"

	"github.com/awssession/awssession"
	"github.com/spf13/cobra"
)

func (c *cli) removeCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "remove PROFILE",
		Short: "Remove a profile's keys and TOTP seed from the keyring, and its cached sessions",
		Long: `Remove PROFILE's long-term keys and TOTP seed from the keyring, and drop the
cached sessions built on them (of PROFILE and of every profile whose
source_profile chain ends in it). The keys stay valid in IAM: deactivate or
delete them there if they should no longer work.`,
		Example: `  awssession remove dev`,
		Args:    profileArg,
		RunE: c.action(func(cmd *cobra.Command, args []string) error {
			profile := args[0]
			kr, err := c.openKeyring()
			if err != nil {
				return err
			}
			// The cache keys depend on the keys being in the keyring:
			// find them first.
			drop := c.sessionsOn(cmd.Context(), profile)
			removed, err := kr.Remove(profile)
			if err != nil {
				return err
			}
			c.notef("removed the %s of profile %s from the keyring (%s)", strings.Join(removed, " and "), profile, kr.Backend())
			c.dropSessions(cmd.Context(), drop)
			return nil
		}),
	}
}

// cachedLayers are the cache entries of sessions built on a profile's
// keys.
type cachedLayers struct {
	cache *awssession.FileCache
	keys  []string
}

// sessionsOn finds the cached sessions of every profile whose chain's
// base is profile (profile itself included). Errors only mean less to
// drop: the sessions expire on their own.
func (c *cli) sessionsOn(ctx context.Context, profile string) cachedLayers {
	cache, err := c.fileCache("")
	if err != nil {
		return cachedLayers{}
	}
	names, _ := c.profileNames()
	out := cachedLayers{cache: cache}
	for _, name := range uniqueSorted(append(names, profile)) {
		plan, err := c.profilePlan(ctx, cache, name)
		if err != nil || plan.BaseProfile != profile {
			continue
		}
		for _, l := range plan.Layers {
			if l.Cached && l.CacheKey != "" {
				out.keys = append(out.keys, l.CacheKey)
			}
		}
	}
	return out
}

// dropSessions deletes the cache entries found by sessionsOn.
func (c *cli) dropSessions(ctx context.Context, l cachedLayers) {
	n := 0
	for _, k := range l.keys {
		if err := l.cache.Delete(ctx, k); err == nil {
			n++
		}
	}
	if n > 0 {
		c.notef("dropped %d cached session(s) built on them", n)
	}
}
