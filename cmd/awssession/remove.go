package main

import (
	"context"
	"fmt"
	"strings"

	"github.com/awssession/awssession"
	"github.com/awssession/awssession/internal/keyring"
	"github.com/spf13/cobra"
)

func (c *cli) removeCmd() *cobra.Command {
	var force bool
	cmd := &cobra.Command{
		Use:   "remove PROFILE",
		Short: "Remove a profile's keys and TOTP seed from the keyring, and its cached sessions",
		Long: `Remove PROFILE's long-term keys and TOTP seed from the keyring. No session
built on those keys is served from the cache afterwards (with any flags:
--role-arn, --session-token-duration), and the cached sessions of PROFILE's
profiles are deleted. The keys stay valid in IAM: deactivate or delete them
there if they should no longer work.

On a terminal, remove asks before it deletes anything; --force removes
without asking, as scripts need (without a terminal, remove refuses unless
--force is given).`,
		Example: `  awssession remove dev
  awssession remove dev --force`,
		Args: profileArg,
		RunE: c.action(func(cmd *cobra.Command, args []string) error {
			profile := args[0]
			kr, err := c.openKeyring()
			if err != nil {
				return err
			}
			held, err := kr.Profiles()
			if err != nil {
				return err
			}
			what := heldItems(held, profile)
			if len(what) == 0 {
				_, err := kr.Remove(profile) // the keyring's own "not in the keyring" error
				return err
			}
			// The cache keys depend on the keys being in the keyring:
			// find them first, and before asking.
			drop, err := c.sessionsOn(cmd.Context(), profile)
			if err != nil {
				return err
			}
			if !force {
				question := fmt.Sprintf("Remove the %s of profile %s from the keyring (%s)?", strings.Join(what, " and "), profile, kr.Backend())
				switch yes, ok, err := c.confirm(cmd.Context(), question); {
				case err != nil:
					return err
				case !ok:
					return usageErrorf(cmd, "no terminal to ask on before removing the %s of profile %s: --force removes without asking",
						strings.Join(what, " and "), profile)
				case !yes:
					c.notef("kept the %s of profile %s", strings.Join(what, " and "), profile)
					return nil
				}
			}
			removed, err := kr.Remove(profile)
			if err != nil {
				return err
			}
			c.notef("removed the %s of profile %s from the keyring (%s)", strings.Join(removed, " and "), profile, kr.Backend())
			if n := c.dropSessions(cmd.Context(), drop); n > 0 {
				c.notef("dropped %d cached session(s) built on them", n)
			}
			return nil
		}),
	}
	cmd.Flags().BoolVar(&force, "force", false, "remove without asking")
	return cmd
}

// heldItems names what the keyring holds for profile.
func heldItems(held []keyring.Held, profile string) []string {
	var what []string
	for _, h := range held {
		if h.Profile != profile {
			continue
		}
		if h.Keys {
			what = append(what, "keys")
		}
		if h.TOTPSeed {
			what = append(what, "TOTP seed")
		}
	}
	return what
}

// cachedLayers are the cache entries of sessions built on a profile's
// keys.
type cachedLayers struct {
	cache *awssession.FileCache
	keys  []string
}

// sessionsOn finds the cached sessions of every profile whose chain's
// base is profile (profile itself included). Shared files that cannot be
// read are an error; otherwise errors only mean less to drop: the
// sessions expire on their own.
func (c *cli) sessionsOn(ctx context.Context, profile string) (cachedLayers, error) {
	return c.sessionsWhere(ctx, []string{profile}, func(p awssession.Plan) bool { return p.BaseProfile == profile })
}

// sessionsWhere finds the cached layers of the default session of every
// profile (of the shared files, and extra) whose plan keep accepts.
func (c *cli) sessionsWhere(ctx context.Context, extra []string, keep func(awssession.Plan) bool) (cachedLayers, error) {
	names, err := c.profileNames()
	if err != nil {
		return cachedLayers{}, fmt.Errorf("read the shared files: %w", err)
	}
	cache, err := c.fileCache("")
	if err != nil {
		return cachedLayers{}, nil
	}
	plans, err := c.profilePlans(ctx, cache, uniqueSorted(append(names, extra...)))
	if err != nil {
		return cachedLayers{}, err
	}
	out := cachedLayers{cache: cache}
	for _, p := range plans {
		if p.Err != nil || !keep(p.Plan) {
			continue
		}
		for _, l := range p.Plan.Layers {
			if l.Cached && l.CacheKey != "" {
				out.keys = append(out.keys, l.CacheKey)
			}
		}
	}
	return out, nil
}

// dropSessions deletes the cache entries found by sessionsWhere and
// returns how many went.
func (c *cli) dropSessions(ctx context.Context, l cachedLayers) int {
	n := 0
	for _, k := range l.keys {
		if err := l.cache.Delete(ctx, k); err == nil {
			n++
		}
	}
	return n
}
