package main

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
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
	// STSExpiration is when STS ends the session (role, session).
	STSExpiration *time.Time `json:"stsExpiration,omitempty"`
	Expired       bool       `json:"expired"`
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
	var out textOrJSON
	cmd := &cobra.Command{
		Use:   "list",
		Short: "List the cached sessions: key, kind, expiry and the profiles using each (never a secret)",
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
				enc := json.NewEncoder(c.stdout)
				enc.SetIndent("", "  ")
				return enc.Encode(entries)
			}
			if len(entries) == 0 {
				c.notef("nothing cached in %s", path)
				return nil
			}
			return writeCachedEntries(c.stdout, entries)
		}),
	}
	out.register(cmd, "the entries as a JSON array")
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
	sessions := c.sessionsByKey(cmd, dir)
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
		if b, err := os.ReadFile(filepath.Join(dir, f.Name())); err == nil && json.Unmarshal(b, &fields) == nil {
			e.AccountID = fields.AccountID
			if !fields.Expiration.IsZero() {
				exp := fields.Expiration.UTC()
				e.STSExpiration, e.Expired = &exp, !now.Before(exp)
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
// are left out.
func (c *cli) sessionsByKey(cmd *cobra.Command, dir string) map[string][]string {
	out := map[string][]string{}
	names, err := c.profileNames()
	if err != nil {
		return out
	}
	cache, err := awssession.NewFileCache(dir) // exists: it was just read
	if err != nil {
		return out
	}
	for _, name := range names {
		plan, err := c.profilePlan(cmd.Context(), cache, name)
		if err != nil {
			continue
		}
		for _, l := range plan.Layers {
			what := "MFA session"
			if l.Kind == awssession.LayerAssumeRole {
				what = "role " + l.RoleARN
			}
			out[l.CacheKey] = append(out[l.CacheKey], name+": "+what)
		}
	}
	return out
}

func writeCachedEntries(w io.Writer, entries []cachedEntry) error {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "KIND\tKEY\tSTS EXPIRY / USED\tACCOUNT\tSESSIONS")
	for _, e := range entries {
		when := "-"
		switch {
		case e.STSExpiration != nil && e.Expired:
			when = e.STSExpiration.Format(time.DateTime+" UTC") + " (expired)"
		case e.STSExpiration != nil:
			when = e.STSExpiration.Format(time.DateTime+" UTC") + " (" + untilText(*e.STSExpiration) + " left)"
		case e.UsedAt != nil:
			when = "code used " + e.UsedAt.Format(time.DateTime+" UTC")
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", e.Kind, e.Key, when, firstNonEmpty(e.AccountID, "-"),
			firstNonEmpty(strings.Join(e.Sessions, "; "), "-"))
	}
	return tw.Flush()
}
