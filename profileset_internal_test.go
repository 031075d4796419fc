package awssession

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// shuffledConfig has references gopkg.in/ini reads differently from the
// SDK (a key the SDK takes from an indented line), so that only the
// SDK's own answer finds the sections.
const shuffledConfig = `[profile top]
role_arn = arn:aws:iam::123456789012:role/top
  source_profile = mid
[profile mid]
  source_profile = base
role_arn = arn:aws:iam::123456789012:role/mid
services = here
[services here]
sts =
  endpoint_url = https://sts.here.invalid
[profile base]
sso_session = corp
sso_account_id = 123456789012
sso_role_name = Dev
[sso-session corp]
sso_start_url = https://corp.invalid/start
sso_region = eu-west-1
[profile nosession]
sso_session = absent
sso_account_id = 123456789012
sso_role_name = Dev
[profile dangling]
role_arn = arn:aws:iam::123456789012:role/d
source_profile = nobody
`

// TestProfileSetParseNeedsNoGuess: with no guess at all of what a profile
// references, parse still answers what the SDK's parser answers from the
// whole files: the SDK names each section it looked up, and parse hands
// it over.
func TestProfileSetParseNeedsNoGuess(t *testing.T) {
	t.Parallel()
	config := filepath.Join(t.TempDir(), "config")
	require.NoError(t, os.WriteFile(config, []byte(shuffledConfig), 0o600))
	files := WithSharedConfigFiles([]string{config}, []string{})
	set, err := readProfileSet([]Option{files})
	require.NoError(t, err)
	require.NotNil(t, set)
	defer set.close()
	set.refs = map[string][]string{}
	for _, name := range []string{"top", "mid", "base", "nosession", "dangling", "absent"} {
		want, wantErr := parseProfile(context.Background(), name, []string{config}, []string{})
		got, err := set.files.parse(context.Background(), name)
		assert.Equal(t, want, got, name)
		if wantErr != nil && assert.Error(t, err, name) {
			assert.Equal(t, wantErr.Error(), err.Error(), name)
		} else {
			assert.NoError(t, err, name)
		}
	}
	top, err := set.files.parse(context.Background(), "top")
	require.NoError(t, err)
	require.NotNil(t, top.Source)
	assert.Equal(t, "https://sts.here.invalid", top.Source.Services.ServiceValues["sts"]["endpoint_url"])
}

// FuzzProfileSetParse: for any config file, every profile parses from the
// sections ExplainProfiles hands the SDK's parser as it does from the
// whole file.
func FuzzProfileSetParse(f *testing.F) {
	f.Add(shuffledConfig)
	f.Add("[default]\nregion = a\n[profile default]\nregion = b\n[profile x]\nsource_profile = default\nrole_arn = r\n")
	f.Add("[profile a]\nx = 1\n[profile a]\nsource_profile = a\nrole_arn = r\naws_access_key_id = k\naws_secret_access_key = s\n")
	f.Add("[profile profile a]\nregion = q\n[profile a]\nsource_profile = profile a\nrole_arn = r\n[profile sso-session s]\nregion = z\n")
	f.Add("[profile a] ; c\nsource_profile = b # c\nrole_arn = r\n[profile b]\ncredential_process = p\n[profile b#c]\nregion = x\n")
	f.Fuzz(func(t *testing.T, text string) {
		path := filepath.Join(t.TempDir(), "config")
		require.NoError(t, os.WriteFile(path, []byte(text), 0o600))
		set, err := readProfileSet([]Option{WithSharedConfigFiles([]string{path}, []string{})})
		if err != nil || set == nil {
			return
		}
		defer set.close()
		for name := range set.names {
			if name == "" || strings.ContainsAny(name, "\n") {
				continue
			}
			// parseProfile turns the SDK parser's panics (a value of one
			// quote: config v1.33.15) into an error naming the file.
			want, wantErr := parseProfile(context.Background(), name, []string{path}, []string{})
			got, err := set.files.parse(context.Background(), name)
			require.Equal(t, want, got, name)
			require.Equal(t, wantErr == nil, err == nil, name)
			if err != nil {
				require.Equal(t, wantErr.Error(), err.Error(), name)
			}
		}
	})
}
