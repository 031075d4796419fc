package main

import (
	"errors"
	"fmt"
	"strings"

	"github.com/awssession/awssession"
)

// cliText is err's message in the command line's terms: every library
// input error in it (joined, or wrapped by the SDK and the layers, whose
// own words stay) speaks in flags and profile keys, as inputText words it.
func cliText(err error) string {
	var given *profileError
	errors.As(err, &given)
	return wordedFor(err, given)
}

// wordedFor is cliText for a run whose profile was given as given says
// (nil: none was named).
func wordedFor(err error, given *profileError) string {
	s := err.Error()
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		// errors.Join: one problem after another, not one per line.
		var parts []string
		for _, e := range j.Unwrap() {
			parts = append(parts, e.Error())
		}
		if s == strings.Join(parts, "\n") {
			for i, e := range j.Unwrap() {
				parts[i] = wordedFor(e, given)
			}
			return strings.Join(parts, "; ")
		}
	}
	for _, e := range inputErrors(err) {
		s = strings.Replace(s, e.Error(), inputText(e, given), 1)
	}
	return s
}

// inputErrors returns the input errors in err's tree.
func inputErrors(err error) []*awssession.InputError {
	switch e := err.(type) {
	case nil:
		return nil
	case *awssession.InputError:
		return []*awssession.InputError{e}
	case interface{ Unwrap() []error }:
		var all []*awssession.InputError
		for _, u := range e.Unwrap() {
			all = append(all, inputErrors(u)...)
		}
		return all
	}
	return inputErrors(errors.Unwrap(err))
}

// inputText words a library input error for a person at a shell: what
// they typed (a flag, a profile key, an environment variable), what is
// wrong, and the flags that fix it.
func inputText(e *awssession.InputError, given *profileError) string {
	s := inputSubject(e, given) + ": " + e.Problem
	if r := remedyText(e); r != "" {
		s += "; " + r
	}
	return s
}

// inputSubject names what an input error is about: the profile key, the
// flag that fills the option (the profile as it was given), or what the
// library named.
func inputSubject(e *awssession.InputError, given *profileError) string {
	switch {
	case e.Option == awssession.OptionWithProfile && e.Param == "" && given != nil:
		return given.subject()
	case e.Profile != "" && e.ProfileKey != "":
		return fmt.Sprintf("profile %q: %s", e.Profile, e.ProfileKey)
	case e.Profile != "":
		return fmt.Sprintf("profile %q", e.Profile)
	case e.Option == awssession.OptionAssumeRole:
		return roleSubject(e.Param, e.Index)
	case e.Option != "":
		return optionFlag(e.Option, e.Param)
	}
	return e.Field // an environment variable, a file: no Go name
}

// optionFlag names the flag that fills a library option, or what the
// option stands for where no flag does.
func optionFlag(option awssession.OptionName, param string) string {
	if f, ok := optionFlags[option][param]; ok {
		return f
	}
	if f, ok := optionFlags[option][""]; ok {
		return f
	}
	return "the AWS SDK settings" // WithConfigOptions, WithSharedConfigFiles: the environment's AWS_* settings
}

// optionFlags name, for each library option (and a parameter of it where
// another flag fills that), the flag or what else fills it. The keys are
// the library's typed names: a renamed option fails to compile here.
var optionFlags = map[awssession.OptionName]map[string]string{
	awssession.OptionWithStaticCredentials: {"": "--access-key/$" + envAccessKey, "SecretAccessKey": "--secret-key/$" + envSecretKey,
		"SessionToken": "--session-token/$" + envSessionToken},
	awssession.OptionWithProfile:            {"": "--profile"},
	awssession.OptionWithRegion:             {"": "--region"},
	awssession.OptionWithMFA:                {"": "--mfa-serial", "Tokens": "the MFA codes"},
	awssession.OptionWithProfileMFA:         {"": "the MFA codes"},
	awssession.OptionWithGetSessionToken:    {"": "the MFA session (--session-token-duration)"},
	awssession.OptionWithSTSEndpoint:        {"": "--sts-endpoint"},
	awssession.OptionWithSTSTimeout:         {"": "--sts-timeout"},
	awssession.OptionWithExpectedAccount:    {"": "--expect-account"},
	awssession.OptionWithConsoleRegion:      {"": "--console-region"},
	awssession.OptionWithConsoleDuration:    {"": "--console-duration"},
	awssession.OptionWithFederationToken:    {"Name": "--federation-name", "Policy": "--federation-policy"},
	awssession.OptionWithFederationEndpoint: {"": "--federation-endpoint"},
	awssession.OptionWithDestination:        {"": "--destination"},
	awssession.OptionConsoleURL:             {"": "the session"},
	awssession.OptionWithSource:             {"": "the keys in the keyring"},
	awssession.OptionWithCache:              {"": "the credential cache"},
}

// roleSubject names parameter param of the role of the i-th --role-arn
// (from 0): "--duration (for the 2nd --role-arn)".
func roleSubject(param string, i int) string {
	flag := ""
	switch param {
	case "RoleARN":
		if i == 0 {
			return "--role-arn"
		}
		return fmt.Sprintf("the %s --role-arn", ordinal(i+1))
	case "RoleSessionName":
		flag = "--role-session-name"
	case "ExternalID":
		flag = "--external-id"
	case "Duration":
		flag = "--duration"
	default: // set only through the library
		what := strings.ToLower(strings.TrimRight(param, "[]0123456789"))
		if i == 0 {
			return "the role's " + what
		}
		return fmt.Sprintf("the %s role's %s", ordinal(i+1), what)
	}
	if i == 0 {
		return flag
	}
	return fmt.Sprintf("%s (for the %s --role-arn)", flag, ordinal(i+1))
}

// ordinal spells n as 1st, 2nd, 3rd, 4th, 11th, 21st, ...
func ordinal(n int) string {
	suffix := "th"
	switch {
	case n%100 >= 11 && n%100 <= 13:
	case n%10 == 1:
		suffix = "st"
	case n%10 == 2:
		suffix = "nd"
	case n%10 == 3:
		suffix = "rd"
	}
	return fmt.Sprintf("%d%s", n, suffix)
}

// remedyText words the error's remedy in flags and profile keys.
func remedyText(e *awssession.InputError) string {
	switch e.Remedy {
	case awssession.RemedyClampDurations:
		if e.ProfileKey != "" {
			return fmt.Sprintf("set %s to 3600 or less, or pass --clamp-durations", e.ProfileKey)
		}
		return "use --duration 1h, or --clamp-durations"
	case awssession.RemedySupplyMFACodes:
		return "name the profile with --profile to be asked for its codes, " +
			"or give --mfa-serial with --mfa-token, --mfa-totp-secret-env or --mfa-process"
	case awssession.RemedyTokenSource:
		return "give --mfa-token, --mfa-totp-secret-env or --mfa-process, or let awssession prompt"
	case awssession.RemedyAddMFALayer:
		return "add --role-arn or --session-token-duration, or use a --profile with mfa_serial"
	case awssession.RemedyNameMFADevice:
		return "name the device with --mfa-serial"
	case awssession.RemedyConsoleRole:
		return "add --role-arn (the role may sit on the MFA session), or sign in with the IAM user's keys alone, without --mfa-serial"
	case awssession.RemedyConsoleEndpoint:
		return "give --federation-endpoint and --destination"
	case awssession.RemedyProfileSource:
		return fmt.Sprintf("add keys, credential_process, sso_session or credential_source to it, or store its keys with 'awssession add %s'", e.Profile)
	}
	return ""
}
