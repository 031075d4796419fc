package main

import (
	"fmt"
	"slices"
	"strings"
	"text/template"

	"github.com/awssession/awssession"
	"github.com/awssession/awssession/internal/configfile"
)

// generatedKey marks a profile sso populate wrote, with the sso-session it
// wrote it for: later runs update, report or prune only those.
const generatedKey = "awssession_generated"

// profileNamer names the profile of an account and role from the
// --name-template.
type profileNamer struct {
	tmpl    *template.Template
	session string
}

// nameData is what a name template sees.
type nameData struct {
	AccountID, AccountName, RoleName, SSOSession string
}

// newProfileNamer parses the template and tries it once, so that a
// misspelt field fails before any network call.
func newProfileNamer(text, session string) (*profileNamer, error) {
	t, err := template.New("name").Option("missingkey=error").
		Funcs(template.FuncMap{"lower": strings.ToLower, "upper": strings.ToUpper}).Parse(text)
	if err != nil {
		return nil, err
	}
	n := &profileNamer{tmpl: t, session: session}
	if _, err := n.render(awssession.SSORole{AccountID: "111111111111", AccountName: "Example", RoleName: "Admin"}); err != nil {
		return nil, err
	}
	return n, nil
}

func (n *profileNamer) render(r awssession.SSORole) (string, error) {
	var b strings.Builder
	err := n.tmpl.Execute(&b, nameData{AccountID: r.AccountID, AccountName: r.AccountName, RoleName: r.RoleName, SSOSession: n.session})
	return b.String(), err
}

// wantedProfile is a profile the run writes.
type wantedProfile struct {
	name string
	role awssession.SSORole
}

// name names the profile of each role (roles sorted, so the result is
// deterministic): the template's text made a valid profile name, then
// "-ACCOUNTID" for names several roles share, then "-ROLE" for names
// still shared.
func (n *profileNamer) name(roles []awssession.SSORole) ([]wantedProfile, error) {
	out := make([]wantedProfile, len(roles))
	for i, r := range roles {
		s, err := n.render(r)
		if err != nil {
			return nil, fmt.Errorf("--name-template: %w", err)
		}
		if out[i] = (wantedProfile{name: cleanName(s), role: r}); out[i].name == "" {
			out[i].name = cleanName(r.AccountID + "-" + r.RoleName)
		}
	}
	for _, suffix := range []func(awssession.SSORole) string{
		func(r awssession.SSORole) string { return r.AccountID },
		func(r awssession.SSORole) string { return r.RoleName },
	} {
		count := map[string]int{}
		for _, w := range out {
			count[w.name]++
		}
		for i := range out {
			if count[out[i].name] > 1 {
				out[i].name = cleanName(out[i].name + "-" + suffix(out[i].role))
			}
		}
	}
	return out, nil
}

// maxProfileName is the longest profile name the library accepts.
const maxProfileName = 256

// cleanName makes s a profile name every tool takes and a shell needs no
// quotes for: each run of characters other than ASCII letters, digits and
// _ . + = @ , becomes one "-", without one at either end.
func cleanName(s string) string {
	var b strings.Builder
	dash := false
	for _, r := range s {
		if 'a' <= r && r <= 'z' || 'A' <= r && r <= 'Z' || '0' <= r && r <= '9' || strings.ContainsRune("_.+=@,", r) {
			b.WriteRune(r)
			dash = false
		} else if !dash {
			b.WriteByte('-')
			dash = true
		}
	}
	name := strings.Trim(b.String(), "-")
	if len(name) > maxProfileName {
		name = strings.TrimRight(name[:maxProfileName], "-")
	}
	return name
}

// populator writes the wanted profiles of one sso-session into a config
// file.
type populator struct {
	session, region string
	prune           bool
	credentials     *configfile.File // its profile names are taken
	wanted          []wantedProfile
}

// check refuses two roles with one name: only a template that gives
// another role's name with a suffix can make that happen.
func (p *populator) check() error {
	seen := map[string]bool{}
	for _, w := range p.wanted {
		if seen[w.name] {
			return &usageError{cmd: "awssession sso populate", err: fmt.Errorf("--name-template gives two roles the profile name %q; use {{.AccountID}} and {{.RoleName}} in it", w.name)}
		}
		seen[w.name] = true
	}
	return nil
}

// apply writes the profiles into f and records what it did in rep.
func (p *populator) apply(f *configfile.File, rep *populateReport) error {
	produced := map[string]bool{}
	for _, w := range p.wanted {
		produced[w.name] = true
		ch := profileChange{Profile: w.name, AccountID: w.role.AccountID, AccountName: w.role.AccountName, RoleName: w.role.RoleName}
		section := "profile " + w.name
		reason, exists := p.foreign(f, w.name)
		if reason != "" {
			ch.Reason = reason
			rep.Skipped = append(rep.Skipped, ch)
			continue
		}
		keys := p.keys(w.role)
		changed := slices.ContainsFunc(keys, func(kv configfile.KeyValue) bool {
			v, ok := f.Get(section, kv.Key)
			return !ok || v != kv.Value
		})
		if err := f.Set(section, keys...); err != nil {
			return err
		}
		switch {
		case !exists:
			rep.Added = append(rep.Added, ch)
		case changed:
			rep.Updated = append(rep.Updated, ch)
		default:
			rep.Unchanged = append(rep.Unchanged, ch)
		}
	}
	for _, section := range f.Sections() {
		name, ok := strings.CutPrefix(section, "profile ")
		if owner, _ := f.Get(section, generatedKey); !ok || owner != p.session || produced[name] {
			continue
		}
		ch := p.stale(f, name)
		if !p.prune {
			rep.Stale = append(rep.Stale, ch)
			continue
		}
		f.Remove(section)
		rep.Removed = append(rep.Removed, ch)
	}
	return nil
}

// keys are the keys of a generated profile, marker last.
func (p *populator) keys(r awssession.SSORole) []configfile.KeyValue {
	keys := []configfile.KeyValue{{Key: "sso_session", Value: p.session}, {Key: "sso_account_id", Value: r.AccountID}, {Key: "sso_role_name", Value: r.RoleName}}
	if p.region != "" {
		keys = append(keys, configfile.KeyValue{Key: "region", Value: p.region})
	}
	return append(keys, configfile.KeyValue{Key: generatedKey, Value: p.session})
}

// foreign says why the profile name is not the run's to write ("" when it
// is) and whether the config file has the profile.
func (p *populator) foreign(f *configfile.File, name string) (reason string, exists bool) {
	section := "profile " + name
	owner, marked := f.Get(section, generatedKey)
	switch {
	case name == "default":
		return "the default profile is left to you", f.Has("default") || f.Has(section)
	case f.Has(section) && !marked:
		return "a profile of that name exists that sso populate did not write", true
	case f.Has(section) && owner != p.session:
		return fmt.Sprintf("sso populate wrote it for sso-session %s", owner), true
	case slices.Contains(p.credentials.Sections(), name):
		return "the credentials file has a profile of that name", false
	}
	return "", f.Has(section)
}

// stale describes a generated profile the run does not write.
func (p *populator) stale(f *configfile.File, name string) profileChange {
	section := "profile " + name
	account, _ := f.Get(section, "sso_account_id")
	role, _ := f.Get(section, "sso_role_name")
	ch := profileChange{Profile: name, AccountID: account, RoleName: role, Reason: "its assignment is gone"}
	for _, w := range p.wanted {
		if w.role.AccountID == account && w.role.RoleName == role {
			ch.AccountName, ch.Reason = w.role.AccountName, fmt.Sprintf("the assignment's profile is now %s", w.name)
		}
	}
	return ch
}
