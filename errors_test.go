package awssession_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/awssession/awssession"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// An InputError says in parts what its Go text says, so that a command
// line can name its own flags: the option, hop and parameter, or the
// profile and key, the problem without Go names, and the remedy.
func TestInputErrorParts(t *testing.T) {
	t.Parallel()
	const reader, deep = "arn:aws:iam::123456789012:role/Reader", "arn:aws:iam::123456789012:role/Deep"
	const serial = "arn:aws:iam::123456789012:mfa/alice"
	config := filepath.Join(t.TempDir(), "config")
	require.NoError(t, os.WriteFile(config, []byte("[profile base]\naws_access_key_id = AKIAIOSFODNN7EXAMPLE\naws_secret_access_key = s\n"+
		"[profile mid]\nrole_arn = "+reader+"\nsource_profile = base\n"+
		"[profile deep]\nrole_arn = "+deep+"\nsource_profile = mid\nduration_seconds = 7200\n"+
		"[profile mfa]\nrole_arn = "+reader+"\nsource_profile = base\nmfa_serial = "+serial+"\n"), 0o600))
	files := awssession.WithSharedConfigFiles([]string{config}, []string{})
	keys := awssession.WithStaticCredentials("AKIAIOSFODNN7EXAMPLE", "secret-value", "")
	role := func(arn string, d time.Duration) awssession.Option {
		return awssession.WithAssumeRole(awssession.AssumeRole{RoleARN: arn, Duration: d})
	}
	tests := []struct {
		name string
		opts []awssession.Option
		want awssession.InputError // Field, Option, Index, Param, Profile, ProfileKey, Remedy
		goes []string              // in Error(): Go terms
	}{
		{"chained duration", []awssession.Option{keys, role(reader, 0), role(deep, 2*time.Hour)},
			awssession.InputError{Field: "AssumeRole[1].Duration", Option: "AssumeRole", Index: 1, Param: "Duration", Remedy: awssession.RemedyClampDurations},
			[]string{"AssumeRole[1].Duration", "use ClampDurations"}},
		{"profile duration_seconds", []awssession.Option{files, awssession.WithProfile("deep")},
			awssession.InputError{Field: `profile "deep": duration_seconds`, Index: -1, Profile: "deep", ProfileKey: "duration_seconds",
				Remedy: awssession.RemedyClampDurations},
			[]string{`profile "deep": duration_seconds`, "ClampDurations"}},
		{"region", []awssession.Option{keys, awssession.WithRegion("moon")},
			awssession.InputError{Field: "WithRegion", Option: "WithRegion", Index: -1}, []string{"WithRegion"}},
		{"MFA serial", []awssession.Option{keys, awssession.WithMFA("nope", awssession.StaticToken("123456")), awssession.WithGetSessionToken(0)},
			awssession.InputError{Field: "WithMFA.SerialNumber", Option: "WithMFA", Index: -1, Param: "SerialNumber"}, []string{"WithMFA.SerialNumber"}},
		{"secret key", []awssession.Option{awssession.WithStaticCredentials("AKIAIOSFODNN7EXAMPLE", "secret-value\x00", "")},
			awssession.InputError{Field: "WithStaticCredentials.SecretAccessKey", Option: "WithStaticCredentials", Index: -1, Param: "SecretAccessKey"},
			[]string{"WithStaticCredentials.SecretAccessKey"}},
		{"mfa_serial without codes", []awssession.Option{files, awssession.WithProfile("mfa")},
			awssession.InputError{Field: `profile "mfa": mfa_serial`, Index: -1, Profile: "mfa", ProfileKey: "mfa_serial", Remedy: awssession.RemedySupplyMFACodes},
			[]string{"WithMFA(serial, tokens)"}},
		{"MFA device and no layer", []awssession.Option{keys, awssession.WithMFA(serial, awssession.StaticToken("123456"))},
			awssession.InputError{Field: "WithMFA", Option: "WithMFA", Index: -1, Remedy: awssession.RemedyAddMFALayer},
			[]string{"add WithGetSessionToken or WithAssumeRole"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := awssession.Explain(context.Background(), append([]awssession.Option{awssession.WithEnvironment(nil)}, tt.opts...)...)
			require.ErrorIs(t, err, awssession.ErrInvalidInput)
			var ie *awssession.InputError
			require.ErrorAs(t, err, &ie)
			got := awssession.InputError{Field: ie.Field, Option: ie.Option, Index: ie.Index, Param: ie.Param,
				Profile: ie.Profile, ProfileKey: ie.ProfileKey, Remedy: ie.Remedy}
			assert.Equal(t, tt.want, got)
			require.NotEmpty(t, ie.Problem)
			assert.NotRegexp(t, `With[A-Z]|\[\d+\]\.|ClampDurations|cfg\.`, ie.Problem, "the problem names no Go option")
			assert.NotContains(t, ie.Problem, "secret-value")
			for _, g := range tt.goes {
				assert.Contains(t, ie.Error(), g, "Error() speaks Go")
			}
		})
	}
}
