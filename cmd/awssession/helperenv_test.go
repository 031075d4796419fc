package main

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestHelpersGetNoSecrets: an --mfa-process command, a profile's
// mfa_process and a GUI prompt get the run's environment without a secret
// in it: neither the secret key or the keyring passphrase of awssession,
// nor the SDKs' secret variables (exec's command loses the same ones, and
// --mfa-totp-secret-env's variable: one list, secretVarSet).
func TestHelpersGetNoSecrets(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	dump := filepath.Join(f.dir, "env")
	code := filepath.Join(f.dir, "code")
	bin := fakeTool(t, "mfa-code", `env > "`+dump+`"; cat "`+code+`"`)
	zenity := fakeTool(t, "zenity", `env > "`+dump+`"; cat "`+code+`"`)
	secrets := map[string]string{
		envKeyringPassphrase:    "correct horse passphrase",
		"AWS_SECRET_ACCESS_KEY": "wJalrXUtnFEMI/K7MDENG/EXAMPLEAWSKEY",
	}
	env := []string{"PATH=" + bin + ":" + zenity + ":/usr/bin:/bin", "DISPLAY=:0", "KEEP_ME=kept"}
	for k, v := range secrets {
		env = append(env, k+"="+v)
	}
	secrets[envSecretKey] = f.alice.SecretAccessKey // in the fixture's environment
	for _, tt := range []struct {
		name string
		args []string
	}{
		{"--mfa-process", []string{"--mfa-process", "mfa-code"}},
		{"GUI prompt", nil},
		{"--prompt zenity", []string{"--prompt", "zenity"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			device := f.srv.AddMFADevice("alice") // one code per device and step
			require.NoError(t, os.WriteFile(code, []byte(f.srv.TOTPCode(device.SerialNumber)+"\n"), 0o600))
			session := f.aliceArgs("--no-cache", "--mfa-serial", device.SerialNumber, "--role-arn", f.admin.ARN)
			r := f.run(t, env, "", append(append([]string{"env"}, tt.args...), session...)...)
			require.Equal(t, 0, r.code, "stderr: %s", r.stderr)
			got, err := os.ReadFile(dump)
			require.NoError(t, err)
			for name, value := range secrets {
				assert.NotContains(t, string(got), value, "the helper got $%s", name)
			}
			assert.Contains(t, string(got), "KEEP_ME=kept", "the rest of the environment passes")
		})
	}
}
