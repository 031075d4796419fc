package main

import (
	"strings"

	"github.com/awssession/awssession/internal/credserver"
)

// secretVars are the environment variables that carry a secret the
// command may read: awssession's own (the secret key, session token, MFA
// code, keyring passphrase), the AWS SDKs' (secret keys and session
// tokens in every spelling), and the credential server's token.
var secretVars = []string{
	envSecretKey, envSessionToken, envMFAToken, envKeyringPassphrase,
	varSecretAccessKey, varSessionToken, varSecurityToken, "AWS_SECRET_KEY",
	credserver.EnvAuthToken,
}

// secretVarSet is the set of variables no process the command starts may
// inherit: secretVars and the one --mfa-totp-secret-env names. It is the
// one list for every such process: exec's command (which also loses the
// variables that compete with its session), --mfa-process and a profile's
// mfa_process, a GUI prompt, the browser.
func secretVarSet(f *sessionFlags) map[string]bool {
	drop := make(map[string]bool, len(secretVars)+1)
	for _, name := range secretVars {
		drop[name] = true
	}
	if f != nil && f.totpEnv != "" {
		drop[f.totpEnv] = true
	}
	return drop
}

// helperEnv is the run's environment without secretVarSet: the
// environment of the helpers the command starts for itself (an MFA
// process, a GUI prompt).
func (c *cli) helperEnv(f *sessionFlags) []string {
	drop := secretVarSet(f)
	env := make([]string, 0, len(c.environ))
	for _, kv := range c.environ {
		if name, _, _ := strings.Cut(kv, "="); !drop[name] {
			env = append(env, kv)
		}
	}
	return env
}
