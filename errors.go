package awssession

import (
	"errors"
	"fmt"
	"io"
	"log/slog"

	"github.com/awssession/awssession/internal/loopback"
)

// Sentinel errors. Match them with [errors.Is].
var (
	// ErrInvalidInput reports an option or value that cannot work. The
	// concrete error is an [*InputError] naming the field.
	ErrInvalidInput = errors.New("invalid input")
	// ErrConflictingOptions reports options that cannot be used together.
	// Errors matching it also match ErrInvalidInput.
	ErrConflictingOptions = errors.New("conflicting options")
	// ErrMFATokenUsed is returned by a [StaticToken] provider asked for a
	// second code: STS accepts each code once, so sending it again would
	// only fail.
	ErrMFATokenUsed = errors.New("MFA token code already used")
	// ErrMFAFailed reports that STS rejected an MFA code or serial. The
	// concrete error is an [*MFAError].
	ErrMFAFailed = errors.New("MFA authentication failed")
)

// InputError describes one invalid input. It never holds a secret value.
//
// Error speaks in Go terms (Field and Reason). The other fields say the
// same in parts, so that a program that fills options from something else
// (a command line's flags, a form) can name what its user typed instead:
// which option, role hop and parameter, or which profile key, is at fault
// (Option, Index, Param; Profile, ProfileKey), what is wrong (Problem), and
// what would fix it (Remedy).
type InputError struct {
	// Field names the option or parameter in Go terms, e.g.
	// "AssumeRole[1].RoleARN" or `profile "dev": duration_seconds`.
	Field string
	// Reason says what is wrong and, where it helps, what to do, in Go
	// terms: Problem, then the Remedy.
	Reason string

	// Option is the option or type at fault, e.g. OptionWithRegion,
	// OptionWithMFA, OptionAssumeRole (a role hop) or
	// OptionWithConsoleDuration; "" when the input is a shared-config
	// profile, an environment variable or a file.
	Option OptionName
	// Index is the role hop of Option "AssumeRole", counted from 0 in the
	// order of the WithAssumeRole options; -1 otherwise.
	Index int
	// Param is the parameter of Option at fault, e.g. "Duration",
	// "SerialNumber" or "PolicyARNs[2]"; "" for the option as a whole.
	Param string
	// Profile is the shared-config profile at fault, "" for none.
	Profile string
	// ProfileKey is the key of Profile at fault, e.g. "duration_seconds";
	// "" for the profile as a whole.
	ProfileKey string
	// Problem says what is wrong without naming a Go option, so that it
	// reads right to the user of a program built on the library too.
	Problem string
	// Remedy is the fix Reason advises, if any.
	Remedy Remedy

	conflict bool
}

func (e *InputError) Error() string {
	kind := "invalid input"
	if e.conflict {
		kind = "conflicting options"
	}
	return fmt.Sprintf("awssession: %s: %s: %s", kind, e.Field, e.Reason)
}

// Is reports whether target is [ErrInvalidInput], or [ErrConflictingOptions]
// for a conflict.
func (e *InputError) Is(target error) bool {
	return target == ErrInvalidInput || (e.conflict && target == ErrConflictingOptions)
}

// Remedy is a fix an [InputError] advises. Its words depend on who reads
// them: [InputError.Error] names Go options, a command line its flags.
type Remedy int

const (
	// RemedyNone: the Problem says it all.
	RemedyNone Remedy = iota
	// RemedyClampDurations: ask for at most 1 h for a chained role, or let
	// the session lower it ([ClampDurations]).
	RemedyClampDurations
	// RemedySupplyMFACodes: say where the codes of the MFA device named in
	// the profile come from ([WithMFA], [WithProfileMFA]).
	RemedySupplyMFACodes
	// RemedyTokenSource: give the MFA device a source of codes
	// ([StaticToken], [TOTP], [PromptToken]).
	RemedyTokenSource
	// RemedyAddMFALayer: add a layer that sends the MFA code
	// ([WithGetSessionToken], [WithAssumeRole]) or use a profile with
	// mfa_serial.
	RemedyAddMFALayer
	// RemedyNameMFADevice: name the MFA device ([WithMFA]).
	RemedyNameMFADevice
	// RemedyConsoleRole: sign in to the console as a role, or with an IAM
	// user's long-term keys ([WithAssumeRole], [ConsoleURL]).
	RemedyConsoleRole
	// RemedyConsoleEndpoint: name the federation endpoint and the console
	// page ([WithFederationEndpoint], [WithDestination]).
	RemedyConsoleEndpoint
	// RemedyProfileSource: give the profile credentials to sign with, in
	// the shared files or through [WithSource].
	RemedyProfileSource
)

// goText is the remedy in the library's terms, for Reason.
func (r Remedy) goText() string {
	switch r {
	case RemedyClampDurations:
		return "ask for at most 1h, or use ClampDurations"
	case RemedySupplyMFACodes:
		return "pass WithMFA(serial, tokens) or WithProfileMFA(tokens) to supply its codes"
	case RemedyTokenSource:
		return "use StaticToken, TOTP or PromptToken"
	case RemedyAddMFALayer:
		return "add WithGetSessionToken or WithAssumeRole, or use a profile with mfa_serial"
	case RemedyNameMFADevice:
		return "name the device with WithMFA"
	case RemedyConsoleRole:
		return "sign in with a role (WithAssumeRole, also on top of an MFA session) or with the IAM user's " +
			"long-term keys, for which ConsoleURL gets GetFederationToken credentials"
	case RemedyConsoleEndpoint:
		return "give WithFederationEndpoint and WithDestination"
	case RemedyProfileSource:
		return "add keys, credential_process, sso_session or credential_source, or use WithSource"
	}
	return ""
}

// String returns the remedy's Go name, e.g. "RemedyClampDurations".
func (r Remedy) String() string {
	names := [...]string{"RemedyNone", "RemedyClampDurations", "RemedySupplyMFACodes", "RemedyTokenSource",
		"RemedyAddMFALayer", "RemedyNameMFADevice", "RemedyConsoleRole", "RemedyConsoleEndpoint", "RemedyProfileSource"}
	if r < 0 || int(r) >= len(names) {
		return fmt.Sprintf("Remedy(%d)", int(r))
	}
	return names[r]
}

// OptionName names an option (or, for OptionAssumeRole, the type of a
// role hop) in an [InputError], so that a program that fills options from
// something else (flags) can map each to what its user typed.
type OptionName string

// The options an InputError can name.
const (
	OptionWithStaticCredentials  OptionName = "WithStaticCredentials"
	OptionWithProfile            OptionName = "WithProfile"
	OptionWithRegion             OptionName = "WithRegion"
	OptionWithMFA                OptionName = "WithMFA"
	OptionWithProfileMFA         OptionName = "WithProfileMFA"
	OptionWithGetSessionToken    OptionName = "WithGetSessionToken"
	OptionAssumeRole             OptionName = "AssumeRole" // a WithAssumeRole hop; InputError.Index says which
	OptionWithSTSEndpoint        OptionName = "WithSTSEndpoint"
	OptionWithSTSTimeout         OptionName = "WithSTSTimeout"
	OptionWithExpectedAccount    OptionName = "WithExpectedAccount"
	OptionWithConfigOptions      OptionName = "WithConfigOptions"
	OptionWithSource             OptionName = "WithSource"
	OptionWithCache              OptionName = "WithCache"
	OptionWithConsoleRegion      OptionName = "WithConsoleRegion"
	OptionWithConsoleDuration    OptionName = "WithConsoleDuration"
	OptionWithFederationToken    OptionName = "WithFederationToken"
	OptionWithDestination        OptionName = "WithDestination"
	OptionWithFederationEndpoint OptionName = "WithFederationEndpoint"
	OptionWithSharedConfigFiles  OptionName = "WithSharedConfigFiles"
	OptionConsoleURL             OptionName = "ConsoleURL" // its cfg argument: Param "Credentials"
)

// at is what an input error points at: its Field and the parts of it.
type at struct {
	field, param, profile, key string
	option                     OptionName
	index                      int
}

// optionAt points at a Go option, or with param at one of its parameters.
func optionAt(name OptionName, param string) at {
	field := string(name)
	if param != "" {
		field += "." + param
	}
	return at{field: field, option: name, param: param, index: -1}
}

// roleAt points at parameter param of role hop i (a WithAssumeRole).
func roleAt(i int, param string) at {
	return at{field: fmt.Sprintf("AssumeRole[%d].%s", i, param), option: OptionAssumeRole, param: param, index: i}
}

// profileAt points at key of a shared-config profile, or with key "" at
// the profile.
func profileAt(profile, key string) at {
	field := fmt.Sprintf("profile %q", profile)
	if key != "" {
		field += ": " + key
	}
	return at{field: field, profile: profile, key: key, index: -1}
}

// namedAt points at something that is neither an option nor a profile: an
// environment variable, a file, the MFA code a provider returned.
func namedAt(name string) at { return at{field: name, index: -1} }

// invalid returns the error for a bad input at a.
func invalid(a at, format string, args ...any) *InputError {
	return newInputError(a, false, fmt.Sprintf(format, args...))
}

// conflict returns the error for an input at a that conflicts with another.
func conflict(a at, format string, args ...any) *InputError {
	return newInputError(a, true, fmt.Sprintf(format, args...))
}

// newInputError is the one place that builds an InputError's Go text from
// its parts.
func newInputError(a at, conflict bool, problem string) *InputError {
	return &InputError{Field: a.field, Reason: problem, Option: a.option, Index: a.index, Param: a.param,
		Profile: a.profile, ProfileKey: a.key, Problem: problem, conflict: conflict}
}

// advise sets the error's remedy and adds it to Reason.
func (e *InputError) advise(r Remedy) *InputError {
	e.Remedy = r
	e.Reason = e.Problem + "; " + r.goText()
	return e
}

// MFAError reports an MFA code or device that STS refused. It unwraps to
// both [ErrMFAFailed] and the STS error, so errors.As with
// smithy.APIError still finds the STS code and message.
type MFAError struct {
	// SerialNumber is the MFA device that was used.
	SerialNumber string
	// Hint names the likely cause.
	Hint string
	// Err is the STS error.
	Err error
}

func (e *MFAError) Error() string {
	return fmt.Sprintf("MFA with %s refused (%s): %v", e.SerialNumber, e.Hint, e.Err)
}

// Unwrap returns [ErrMFAFailed] and the STS error.
func (e *MFAError) Unwrap() []error { return []error{ErrMFAFailed, e.Err} }

const redacted = "[redacted]"

// secret holds a value that must never be printed: a secret key, a session
// token, an MFA code, a TOTP seed. Every way fmt or slog can render it
// prints [redacted]; only reveal returns the value.
type secret string

func (s secret) reveal() string           { return string(s) }
func (secret) String() string             { return redacted }
func (secret) GoString() string           { return `"` + redacted + `"` }
func (secret) LogValue() slog.Value       { return slog.StringValue(redacted) }
func (secret) Format(f fmt.State, _ rune) { _, _ = io.WriteString(f, redacted) }
func (secret) MarshalText() ([]byte, error) {
	return []byte(redacted), nil
}

// redactURL hides the user information (a password) of a URL.
func redactURL(raw string) string { return loopback.Redact(raw) }

// formatURLOption prints an option that holds a URL, redacted, for every
// fmt verb.
func formatURLOption(f fmt.State, name, raw string) {
	_, _ = fmt.Fprintf(f, "%s(%s)", name, redactURL(raw))
}
