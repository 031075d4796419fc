package configfile

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestSet: keys are replaced in place or added after the section's last
// property, a missing section goes at the end, and every other byte stays.
func TestSet(t *testing.T) {
	t.Parallel()
	kv := func(pairs ...string) []KeyValue {
		var out []KeyValue
		for i := 0; i < len(pairs); i += 2 {
			out = append(out, KeyValue{pairs[i], pairs[i+1]})
		}
		return out
	}
	for _, tc := range []struct {
		name, in, section string
		set               []KeyValue
		want              string
	}{
		{"empty file", "", "profile a", kv("region", "eu-west-1"),
			"[profile a]\nregion = eu-west-1\n"},
		{"new section after a blank line", "[default]\nregion = us-east-1\n", "profile a", kv("sso_session", "corp", "sso_role_name", "Admin"),
			"[default]\nregion = us-east-1\n\n[profile a]\nsso_session = corp\nsso_role_name = Admin\n"},
		{"no second blank line", "[default]\nregion = us-east-1\n\n", "profile a", kv("region", "x-1"),
			"[default]\nregion = us-east-1\n\n[profile a]\nregion = x-1\n"},
		{"last line without newline, new section", "[default]\nregion = us-east-1", "profile a", kv("region", "eu-west-1"),
			"[default]\nregion = us-east-1\n\n[profile a]\nregion = eu-west-1\n"},
		{"last line without newline, new key", "[default]\nregion = us-east-1", "default", kv("output", "json"),
			"[default]\nregion = us-east-1\noutput = json\n"},
		{"last line without newline, replaced", "[default]\nregion = us-east-1", "default", kv("region", "eu-west-1"),
			"[default]\nregion = eu-west-1"},
		{"CRLF kept, also for new lines", "[default]\r\nregion = us-east-1\r\n", "profile a", kv("region", "eu-west-1"),
			"[default]\r\nregion = us-east-1\r\n\r\n[profile a]\r\nregion = eu-west-1\r\n"},
		{"CRLF, key added in place", "[default]\r\nregion = us-east-1\r\n\r\n[profile b]\r\n", "default", kv("output", "json"),
			"[default]\r\nregion = us-east-1\r\noutput = json\r\n\r\n[profile b]\r\n"},
		{"comments kept, inline comment of a replaced key too",
			"# top\n[profile a] # mine\n; note\nregion = us-east-1   # inline\n\n# about b\n[profile b]\nregion = b-1\n", "profile a",
			kv("region", "eu-west-1", "output", "json"),
			"# top\n[profile a] # mine\n; note\nregion = eu-west-1 # inline\noutput = json\n\n# about b\n[profile b]\nregion = b-1\n"},
		{"same value: the line stays as written", "[profile a]\nREGION=eu-west-1 ; mine\n", "profile a", kv("region", "eu-west-1"),
			"[profile a]\nREGION=eu-west-1 ; mine\n"},
		{"quoted value the SDK reads the same stays", "[profile a]\nregion = \"eu-west-1\"\n", "profile a", kv("region", "eu-west-1"),
			"[profile a]\nregion = \"eu-west-1\"\n"},
		{"[default] is not [profile default]", "[profile default]\nregion = a-1\n", "default", kv("region", "b-1"),
			"[profile default]\nregion = a-1\n\n[default]\nregion = b-1\n"},
		{"header spacing as the SDK reads it", "[  profile \t a  ]\nregion = a-1\n", "profile a", kv("region", "b-1"),
			"[  profile \t a  ]\nregion = b-1\n"},
		{"= in values", "[profile a]\ncredential_process = tool --x=1 --y=2\n", "profile a", kv("region", "a-1", "credential_process", "tool --x=1 --y=3"),
			"[profile a]\ncredential_process = tool --x=1 --y=3\nregion = a-1\n"},
		{"new key after sub-properties, not among them",
			"[services local]\nsso =\n  endpoint_url = http://127.0.0.1:1\nsts =\n  endpoint_url = http://127.0.0.1:2\n\n[profile a]\n",
			"services local", kv("endpoint_url", "http://127.0.0.1:3"),
			"[services local]\nsso =\n  endpoint_url = http://127.0.0.1:1\nsts =\n  endpoint_url = http://127.0.0.1:2\nendpoint_url = http://127.0.0.1:3\n\n[profile a]\n"},
		{"a key with sub-properties replaced whole",
			"[services local]\nsso =\n  endpoint_url = http://127.0.0.1:1\nsts =\n  endpoint_url = http://127.0.0.1:2\n",
			"services local", kv("sso", "x"),
			"[services local]\nsso = x\nsts =\n  endpoint_url = http://127.0.0.1:2\n"},
		{"continuation lines replaced with the value",
			"[profile a]\nca_bundle = one\n  two\nregion = a-1\n", "profile a", kv("ca_bundle", "three"),
			"[profile a]\nca_bundle = three\nregion = a-1\n"},
		{"repeated section: the key that wins is replaced, a new one goes last",
			"[profile a]\nregion = a-1\n[profile b]\n[profile a]\noutput = text\n# end\n", "profile a", kv("region", "b-1", "output", "json", "x", "y"),
			"[profile a]\nregion = b-1\n[profile b]\n[profile a]\noutput = json\nx = y\n# end\n"},
		{"empty section: key right after the header", "[profile a]\n\n# about b\n[profile b]\n", "profile a", kv("region", "a-1"),
			"[profile a]\nregion = a-1\n\n# about b\n[profile b]\n"},
		{"properties before any section are not a section's",
			"region = top\n[profile a]\n", "profile a", kv("region", "a-1"),
			"region = top\n[profile a]\nregion = a-1\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			f := Parse([]byte(tc.in))
			require.NoError(t, f.Set(tc.section, tc.set...))
			assert.Equal(t, tc.want, string(f.Bytes()))
			for _, kv := range tc.set {
				got, ok := f.Get(tc.section, kv.Key)
				assert.True(t, ok, "key %s", kv.Key)
				assert.Equal(t, kv.Value, got, "key %s", kv.Key)
			}
		})
	}
}

// TestSetRefuses names and values the SDK would read back otherwise,
// and changes nothing then.
func TestSetRefuses(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		section string
		kv      KeyValue
	}{
		{"", KeyValue{"region", "a-1"}},
		{"profile a]", KeyValue{"region", "a-1"}},
		{"profile  a", KeyValue{"region", "a-1"}}, // read back as "profile a"
		{"profile a#b", KeyValue{"region", "a-1"}},
		{"profile\na", KeyValue{"region", "a-1"}},
		{"profile a", KeyValue{"Region", "a-1"}},
		{"profile a", KeyValue{"", "a-1"}},
		{"profile a", KeyValue{"re gion", "a-1"}},
		{"profile a", KeyValue{"region", " a-1"}},
		{"profile a", KeyValue{"region", "a-1 # no"}},
		{"profile a", KeyValue{"region", "a-1\nb = c"}},
		{"profile a", KeyValue{"region", `"a-1"`}},
	} {
		in := "[profile a]\nregion = x-1\n"
		f := Parse([]byte(in))
		assert.Error(t, f.Set(tc.section, KeyValue{"output", "json"}, tc.kv), "%q %q", tc.section, tc.kv)
		assert.Equal(t, in, string(f.Bytes()))
	}
}

// TestRemove: a section goes with the blank lines that set it apart;
// comments after it (about the next section) stay.
func TestRemove(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name, in, want string
	}{
		{"last", "[default]\nregion = a-1\n\n[profile g]\nsso_session = s\n", "[default]\nregion = a-1\n"},
		{"middle", "[default]\nx = 1\n\n[profile g]\nk = v\n\n# about b\n[profile b]\ny = 2\n", "[default]\nx = 1\n\n# about b\n[profile b]\ny = 2\n"},
		{"one blank line goes", "[default]\n\n\n[profile g]\nk = v\n", "[default]\n\n"},
		{"first", "[profile g]\nk = v\n\n[profile b]\ny = 2\n", "[profile b]\ny = 2\n"},
		{"only", "[profile g]\nk = v\n", ""},
		{"no newline at the end", "[default]\n\n[profile g]\nk = v", "[default]\n"},
		{"CRLF", "[default]\r\nx = 1\r\n\r\n[profile g]\r\nk = v\r\n", "[default]\r\nx = 1\r\n"},
		{"comment inside goes, comment above stays", "# mine\n[profile g]\n# generated\nk = v\n", "# mine\n"},
		{"every block of it", "[profile g]\nk = v\n[default]\nx = 1\n[profile g]\nj = w\n", "[default]\nx = 1\n"},
		{"sub-properties go with it", "[services g]\nsso =\n  endpoint_url = http://127.0.0.1:1\n\n[default]\n", "[default]\n"},
		{"[default] is not [profile default]", "[default]\nx = 1\n", "[default]\nx = 1\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			f := Parse([]byte(tc.in))
			section := "profile g"
			if tc.name == "sub-properties go with it" {
				section = "services g"
			}
			if tc.name == "[default] is not [profile default]" {
				section = "profile default"
			}
			assert.Equal(t, tc.in != tc.want, f.Remove(section))
			assert.Equal(t, tc.want, string(f.Bytes()))
		})
	}
}

// TestAddThenRemoveRestores: a section added and removed leaves the file
// as it was.
func TestAddThenRemoveRestores(t *testing.T) {
	t.Parallel()
	for _, in := range []string{"", "[default]\nregion = a-1\n", "# c\n[default]\r\nx = 1\r\n", "[default]\n\n# end\n"} {
		f := Parse([]byte(in))
		require.NoError(t, f.Set("profile g", KeyValue{"sso_session", "s"}))
		require.True(t, f.Remove("profile g"))
		assert.Equal(t, in, string(f.Bytes()))
	}
}

// TestSections lists each section once, in order, by the SDK's names.
func TestSections(t *testing.T) {
	t.Parallel()
	f := Parse([]byte("top = 1\n[default]\n[ profile  a ] ; c\n[sso-session corp]\n  [services x]\n[profile a]\n#[profile c]\n"))
	assert.Equal(t, []string{"default", "profile a", "sso-session corp", "services x"}, f.Sections())
	assert.True(t, f.Has("profile a"))
	assert.False(t, f.Has("profile c"))
}

// TestGetAgreesWithTheSDK reads tricky lines with Get and with the SDK's
// own parser.
func TestGetAgreesWithTheSDK(t *testing.T) {
	t.Parallel()
	text := "[profile a]\r\nregion = 'eu-west-1' # c\r\nsso_session=corp\r\n  sso_role_name = Admin ; promoted\r\n" +
		"[profile b]\nservices = local\ncredential_process = tool --a=b\n[profile a]\nsso_account_id : 123456789012\n" +
		"[services local]\nsso =\n  endpoint_url = http://127.0.0.1:9\n[sso-session corp]\nsso_region = us-east-1\nsso_start_url = https://x.invalid/start\n"
	path := filepath.Join(t.TempDir(), "config")
	require.NoError(t, os.WriteFile(path, []byte(text), 0o600))
	f := Parse([]byte(text))
	load := func(name string) config.SharedConfig {
		sc, err := config.LoadSharedConfigProfile(context.Background(), name, func(o *config.LoadSharedConfigOptions) {
			o.ConfigFiles, o.CredentialsFiles = []string{path}, []string{}
		})
		require.NoError(t, err)
		return sc
	}
	a, b := load("a"), load("b")
	get := func(section, key string) string {
		v, _ := f.Get(section, key)
		return v
	}
	assert.Equal(t, a.Region, get("profile a", "region"))
	assert.Equal(t, a.SSOSessionName, get("profile a", "sso_session"))
	assert.Equal(t, a.SSORoleName, get("profile a", "sso_role_name"))
	assert.Equal(t, a.SSOAccountID, get("profile a", "sso_account_id"))
	assert.Equal(t, b.CredentialProcess, get("profile b", "credential_process"))
	assert.Equal(t, "http://127.0.0.1:9", b.Services.ServiceValues["sso"]["endpoint_url"])
	_, ok := f.Get("services local", "endpoint_url")
	assert.False(t, ok, "a sub-property is not a key of the section")
	sso, ok := f.Get("services local", "sso")
	assert.True(t, ok)
	assert.Empty(t, sso)
}
