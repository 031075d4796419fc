package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestListCredentials: list says what each profile's credentials are
// (the library's plan of the profile), not "none" for everything that is
// not keys, in text and JSON alike.
func TestListCredentials(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	writeProfiles(t, f, "")
	config, err := os.ReadFile(filepath.Join(f.dir, "config"))
	require.NoError(t, err)
	token := filepath.Join(f.dir, "token")
	require.NoError(t, os.WriteFile(token, []byte("x"), 0o600))
	config = append(config, []byte("\n[profile proc]\ncredential_process = /bin/false\n"+
		"[profile web]\nrole_arn = "+f.reader.ARN+"\nweb_identity_token_file = "+token+"\n"+
		"[profile ec2]\nrole_arn = "+f.reader.ARN+"\ncredential_source = Ec2InstanceMetadata\n"+
		"[profile corp]\nsso_session = corp\nsso_account_id = 123456789012\nsso_role_name = Dev\nregion = eu-west-1\n"+
		"[sso-session corp]\nsso_start_url = https://corp.invalid/start\nsso_region = eu-west-1\n"+
		"[profile empty]\nregion = eu-west-1\n")...)
	require.NoError(t, os.WriteFile(filepath.Join(f.dir, "config"), config, 0o600))
	want := map[string]string{
		"admin":  "role on dev",
		"reader": "role on dev",
		"dev":    "credentials file",
		"proc":   "credential_process",
		"web":    "web identity",
		"ec2":    "credential_source Ec2InstanceMetadata",
		"corp":   "sso",
		"empty":  "none",
	}
	env := keyringEnv(t)
	text := f.binary(t, env, "", "list")
	require.Equal(t, 0, text.code, "stderr: %s", text.stderr)
	lines := strings.Split(strings.TrimSpace(text.stdout), "\n")
	require.Len(t, lines, len(want)+1, text.stdout)
	assert.Regexp(t, `^PROFILE\s+CREDENTIALS\s+TOTP SEED\s+CACHED SESSIONS$`, lines[0])
	for _, line := range lines[1:] {
		name := strings.Fields(line)[0]
		assert.Regexp(t, `^`+name+`\s+`+strings.ReplaceAll(want[name], " ", `\s`)+`\s+-\s+-$`, line)
	}
	for _, args := range [][]string{{"list", "--json"}, {"list", "--format", "json"}} {
		r := f.binary(t, env, "", args...)
		require.Equal(t, 0, r.code, "stderr: %s", r.stderr)
		var profiles []listedProfile
		require.NoError(t, json.Unmarshal([]byte(r.stdout), &profiles), r.stdout)
		got := map[string]string{}
		for _, p := range profiles {
			got[p.Profile] = p.Credentials
		}
		assert.Equal(t, want, got, "%v", args)
	}
}
