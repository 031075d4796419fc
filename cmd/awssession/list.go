package main

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/awssession/awssession"
	"github.com/awssession/awssession/internal/keyring"
	"github.com/spf13/cobra"
)

const listLong = `List every profile of the shared config and credentials files and every
profile the keyring holds items for: what its credentials are, whether the
keyring holds a TOTP seed for it, and the sessions the cache holds for it
by default, with the time each is handed out until (as explain shows it).
No secret is shown, and the file backend needs no passphrase for it.

Credentials, as the session would find them:
  keyring (BACKEND)    long-term keys in the keyring ("awssession add")
  credentials file     long-term keys in the shared files
  role on PROFILE      a role_arn whose source_profile chain ends at PROFILE
  credential_process, sso, login, web identity, credential_source NAME
                       what the profile names; the SDK fetches them
  none                 nothing yet: "awssession add PROFILE" stores keys
  unusable             the profile cannot be planned: "awssession explain
                       PROFILE" says why`

// listedProfile is one profile of list, in its JSON form.
type listedProfile struct {
	Profile string `json:"profile"`
	// Credentials is the CREDENTIALS column (see listLong).
	Credentials string `json:"credentials"`
	// BaseProfile is the profile whose credentials sign the first call.
	BaseProfile string          `json:"baseProfile,omitempty"`
	TOTPSeed    bool            `json:"totpSeedInKeyring"`
	Cached      []listedSession `json:"cachedSessions"`
}

// listedSession is a cached layer of a profile's default session.
type listedSession struct {
	Kind           string    `json:"kind"`
	HandedOutUntil time.Time `json:"handedOutUntil"`
}

func (c *cli) listCmd() *cobra.Command {
	var out outputFlags
	cmd := &cobra.Command{
		Use:   "list",
		Short: "List profiles, what their credentials are, and their cached sessions",
		Long:  listLong,
		Args:  noArgs,
		RunE: c.action(func(cmd *cobra.Command, _ []string) error {
			asJSON, err := out.asJSON(cmd)
			if err != nil {
				return err
			}
			profiles, err := c.listProfiles(cmd.Context())
			if err != nil {
				return err
			}
			if asJSON {
				return printJSON(c.stdout, profiles)
			}
			w := tabwriter.NewWriter(c.stdout, 0, 4, 2, ' ', 0)
			fmt.Fprintln(w, "PROFILE\tCREDENTIALS\tTOTP SEED\tCACHED SESSIONS")
			for _, p := range profiles {
				seed, cached := map[bool]string{true: "keyring", false: "-"}[p.TOTPSeed], []string{}
				for _, s := range p.Cached {
					cached = append(cached, s.Kind+" until "+handedOutText(s.HandedOutUntil))
				}
				fmt.Fprintf(w, "%s\t%s\t%s\t%s\n", safeName(p.Profile), safeName(p.Credentials), seed,
					firstNonEmpty(strings.Join(cached, ", "), "-"))
			}
			return w.Flush()
		}),
	}
	out.register(cmd, textOrJSON, " (json: an array of the profiles)")
	return cmd
}

// listProfiles describes every profile of the shared files and the
// keyring, sorted by name.
func (c *cli) listProfiles(ctx context.Context) ([]listedProfile, error) {
	names, err := c.profileNames()
	if err != nil {
		return nil, fmt.Errorf("read the shared files: %w", err)
	}
	kr, err := c.openKeyring()
	if err != nil {
		return nil, err
	}
	held, err := kr.Profiles()
	if err != nil {
		return nil, err
	}
	byName := map[string]keyring.Held{}
	for _, h := range held {
		names = append(names, h.Profile)
		byName[h.Profile] = h
	}
	cache, err := c.fileCache("")
	if err != nil {
		return nil, err
	}
	plans, err := c.profilePlans(ctx, cache, uniqueSorted(names))
	if err != nil {
		return nil, err
	}
	profiles := []listedProfile{}
	for _, pp := range plans {
		name, plan, h := pp.Profile, pp.Plan, byName[pp.Profile]
		p := listedProfile{Profile: name, TOTPSeed: h.TOTPSeed, Cached: []listedSession{}}
		switch {
		case h.Keys:
			p.Credentials = "keyring (" + kr.Backend() + ")"
		case pp.Err != nil:
			p.Credentials = "unusable"
		default:
			p.Credentials, p.BaseProfile = credentialsText(plan, name), plan.BaseProfile
		}
		for _, l := range plan.Layers {
			if l.Cached {
				p.Cached = append(p.Cached, listedSession{Kind: string(l.Kind), HandedOutUntil: l.Expires.UTC()})
			}
		}
		profiles = append(profiles, p)
	}
	return profiles, nil
}

// credentialsText says what profile's credentials are, from the plan of
// its default session (the library's reading of the profile chain).
func credentialsText(plan awssession.Plan, profile string) string {
	switch {
	case plan.BaseProfile != "" && plan.BaseProfile != profile:
		return "role on " + plan.BaseProfile
	case plan.BaseCredentials == "keys":
		return "credentials file"
	case plan.SourceLayer.CredentialSource != "":
		return "credential_source " + plan.SourceLayer.CredentialSource
	case plan.BaseCredentials != "":
		return plan.BaseCredentials
	}
	return "none"
}

// handedOutText is when a session hands out a cached layer until, as
// list, cache list and explain show it: local time, and how long is left.
func handedOutText(t time.Time) string {
	s := t.Local().Format(time.DateTime)
	if !time.Now().Before(t) {
		return s + " (expired)"
	}
	return s + " (" + untilText(t) + " left)"
}

func uniqueSorted(names []string) []string {
	slices.Sort(names)
	return slices.Compact(names)
}
