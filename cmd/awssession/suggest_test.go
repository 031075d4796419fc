package main

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestCloseNames(t *testing.T) {
	t.Parallel()
	names := []string{"admin", "admin-eu", "base", "dev", "prod", "reader"}
	for _, tt := range []struct {
		typed string
		want  []string
	}{
		{"admni", []string{"admin"}}, // a swap is two edits
		{"Admin", []string{"admin"}},
		{"adm", []string{"admin", "admin-eu"}},
		{"dv", []string{"dev"}},
		{"raeder", []string{"reader"}},
		{"xyz", nil},
		{"dev", nil}, // itself is no suggestion
		{"", nil},
	} {
		assert.Equal(t, tt.want, closeNames(tt.typed, names), "closeNames(%q)", tt.typed)
	}
}

// TestDidYouMean: through the command, a misspelt profile (as the
// argument, --profile or $AWS_PROFILE) is named as it was given with the
// profiles it may stand for; a misspelt flag gets the flag; a misspelt
// profile where exec expects a command gets the profile.
func TestDidYouMean(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	f.readerProfiles(t)
	for _, tt := range []struct {
		name      string
		env, args []string
		code      int
		want      []string
	}{
		{"argument", nil, []string{"env", "raeder"}, exitUsage,
			[]string{`awssession: the PROFILE argument: profile "raeder" is not in the shared config files`, "hint: did you mean reader?"}},
		{"--profile", nil, []string{"whoami", "--profile", "raeder"}, exitUsage,
			[]string{`awssession: --profile: profile "raeder" is not`, "hint: did you mean reader?"}},
		{"AWS_PROFILE", []string{"AWS_PROFILE=raeder"}, []string{"explain"}, exitUsage,
			[]string{`awssession: $AWS_PROFILE: profile "raeder" is not`, "hint: did you mean reader?"}},
		{"nothing close", nil, []string{"env", "zzzzzz"}, exitUsage,
			[]string{`profile "zzzzzz" is not`, "hint: 'awssession list' shows every profile"}},
		{"flag", nil, []string{"env", "reader", "--rol-arn", f.admin.ARN}, exitUsage,
			[]string{"awssession: unknown flag: --rol-arn (did you mean --role-arn?)"}},
		{"flag, other spelling", nil, []string{"exec", "--sts_endpiont", f.srv.URL, "--", "true"}, exitUsage,
			[]string{"unknown flag: --sts_endpiont (did you mean --sts-endpoint?)"}},
		{"flag after exec's profile", nil, []string{"exec", "reader", "--rol-arn", f.admin.ARN, "--", "true"}, exitUsage,
			[]string{"unknown flag: --rol-arn (did you mean --role-arn?)"}},
		{"exec of a misspelt profile", nil, []string{"exec", "raeder"}, 127,
			[]string{"awssession: exec raeder: command not found", "hint: to use profile reader: awssession exec reader -- COMMAND"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r := f.binary(t, tt.env, "", tt.args...)
			assert.Equal(t, tt.code, r.code, "stderr: %s", r.stderr)
			for _, w := range tt.want {
				assert.Contains(t, r.stderr, w)
			}
		})
	}
}
