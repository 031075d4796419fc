package main

import (
	"cmp"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/agnivade/levenshtein"
	"github.com/awssession/awssession"
	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

// maxSuggestions is how many names a "did you mean" offers.
const maxSuggestions = 3

// closeNames returns the candidates typed may be a typo of, closest
// first: the same name in another case, names it starts (typed is at
// least 2 characters), and names one edit away (two for names of 5
// characters or more; a swap of two letters is two edits).
func closeNames(typed string, candidates []string) []string {
	if typed == "" {
		return nil
	}
	maxEdits := 1
	if len(typed) >= 5 {
		maxEdits = 2
	}
	type near struct {
		name string
		dist int
	}
	var found []near
	for _, c := range candidates {
		if c == typed {
			continue
		}
		d := levenshtein.ComputeDistance(strings.ToLower(typed), strings.ToLower(c))
		if d <= maxEdits || len(typed) >= 2 && strings.HasPrefix(c, typed) {
			found = append(found, near{c, d})
		}
	}
	slices.SortFunc(found, func(a, b near) int { return cmp.Or(cmp.Compare(a.dist, b.dist), strings.Compare(a.name, b.name)) })
	var names []string
	for _, n := range found[:min(len(found), maxSuggestions)] {
		names = append(names, n.name)
	}
	return names
}

// didYouMean words suggestions as " (did you mean A, B or C?)"; "" for
// none.
func didYouMean(suggestions []string) string {
	if len(suggestions) == 0 {
		return ""
	}
	return " (did you mean " + orList(suggestions) + "?)"
}

// orList words names as "A, B or C", each as safeName prints it.
func orList(names []string) string {
	safe := make([]string, len(names))
	for i, n := range names {
		safe[i] = safeName(n)
	}
	last := len(safe) - 1
	if last == 0 {
		return safe[0]
	}
	return strings.Join(safe[:last], ", ") + " or " + safe[last]
}

// profileHint offers the profiles a misspelt profile name may stand for,
// when err is about a named profile the shared files do not hold.
func (c *cli) profileHint(err error) string {
	var given *profileError
	if !errors.As(err, &given) || !slices.ContainsFunc(inputErrors(err), func(e *awssession.InputError) bool {
		return e.Option == awssession.OptionWithProfile && e.Param == "" && !errors.Is(e, awssession.ErrConflictingOptions)
	}) {
		return ""
	}
	names, rerr := c.profileNames()
	if rerr != nil || slices.Contains(names, given.name) {
		return ""
	}
	if s := closeNames(given.name, names); len(s) > 0 {
		return "did you mean " + orList(s) + "? ('awssession list' shows every profile)"
	}
	return "'awssession list' shows every profile"
}

// flagError is the usage error for a flag cmd could not parse: an
// unknown long flag gets the flags of cmd it may be a typo of.
func flagError(cmd *cobra.Command, err error) error {
	var missing *pflag.NotExistError
	if errors.As(err, &missing) && missing.GetSpecifiedShortnames() == "" {
		typed := strings.ReplaceAll(missing.GetSpecifiedName(), "_", "-")
		if slices.Contains(stsFlags, typed) && cmd.Flags().Lookup("role-arn") != nil { // a session command without them: explain
			return usageErrorf(cmd, "--%s: %s makes no STS call, so the flags that talk to STS (--%s) do nothing here; leave it out",
				typed, cmd.Name(), strings.Join(stsFlags, ", --"))
		}
		var names []string
		cmd.Flags().VisitAll(func(f *pflag.Flag) {
			if !f.Hidden {
				names = append(names, f.Name)
			}
		})
		suggestions := closeNames(typed, names)
		for i, s := range suggestions {
			suggestions[i] = "--" + s
		}
		err = fmt.Errorf("%w%s", err, didYouMean(suggestions))
	}
	return &usageError{cmd: cmd.CommandPath(), err: err}
}

// commandHint offers the profiles a command exec did not find may stand
// for: "exec admni" runs a command admni, as "exec COMMAND" always did.
func (c *cli) commandHint(name string) string {
	names, err := c.profileNames()
	if err != nil {
		return ""
	}
	if s := closeNames(name, names); len(s) > 0 {
		return fmt.Sprintf("to use profile %s: awssession exec %s -- COMMAND", orList(s), safeName(s[0]))
	}
	return ""
}
