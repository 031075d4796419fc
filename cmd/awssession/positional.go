package main

import (
	"slices"

	"github.com/spf13/cobra"
)

// profileArgs accepts the profile as an optional first argument, as
// aws-vault, awsume and granted users type it (`awssession env dev`): the
// same as --profile dev.
func profileArgs(f *sessionFlags) cobra.PositionalArgs {
	return func(cmd *cobra.Command, args []string) error {
		switch {
		case len(args) > 1:
			return usageErrorf(cmd, "unexpected argument %q (one PROFILE at most)", args[1])
		case len(args) == 1:
			return f.setPositionalProfile(cmd, args[0])
		}
		return nil
	}
}

// setPositionalProfile takes a profile given as an argument.
func (f *sessionFlags) setPositionalProfile(cmd *cobra.Command, name string) error {
	if err := profileArg(cmd, []string{name}); err != nil {
		return err
	}
	if f.profile != "" && f.profile != name {
		return usageErrorf(cmd, "profile %q given as an argument and --profile %q; give one", name, f.profile)
	}
	f.profile, f.profileArg = name, true
	return nil
}

// profileError is an error of a run whose profile was named: it says how,
// so that an error about the profile names what the person typed (the
// PROFILE argument, --profile or $AWS_PROFILE), and the hint can offer the
// profiles a misspelt name may stand for.
type profileError struct {
	name string
	how  profileHow
	err  error
}

// profileHow is how a run's profile was named.
type profileHow int

const (
	profileByFlag profileHow = iota
	profileByArgument
	profileByEnv
)

func (e *profileError) Error() string { return e.err.Error() }
func (e *profileError) Unwrap() error { return e.err }

// subject names the profile as it was given.
func (e *profileError) subject() string {
	switch e.how {
	case profileByArgument:
		return "the PROFILE argument"
	case profileByEnv:
		return "$AWS_PROFILE"
	}
	return "--profile"
}

// namingProfile makes err (from cmd's work) a profileError when the run
// named a profile.
func (f *sessionFlags) namingProfile(cmd *cobra.Command, err error) error {
	if err == nil || f.profile == "" {
		return err
	}
	how := profileByEnv // sessionOptions took it from AWS_PROFILE
	switch {
	case f.profileArg:
		how = profileByArgument
	case cmd.Flags().Changed("profile"):
		how = profileByFlag
	}
	return &profileError{name: f.profile, how: how, err: err}
}

// execArgs splits exec's arguments: `exec [PROFILE] [flags] [-- COMMAND
// [ARGS...]]`. exec stops parsing its flags at the first argument (flags
// after COMMAND are COMMAND's), so flags after a PROFILE are parsed here.
// A first argument that is no profile of the shared files starts the
// command, as `exec COMMAND ARGS` always did. It returns the command,
// empty for a shell.
func (c *cli) execArgs(cmd *cobra.Command, f *sessionFlags, args []string) ([]string, error) {
	dash := slices.Index(args, "--")
	switch {
	case dash == 0:
		return args[1:], nil
	case len(args) == 0:
		return nil, nil
	case dash < 0 && !c.isProfile(cmd, args[0]):
		return args, nil
	}
	end := len(args)
	if dash > 0 {
		end = dash
	}
	if err := f.setPositionalProfile(cmd, args[0]); err != nil {
		return nil, err
	}
	if err := cmd.Flags().Parse(args[1:end]); err != nil {
		return nil, flagError(cmd, err)
	}
	if rest := cmd.Flags().Args(); len(rest) > 0 {
		return nil, usageErrorf(cmd, "unexpected argument %q after profile %q: put the command after --", rest[0], args[0])
	}
	return args[end+min(1, len(args)-end):], nil
}

// isProfile reports whether the shared files hold profile name.
func (c *cli) isProfile(cmd *cobra.Command, name string) bool {
	if profileArg(cmd, []string{name}) != nil {
		return false
	}
	names, err := c.profileNames()
	return err != nil || slices.Contains(names, name) // unreadable files: the session reports why
}

// markerVar names the session in the environment of exec's command and in
// env's output, for shell prompts (aws-vault sets AWS_VAULT).
const markerVar = "AWSSESSION"

// marker is the marker variable for the session the flags describe: the
// profile, else the last role, else the access key ID.
func marker(f *sessionFlags) envVar {
	v := f.profile
	switch {
	case len(f.roleARNs) > 0:
		if v != "" {
			v += " "
		}
		v += f.roleARNs[len(f.roleARNs)-1]
	case v == "" && f.accessKey != "":
		v = f.accessKey
	case v == "":
		v = "default"
	}
	return envVar{name: markerVar, value: v}
}
