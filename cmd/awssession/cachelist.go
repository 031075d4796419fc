package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/awssession/awssession"
	"github.com/spf13/cobra"
)

// cachedEntry describes one file of the credential cache, never its
// secrets.
type cachedEntry struct {
	Key string `json:"key"`
	// Kind is the key's prefix: "role" (an AssumeRole hop), "session" (an
	// MFA session, GetSessionToken) or "mfa" (the last MFA code used for
	// a device, as a hash).
	Kind string `json:"kind"`
	// HandedOutUntil is when a session hands the entry's credentials out
	// until (role, session): the time explain and list show, a little
	// before STSExpiration, when STS ends them.
	HandedOutUntil *time.Time `json:"handedOutUntil,omitempty"`
	STSExpiration  *time.Time `json:"stsExpiration,omitempty"`
	// Expired reports an entry no session hands out any more.
	Expired bool `json:"expired"`
	// UsedAt is when the last code was sent (mfa).
	UsedAt    *time.Time `json:"usedAt,omitempty"`
	AccountID string     `json:"accountId,omitempty"`
	// Sessions names the layer in the default session of each profile
	// that uses it: `dev: role arn:aws:iam::…` or `dev: MFA session`.
	// Sessions built from flags are not named.
	Sessions []string `json:"sessions,omitempty"`
}

// entryFields are the fields of a cache entry that cache list shows: the
// JSON decoder leaves the keys and tokens alone.
type entryFields struct {
	Expiration time.Time `json:"expiration"`
	UsedAt     time.Time `json:"usedAt"`
	AccountID  string    `json:"accountId"`
}

func (c *cli) cacheListCmd(dir *string) *cobra.Command {
	var out outputFlags
	cmd := &cobra.Command{
		Use:   "list",
		Short: "List the cached sessions: key, kind, when each is handed out until, the profiles using each (never a secret)",
		Args:  noArgs,
		RunE: c.action(func(cmd *cobra.Command, _ []string) error {
			asJSON, err := out.asJSON(cmd)
			if err != nil {
				return err
			}
			path, err := c.cacheDirPath(*dir)
			if err != nil {
				return err
			}
			entries, err := c.cachedEntries(cmd, path)
			if err != nil {
				return err
			}
			if asJSON {
				return printJSON(c.stdout, entries)
			}
			if len(entries) == 0 {
				c.notef("nothing cached in %s", path)
				return nil
			}
			return writeCachedEntries(c.stdout, entries)
		}),
	}
	out.register(cmd, textOrJSON, " (json: an array of the entries, with STS's own expiry too)")
	return cmd
}

// cachedEntries reads the entries of the cache in dir, without creating
// it, sorted by kind and key.
func (c *cli) cachedEntries(cmd *cobra.Command, dir string) ([]cachedEntry, error) {
	files, err := os.ReadDir(dir)
	if os.IsNotExist(err) {
		return []cachedEntry{}, nil
	} else if err != nil {
		return nil, fmt.Errorf("credential cache: %w", err)
	}
	cache, err := awssession.NewFileCache(dir) // exists: it was just read
	if err != nil {
		return nil, err
	}
	sessions, err := c.sessionsByKey(cmd.Context(), cache)
	if err != nil {
		return nil, err
	}
	entries := []cachedEntry{}
	now := time.Now()
	for _, f := range files {
		key, ok := strings.CutSuffix(f.Name(), ".json")
		if !ok || !f.Type().IsRegular() {
			continue
		}
		kind, _, _ := strings.Cut(key, "-")
		e := cachedEntry{Key: key, Kind: kind, Sessions: sessions[key]}
		var fields entryFields
		// Read as sessions read entries: not through a link, not from a
		// FIFO, not more than an entry holds.
		if b, err := cache.Get(cmd.Context(), key); err == nil && json.Unmarshal(b, &fields) == nil {
			e.AccountID = fields.AccountID
			if !fields.Expiration.IsZero() {
				exp, until := fields.Expiration.UTC(), awssession.HandedOutUntil(fields.Expiration).UTC()
				e.STSExpiration, e.HandedOutUntil, e.Expired = &exp, &until, !now.Before(until)
			}
			if !fields.UsedAt.IsZero() {
				used := fields.UsedAt.UTC()
				e.UsedAt = &used
			}
		}
		entries = append(entries, e)
	}
	slices.SortFunc(entries, func(a, b cachedEntry) int {
		return strings.Compare(a.Kind+" "+a.Key, b.Kind+" "+b.Key)
	})
	return entries, nil
}

// sessionsByKey maps the cache keys of each profile's default session (as
// list plans it) to the layers they hold. Profiles that cannot be planned
// are left out; shared files that cannot be read are an error.
func (c *cli) sessionsByKey(ctx context.Context, cache *awssession.FileCache) (map[string][]string, error) {
	names, err := c.profileNames()
	if err != nil {
		return nil, fmt.Errorf("read the shared files: %w", err)
	}
	plans, err := c.profilePlans(ctx, cache, names)
	if err != nil {
		return nil, err
	}
	out := map[string][]string{}
	for _, p := range plans {
		for _, l := range p.Plan.Layers {
			what := "MFA session"
			if l.Kind == awssession.LayerAssumeRole {
				what = "role " + l.RoleARN
			}
			out[l.CacheKey] = append(out[l.CacheKey], p.Profile+": "+what)
		}
	}
	return out, nil
}

func writeCachedEntries(w io.Writer, entries []cachedEntry) error {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "KIND\tKEY\tHANDED OUT UNTIL / CODE USED\tACCOUNT\tSESSIONS")
	for _, e := range entries {
		when := "-"
		switch {
		case e.HandedOutUntil != nil:
			when = handedOutText(*e.HandedOutUntil)
		case e.UsedAt != nil:
			when = "code used " + e.UsedAt.Local().Format(time.DateTime)
		}
		sessions := make([]string, len(e.Sessions))
		for i, s := range e.Sessions {
			sessions[i] = safeName(s)
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", safeName(e.Kind), safeName(e.Key), when, safeName(firstNonEmpty(e.AccountID, "-")),
			firstNonEmpty(strings.Join(sessions, "; "), "-"))
	}
	return tw.Flush()
}
