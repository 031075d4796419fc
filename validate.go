package awssession

import (
	"errors"
	"log/slog"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/awssession/awssession/internal/loopback"
	"github.com/awssession/awssession/internal/stsrules"
)

// isProfileName reports a name the shared files can hold as a profile:
// 1-256 characters, none of them ASCII white space or a bracket (the
// regexp ^[^\s\[\]]{1,256}$). A loop, because that counted repeat compiles
// into a 256-node program: about 1 ms of every warm `env --profile` run,
// where it was the process's first regexp.
func isProfileName(s string) bool {
	n := 0
	for _, r := range s {
		switch r {
		case '\t', '\n', '\f', '\r', ' ', '[', ']':
			return false
		}
		n++
	}
	return n >= 1 && n <= 256
}

// options is what the Options add up to.
type options struct {
	static            *staticCredentials
	custom            *customSource
	profileSource     func(profile string) (aws.CredentialsProvider, string, bool) // nil: none
	defaultMFASession *time.Duration                                               // nil: off
	profile           *string
	region            string
	mfa               *mfaDevice
	gst               *time.Duration
	roles             []AssumeRole
	stsEndpoint       string
	stsTimeout        time.Duration
	expectedAccount   string // "" for any
	logger            *slog.Logger
	cache             Cache
	mfaMemory         Cache // WithMFAMemory's; nil: cache's
	durations         DurationPolicy
	files             *sharedFiles // nil: the environment's or the defaults
	world             world
	loadOptions       []func(*config.LoadOptions) error
	signIn            *SignInOptions      // WithSignIn's; nil: a source that needs a sign-in fails
	loadOpts          *config.LoadOptions // loadOptions applied, by validate; nil: none
	// settingsOnly plans the profile's settings (region, endpoints) and
	// no source: for a console sign-in to a profile that has none yet.
	settingsOnly bool
	conflicts    []error
}

// collect applies opts to the defaults.
func collect(opts []Option) *options {
	o := &options{logger: discard, world: processWorld()}
	for _, opt := range opts {
		if opt != nil {
			opt.apply(o)
		}
	}
	return o
}

// once records a conflict when an option that chooses a layer is given
// twice differently (same reports whether the two are alike).
func (o *options) once(given bool, same bool, name OptionName, format string, args ...any) {
	if given && !same {
		o.conflicts = append(o.conflicts, conflict(optionAt(name, ""), format, args...))
	}
}

// validate checks every option on its own and against the others, without
// any I/O. It reports all problems at once; each matches [ErrInvalidInput].
func (o *options) validate() error {
	errs := append([]error(nil), o.conflicts...)
	add := func(err error) {
		if err != nil {
			errs = append(errs, err)
		}
	}
	if s := o.static; s != nil {
		add(validateStatic(s))
		if o.gst != nil && s.SessionToken != "" {
			add(conflict(optionAt(OptionWithGetSessionToken, ""), "GetSessionToken needs long-term IAM user keys, but the static keys have a session token (STS refuses: Cannot call GetSessionToken with session credentials)"))
		}
	}
	if o.profile != nil && !isProfileName(*o.profile) {
		add(invalid(optionAt(OptionWithProfile, ""), "profile name %q must be 1-256 characters without spaces or brackets", *o.profile))
	}
	if o.region != "" && !stsrules.IsRegion(o.region) {
		add(invalid(optionAt(OptionWithRegion, ""), "%q is not a region name like us-east-1", o.region))
	}
	if o.mfa != nil {
		if o.mfa.SerialNumber != "" { // "" is the profile's device, checked after loading
			add(validateSerial(optionAt(OptionWithMFA, "SerialNumber"), o.mfa.SerialNumber))
		}
		if o.mfa.Tokens == nil {
			add(invalid(optionAt(o.mfa.name(), "Tokens"), "no token provider").advise(RemedyTokenSource))
		}
		if o.mfa.ifProfileHasOne && o.static != nil {
			add(conflict(optionAt(OptionWithProfileMFA, ""), "supplies codes for a profile's mfa_serial, and static keys have no profile").advise(RemedyNameMFADevice))
		}
	}
	if o.gst != nil {
		add(validateDuration(optionAt(OptionWithGetSessionToken, ""), *o.gst, stsrules.MaxSessionTokenSeconds))
	}
	for i, r := range o.roles {
		add(hop{role: r, index: i}.validate())
	}
	add(validateEndpoint(o.stsEndpoint))
	add(o.validateExpectedAccount())
	if len(o.loadOptions) > 0 {
		lo, err := o.applyLoadOptions()
		add(err)
		o.loadOpts = &lo
	}
	add(o.validatePartitions(o.region))
	return errors.Join(errs...)
}

func validateStatic(s *staticCredentials) error {
	switch {
	case !stsrules.IsAccessKeyID(s.AccessKeyID):
		return invalid(optionAt(OptionWithStaticCredentials, "AccessKeyID"), "must be 16-128 upper-case letters and digits, like AKIA… (got %d characters; are the key ID and secret key the wrong way round?)", len(s.AccessKeyID))
	case s.SecretAccessKey == "":
		return invalid(optionAt(OptionWithStaticCredentials, "SecretAccessKey"), "is empty")
	case len(s.SecretAccessKey) > maxSecretKey:
		return invalid(optionAt(OptionWithStaticCredentials, "SecretAccessKey"), "is %d bytes; AWS secret keys are 40 characters (at most %d accepted)", len(s.SecretAccessKey), maxSecretKey)
	case strings.ContainsRune(s.SecretAccessKey.reveal(), 0):
		return invalid(optionAt(OptionWithStaticCredentials, "SecretAccessKey"), "contains a NUL byte")
	case strings.HasPrefix(s.AccessKeyID, "ASIA") && s.SessionToken == "":
		return invalid(optionAt(OptionWithStaticCredentials, "SessionToken"), "temporary key %s needs its session token", s.AccessKeyID)
	case len(s.SessionToken) > maxSessionToken:
		return invalid(optionAt(OptionWithStaticCredentials, "SessionToken"), "is %d bytes; at most %d accepted", len(s.SessionToken), maxSessionToken)
	case strings.ContainsRune(s.SessionToken.reveal(), 0):
		return invalid(optionAt(OptionWithStaticCredentials, "SessionToken"), "contains a NUL byte")
	}
	return nil
}

// Caps on the secrets of static keys, so that a stray file or a 10 MB
// variable is refused before it is signed into every request. AWS secret
// keys are 40 characters; session tokens have no documented maximum ("make
// no assumptions about the maximum size") and are 1-4 KB in practice, so
// their cap is generous. A NUL, which no environment variable can carry,
// is refused too; other odd characters are left to STS (every output
// format quotes them).
const (
	maxSecretKey    = 128
	maxSessionToken = 64 << 10
)

// validateSerial checks an MFA serial: a virtual device ARN or a hardware
// device serial, with a hint for the usual mistakes.
func validateSerial(field at, serial string) error {
	if serial == "" {
		return invalid(field, "is empty")
	}
	if strings.HasPrefix(serial, "arn:") {
		a, _, err := stsrules.ParseIAMARN(serial, "mfa")
		if err != nil {
			kind, _, _ := strings.Cut(a.Resource, "/")
			switch kind {
			case "user":
				return invalid(field, "%s is a user ARN, not an MFA device; a virtual device serial looks like arn:%s:iam::%s:mfa/NAME", serial, a.Partition, a.Account)
			case "u2f":
				return invalid(field, "%s is a FIDO security key, which AWS accepts only in the console, not through STS; use a virtual or hardware TOTP device", serial)
			}
			return invalid(field, "%s: %v", serial, err)
		}
	} else if !stsrules.IsHardwareSerial(serial) {
		return invalid(field, "%q is neither a virtual device ARN (arn:aws:iam::ACCOUNT:mfa/NAME) nor a hardware device serial", serial)
	}
	if v := stsrules.SerialNumber.Check(serial); v != nil {
		return invalid(field, "%s", v.Rule)
	}
	return nil
}

// validateDuration checks d against [900 s, max]. Zero means the default.
func validateDuration(field at, d time.Duration, maxSeconds int) error {
	if d == 0 {
		return nil
	}
	if d%time.Second != 0 {
		return invalid(field, "duration %s is not a whole number of seconds", d)
	}
	if v := stsrules.CheckRange("durationSeconds", int(d/time.Second), stsrules.MinDurationSeconds, maxSeconds); v != nil {
		return invalid(field, "duration %s (%d s): %s", d, int(d/time.Second), v.Rule)
	}
	return nil
}

// validateEndpoint applies the route rule (loopback.CheckURL: https, http
// only on loopback) to WithSTSEndpoint's URL: STS answers carry secret
// keys.
func validateEndpoint(raw string) error {
	if raw == "" {
		return nil
	}
	if err := loopback.CheckURL(raw); err != nil {
		return invalid(optionAt(OptionWithSTSEndpoint, ""), "%v", err)
	}
	return nil
}

// validatePartitions checks that every ARN names the same partition, and
// that it fits the region when one was given.
func (o *options) validatePartitions(region string) error {
	type ref struct {
		field at
		arn   string
	}
	var arns []ref
	if o.mfa != nil && strings.HasPrefix(o.mfa.SerialNumber, "arn:") {
		arns = append(arns, ref{optionAt(OptionWithMFA, "SerialNumber"), o.mfa.SerialNumber})
	}
	for i, r := range o.roles {
		arns = append(arns, ref{roleAt(i, "RoleARN"), r.RoleARN})
	}
	want, from := "", "" // from: the ARN want came from; "" for the region
	if region != "" {
		want = stsrules.PartitionForRegion(region)
	}
	for _, n := range arns {
		a, err := stsrules.ParseARN(n.arn)
		if err != nil {
			continue // reported by the field's own check
		}
		if want == "" {
			want, from = a.Partition, n.arn
			continue
		}
		if a.Partition != want {
			if from == "" {
				from = "region " + region
			}
			return invalid(n.field, "partition %s does not match %s (partition %s); sessions cannot cross partitions", a.Partition, from, want)
		}
	}
	return nil
}

// applyLoadOptions applies the WithConfigOptions to an empty LoadOptions,
// to read the region they set, and refuses the settings the session
// decides itself through options of its own, naming those.
func (o *options) applyLoadOptions() (config.LoadOptions, error) {
	var lo config.LoadOptions
	for _, fn := range o.loadOptions {
		if err := fn(&lo); err != nil {
			return lo, invalid(optionAt(OptionWithConfigOptions, ""), "%v", err)
		}
	}
	var errs []error
	refuse := func(set bool, what string, instead OptionName) {
		if set {
			errs = append(errs, conflict(optionAt(OptionWithConfigOptions, ""), "sets %s, which the session decides; use %s", what, instead))
		}
	}
	refuse(lo.SharedConfigFiles != nil || lo.SharedCredentialsFiles != nil, "the shared files", OptionWithSharedConfigFiles)
	refuse(lo.SharedConfigProfile != "", "the profile", OptionWithProfile)
	refuse(lo.Credentials != nil, "the credentials", OptionWithSource)
	return lo, errors.Join(errs...)
}
