package main

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

// sessionFlags are the flags of every command that builds a session. They
// mirror the library's options; see sessionOptions for the mapping.
type sessionFlags struct {
	accessKey, secretKey, sessionToken string
	profile, region                    string
	profileArg                         bool // profile came as the PROFILE argument

	roleARNs, sessionNames, externalIDs []string
	durations                           durations
	clampDurations                      bool

	mfaSerial, mfaToken, totpEnv string
	mfaProcess, prompt           string
	sessionTokenDuration         durations // at most one
	noSession                    bool

	stsEndpoint string
	stsTimeout  duration
	// expectAccount is --expect-account: refuse a session of another account.
	expectAccount string
	noCache       bool
	cacheDir      string
}

// register adds the session flags to cmd, for a command that builds a
// session and calls STS: the flags that plan it and the ones that talk
// to STS. It also makes the errors of cmd's work say how its profile was
// named (see profileError).
func (f *sessionFlags) register(cmd *cobra.Command) {
	f.registerPlan(cmd)
	f.registerSTS(cmd)
}

// registerPlan adds the flags that plan a session (its source, layers,
// durations, endpoint and cache) and nothing else: for explain, which
// makes no network call.
func (f *sessionFlags) registerPlan(cmd *cobra.Command) {
	if run := cmd.RunE; run != nil {
		cmd.RunE = func(cmd *cobra.Command, args []string) error { return f.namingProfile(cmd, run(cmd, args)) }
	}
	fs := cmd.Flags()
	fs.SortFlags = false
	fs.StringVar(&f.accessKey, "access-key", "", "access key ID of the source keys (or $AWSSESSION_ACCESS_KEY)")
	fs.StringVar(&f.secretKey, "secret-key", "", `secret access key; "-" reads a line of stdin (or $AWSSESSION_SECRET_KEY)`)
	fs.StringVar(&f.sessionToken, "session-token", "", `session token of temporary source keys; "-" reads stdin (or $AWSSESSION_SESSION_TOKEN)`)
	fs.StringVar(&f.profile, "profile", "", "shared-config profile as the source (it may carry role_arn, source_profile, mfa_serial)")
	fs.StringVar(&f.region, "region", "", "region of the session and of STS calls (default: AWS_REGION, the profile)")
	fs.StringArrayVar(&f.roleARNs, "role-arn", nil, "role to assume; repeat to chain roles, in order")
	fs.StringArrayVar(&f.sessionNames, "role-session-name", nil, "role session name (once for every role, or once per --role-arn)")
	fs.StringArrayVar(&f.externalIDs, "external-id", nil, "external ID the role's trust requires (once for every role, or once per --role-arn)")
	fs.Var(&f.durations, "duration", "role session length, e.g. 1h or 3600 (seconds); once for every role, or once per --role-arn (default 1h)")
	fs.BoolVar(&f.clampDurations, "clamp-durations", false, "lower a chained role's duration to the 1 h STS allows (and retry at 1 h a role that refuses its duration) instead of failing")
	fs.StringVar(&f.mfaSerial, "mfa-serial", "", "MFA device (arn:aws:iam::ACCOUNT:mfa/NAME or a hardware serial); without a role it adds an MFA session")
	fs.StringVar(&f.totpEnv, "mfa-totp-secret-env", "", "name of an environment variable holding the MFA device's base32 TOTP seed")
	fs.StringVar(&f.mfaProcess, "mfa-process", "", `command that prints the MFA code, e.g. "ykman oath accounts code -s NAME": split into words with '' and "" quoting, run without a shell (default: the profile's mfa_process)`)
	fs.Var(&f.sessionTokenDuration, "session-token-duration", "add an MFA session (GetSessionToken) of this length, e.g. 12h (15m to 36h)")
	fs.BoolVar(&f.noSession, "no-session", false, "send the MFA code to AssumeRole instead of an MFA session (GetSessionToken, 12 h) under the roles")
	fs.StringVar(&f.stsEndpoint, "sts-endpoint", "", "send every STS call to this URL (VPC endpoint, fake STS such as awssession sts-server)")
	fs.StringVar(&f.expectAccount, "expect-account", "", "refuse the session unless it is in this 12-digit account (checked before anything is printed or run)")
	fs.BoolVar(&f.noCache, "no-cache", false, "neither read nor write the cache of sessions (the record of MFA codes used stays on: see 'awssession cache --help')")
	cacheDirFlag(fs, &f.cacheDir)
	cmd.MarkFlagsMutuallyExclusive("access-key", "profile")
	cmd.MarkFlagsMutuallyExclusive("no-cache", "cache-dir")
	cmd.MarkFlagsMutuallyExclusive("mfa-totp-secret-env", "mfa-process")
}

// stsFlags are the flags registerSTS adds: what only a command that calls
// STS uses (a code, where to ask for one, a timeout). The sources of
// codes that are not one code (a TOTP seed, an MFA process) plan: explain
// says where the codes will come from.
var stsFlags = []string{"mfa-token", "prompt", "sts-timeout"}

// registerSTS adds the flags of stsFlags.
func (f *sessionFlags) registerSTS(cmd *cobra.Command) {
	fs := cmd.Flags()
	fs.StringVar(&f.mfaToken, "mfa-token", "", `current six-digit MFA code; "-" reads stdin (or $AWSSESSION_MFA_TOKEN; default: ask, see --prompt)`)
	fs.StringVar(&f.prompt, "prompt", "", "where to ask for the MFA code: terminal, zenity, kdialog or osascript (default: the terminal, else a GUI dialog)")
	fs.Var(&f.stsTimeout, "sts-timeout", "give up on an STS call (retries included) after this long (default 30s)")
	cmd.MarkFlagsMutuallyExclusive("mfa-token", "mfa-totp-secret-env", "mfa-process")
}

// cacheDirFlag registers --cache-dir, for session commands and cache.
func cacheDirFlag(fs *pflag.FlagSet, dir *string) {
	fs.StringVar(dir, "cache-dir", "", "credential cache directory (default: $AWSSESSION_CACHE_DIR, or awssession under the user cache dir)")
}

// outputFlags are the output options of every command whose output is
// structured, one rule for all: --format picks one of the command's
// formats (text and json, or its own list), --json is the short form of
// --format json.
type outputFlags struct {
	format choice
	json   bool
}

// textOrJSON are the formats of commands that print a table or JSON.
var textOrJSON = []string{"text", "json"}

// register adds --format (formats, the first the default) and --json;
// what describes the formats for --help.
func (o *outputFlags) register(cmd *cobra.Command, formats []string, what string) {
	o.format = choice{value: formats[0], allowed: formats}
	cmd.Flags().Var(&o.format, "format", "output format: "+strings.Join(formats, ", ")+what)
	cmd.Flags().BoolVar(&o.json, "json", false, "the same as --format json")
	_ = cmd.RegisterFlagCompletionFunc("format", cobra.FixedCompletions(formats, cobra.ShellCompDirectiveNoFileComp))
}

// name returns the format asked for, or a usage error when --json and
// --format ask for two.
func (o *outputFlags) name(cmd *cobra.Command) (string, error) {
	if !o.json {
		return o.format.value, nil
	}
	if cmd.Flags().Changed("format") && o.format.value != "json" {
		return "", usageErrorf(cmd, "--json and --format %s ask for two formats; give one", o.format.value)
	}
	return "json", nil
}

// asJSON reports whether JSON was asked for.
func (o *outputFlags) asJSON(cmd *cobra.Command) (bool, error) {
	name, err := o.name(cmd)
	return name == "json", err
}

// durations is a repeatable duration flag that takes Go durations (1h30m)
// or whole seconds (5400), as STS's DurationSeconds and the original tool
// do.
type durations []time.Duration

func (d *durations) String() string {
	s := make([]string, len(*d))
	for i, v := range *d {
		s[i] = v.String()
	}
	return strings.Join(s, ",")
}

func (d *durations) Set(v string) error {
	dur, err := parseDuration(v)
	if err != nil {
		return err
	}
	*d = append(*d, dur)
	return nil
}

func (d *durations) Type() string { return "duration" }

func parseDuration(v string) (time.Duration, error) {
	if n, err := strconv.ParseInt(v, 10, 64); err == nil {
		if n <= 0 || n > 1<<31 {
			return 0, fmt.Errorf("%d seconds is out of range", n)
		}
		return time.Duration(n) * time.Second, nil
	}
	d, err := time.ParseDuration(v)
	if err != nil || d <= 0 {
		return 0, fmt.Errorf("want a duration such as 1h, 45m or 3600 (seconds)")
	}
	return d, nil
}

// duration is a single duration flag, in the forms durations takes.
type duration time.Duration

func (d *duration) String() string {
	if *d == 0 {
		return ""
	}
	return time.Duration(*d).String()
}

func (d *duration) Set(v string) error {
	dur, err := parseDuration(v)
	if err != nil {
		return err
	}
	*d = duration(dur)
	return nil
}

func (d *duration) Type() string { return "duration" }
