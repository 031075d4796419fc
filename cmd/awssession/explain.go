package main

import (
	"fmt"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/awssession/awssession"
	"github.com/spf13/cobra"
)

const explainLong = `Show the session the flags describe, without any network call: the
source, then each STS layer bottom up (MFA session, roles) with its
duration, whether it is chained (1 h cap), whether the cache still holds it,
and which layers the next run will call STS for and ask an MFA code for.
Everything is checked as for a real run, so a bad flag fails here too. It
takes the flags that plan a session, not those that only talk to STS
(--mfa-token, --prompt, --sts-timeout).`

const explainExample = `  awssession explain --profile dev --mfa-serial arn:aws:iam::111111111111:mfa/alice \
      --session-token-duration 12h --role-arn arn:aws:iam::123456789012:role/Admin
  awssession explain --profile dev --role-arn arn:aws:iam::123456789012:role/Admin --json`

// explained is the JSON form of a plan.
type explained struct {
	Source      string          `json:"source"`
	SourceLayer explainedSource `json:"sourceLayer"`
	Profile     string          `json:"profile,omitempty"`
	Region      string          `json:"region,omitempty"`
	Cache       string          `json:"cache,omitempty"`
	Layers      []explainedStep `json:"layers"`
}

// explainedSource is the bottom layer: what it is, where it calls, and
// for an SSO or console sign-in session the token's state.
type explainedSource struct {
	Kind         string     `json:"kind"`
	Profile      string     `json:"profile,omitempty"`
	From         string     `json:"from,omitempty"`
	RoleARN      string     `json:"roleArn,omitempty"`
	Endpoint     string     `json:"endpoint,omitempty"`
	Session      string     `json:"session,omitempty"`
	TokenExpires *time.Time `json:"tokenExpires,omitempty"`
	SignIn       bool       `json:"signInNeeded"`
	Used         bool       `json:"usedNextRun"`
}

type explainedStep struct {
	Kind            string     `json:"kind"`
	Name            string     `json:"name"`
	Profile         string     `json:"profile,omitempty"`
	RoleARN         string     `json:"roleArn,omitempty"`
	DurationSeconds int        `json:"durationSeconds"`
	MFASerial       string     `json:"mfaSerial,omitempty"`
	MFACodeFrom     string     `json:"mfaCodeFrom,omitempty"`
	Chained         bool       `json:"chained"`
	Cached          bool       `json:"cached"`
	Expires         *time.Time `json:"expires,omitempty"`
	CallsSTS        bool       `json:"callsSTS"`
	Prompts         bool       `json:"asksForMFACode"`
}

func (c *cli) explainCmd() *cobra.Command {
	var f sessionFlags
	var out outputFlags
	cmd := &cobra.Command{
		Use:     "explain [PROFILE]",
		Short:   "Show the chain a session would use, its durations and cache hits (no network)",
		Long:    explainLong,
		Example: explainExample,
		Args:    profileArgs(&f),
		RunE: c.action(func(cmd *cobra.Command, _ []string) error {
			asJSON, err := out.asJSON(cmd)
			if err != nil {
				return err
			}
			p, setup, err := c.prepare(cmd.Context(), cmd, &f)
			if err != nil {
				return err
			}
			e := explainedPlan(p.Plan(cmd.Context()), setup)
			if asJSON {
				return printJSON(c.stdout, e)
			}
			return writeExplained(c, e)
		}),
	}
	f.registerPlan(cmd)
	out.register(cmd, textOrJSON, " (json: the plan)")
	return cmd
}

func explainedPlan(p awssession.Plan, setup sessionSetup) explained {
	src := p.SourceLayer
	e := explained{Source: p.Source, Profile: p.Profile, Region: p.Region, Cache: setup.cacheDir, Layers: []explainedStep{},
		SourceLayer: explainedSource{Kind: string(src.Kind), Profile: src.Profile, From: src.From, RoleARN: src.RoleARN, Endpoint: src.Endpoint,
			Session: src.Session, SignIn: src.SignInNeeded, Used: src.Used}}
	if !src.TokenExpires.IsZero() {
		exp := src.TokenExpires.UTC()
		e.SourceLayer.TokenExpires = &exp
	}
	for _, l := range p.Layers {
		s := explainedStep{Kind: string(l.Kind), Profile: l.Profile, Name: l.Name, RoleARN: l.RoleARN, DurationSeconds: int(l.Duration / time.Second),
			MFASerial: l.MFASerial, Chained: l.Chained, Cached: l.Cached, CallsSTS: l.Calls, Prompts: l.Prompts}
		if l.MFASerial != "" {
			s.MFACodeFrom = setup.mfaFrom
		}
		if l.Cached && !l.Expires.IsZero() {
			exp := l.Expires.UTC()
			s.Expires = &exp
		}
		e.Layers = append(e.Layers, s)
	}
	return e
}

func writeExplained(c *cli, e explained) error {
	w := tabwriter.NewWriter(c.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintf(w, "source\t%s\n", terminalText(e.Source))
	if line := signInLine(e.SourceLayer); line != "" {
		fmt.Fprintf(w, "sign-in\t%s\n", terminalText(line))
	}
	fmt.Fprintf(w, "region\t%s\n", firstNonEmpty(e.Region, "(none: STS calls use us-east-1)"))
	fmt.Fprintf(w, "cache\t%s\n", firstNonEmpty(e.Cache, "off"))
	if len(e.Layers) == 0 {
		fmt.Fprintf(w, "\nno STS layer: the source's credentials are the session\n")
	} else {
		fmt.Fprintf(w, "\n#\tlayer\tduration\tdetails\tnext run\n")
	}
	flagRoles := 0
	for i, l := range e.Layers {
		// The layer as the person typed it, not the library's name.
		name := l.Name
		switch {
		case l.Kind == string(awssession.LayerGetSessionToken):
			name = "MFA session"
		case l.Profile == "":
			flagRoles++
			name = fmt.Sprintf("role of --role-arn #%d", flagRoles)
		}
		var details []string
		if l.RoleARN != "" {
			details = append(details, l.RoleARN)
		}
		if l.MFASerial != "" {
			details = append(details, "MFA "+l.MFASerial)
		}
		if l.Chained {
			details = append(details, "chained")
		}
		var next string
		switch {
		case l.Cached:
			next = "cached until " + handedOutText(*l.Expires)
		case l.Prompts:
			next = "calls STS, MFA code from " + l.MFACodeFrom
		case l.CallsSTS:
			next = "calls STS"
		default:
			next = "not needed (a layer above is cached)"
		}
		fmt.Fprintf(w, "%d\t%s\t%s\t%s\t%s\n", i+1, terminalText(name), durationText(time.Duration(l.DurationSeconds)*time.Second),
			terminalText(strings.Join(details, ", ")), next)
	}
	return w.Flush()
}

// durationText prints a duration without zero units: "1h", "1h30m", "15m".
func durationText(d time.Duration) string {
	s := d.String()
	if strings.HasSuffix(s, "m0s") {
		s = strings.TrimSuffix(s, "0s")
	}
	if strings.HasSuffix(s, "h0m") {
		s = strings.TrimSuffix(s, "0m")
	}
	return s
}

// signInLine says where an SSO or console sign-in session stands, "" for
// other sources.
func signInLine(s explainedSource) string {
	what := map[string]string{string(awssession.SourceSSO): "IAM Identity Center session ", string(awssession.SourceLogin): "console session "}[s.Kind]
	switch {
	case what == "":
		return ""
	case s.SignIn && s.Used:
		return what + s.Session + ": no usable token; the next run signs you in (or: awssession login " + s.Profile + ")"
	case s.SignIn:
		return what + s.Session + ": no usable token, but not needed while the cache holds the layers above"
	case s.TokenExpires != nil:
		return what + s.Session + ": signed in, token valid until " + s.TokenExpires.Local().Format(time.DateTime) + " (renewed without you while the session lasts)"
	}
	return what + s.Session + ": signed in"
}
