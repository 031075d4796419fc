package main

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
)

// populateReport is what sso populate did, or with --dry-run would do.
type populateReport struct {
	ConfigFile string          `json:"configFile"`
	SSOSession string          `json:"ssoSession"`
	DryRun     bool            `json:"dryRun"`
	Added      []profileChange `json:"added"`
	Updated    []profileChange `json:"updated"`
	Removed    []profileChange `json:"removed"`
	Stale      []profileChange `json:"stale"`
	Skipped    []profileChange `json:"skipped"`
	Unchanged  []profileChange `json:"unchanged"`
}

// profileChange is one profile of the report.
type profileChange struct {
	Profile     string `json:"profile"`
	AccountID   string `json:"accountId"`
	AccountName string `json:"accountName,omitempty"`
	RoleName    string `json:"roleName"`
	// Reason says why a profile was skipped, removed or is stale.
	Reason string `json:"reason,omitempty"`
}

func (r *populateReport) writeJSON(w io.Writer) error {
	out := *r
	for _, list := range []*[]profileChange{&out.Added, &out.Updated, &out.Removed, &out.Stale, &out.Skipped, &out.Unchanged} {
		if *list == nil {
			*list = []profileChange{}
		}
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(out)
}

// writeText prints one line per profile that changed, was skipped or is
// stale, then the counts. Names from the portal (account names) are made
// safe for a terminal.
func (r *populateReport) writeText(w io.Writer) error {
	var b strings.Builder
	verb := func(done, planned string) string {
		if r.DryRun {
			return planned
		}
		return done
	}
	line := func(what string, ch profileChange, note string) {
		s := fmt.Sprintf("%s profile %s (%s %s)", what, ch.Profile, ch.AccountID, ch.RoleName)
		if ch.Reason != "" {
			s += ": " + ch.Reason
		}
		b.WriteString(terminalText(s+note) + "\n")
	}
	for _, ch := range r.Added {
		line(verb("added", "would add"), ch, "")
	}
	for _, ch := range r.Updated {
		line(verb("updated", "would update"), ch, "")
	}
	for _, ch := range r.Removed {
		line(verb("removed", "would remove"), ch, "")
	}
	for _, ch := range r.Stale {
		line("stale", ch, "; --prune removes it")
	}
	for _, ch := range r.Skipped {
		line("skipped", ch, "")
	}
	outcome := "wrote " + r.ConfigFile
	switch {
	case r.DryRun:
		outcome = "dry run: " + r.ConfigFile + " not changed"
	case len(r.Added)+len(r.Updated)+len(r.Removed) == 0:
		outcome = r.ConfigFile + " unchanged"
	}
	fmt.Fprintf(&b, "sso-session %s: %d added, %d updated, %d removed, %d stale, %d skipped, %d unchanged; %s\n", r.SSOSession,
		len(r.Added), len(r.Updated), len(r.Removed), len(r.Stale), len(r.Skipped), len(r.Unchanged), terminalText(outcome))
	_, err := io.WriteString(w, b.String())
	return err
}
