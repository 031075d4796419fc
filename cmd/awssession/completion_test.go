package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// completionFixture is an environment whose shared files hold profiles
// default, dev and prod-admin (config), ci (credentials) and an
// sso-session, which is no profile.
func completionFixture(t *testing.T) []string {
	t.Helper()
	dir := t.TempDir()
	config, creds := filepath.Join(dir, "config"), filepath.Join(dir, "credentials")
	require.NoError(t, os.WriteFile(config, []byte("[default]\nregion = eu-west-1\n[profile dev]\nregion = eu-west-1\n"+
		"[profile prod-admin]\nrole_arn = arn:aws:iam::123456789012:role/Admin\nsource_profile = dev\n[sso-session corp]\nsso_region = eu-west-1\n"), 0o600))
	require.NoError(t, os.WriteFile(creds, []byte("[ci]\naws_access_key_id = AKIAEXAMPLE\naws_secret_access_key = x\n"), 0o600))
	return []string{"HOME=" + dir, "AWS_CONFIG_FILE=" + config, "AWS_SHARED_CREDENTIALS_FILE=" + creds}
}

// TestCompleteProfiles asks for completions as the shells' scripts do
// (the hidden __complete command): profile names for --profile and for the
// PROFILE argument of every command that takes one, files for exec's
// command, nothing where nothing fits.
func TestCompleteProfiles(t *testing.T) {
	t.Parallel()
	env := completionFixture(t)
	all := []string{"ci", "default", "dev", "prod-admin"}
	tests := []struct {
		args      []string
		want      []string
		directive string // ":4" no files, ":0" the shell's default (files)
	}{
		{[]string{"env", ""}, all, ":4"},
		{[]string{"env", "p"}, []string{"prod-admin"}, ":4"},
		{[]string{"env", "de"}, []string{"default", "dev"}, ":4"},
		{[]string{"env", "dev", ""}, nil, ":4"},
		{[]string{"exec", ""}, all, ":4"},
		{[]string{"exec", "dev", ""}, nil, ":0"},
		{[]string{"whoami", ""}, all, ":4"},
		{[]string{"console", "c"}, []string{"ci"}, ":4"},
		{[]string{"explain", "prod"}, []string{"prod-admin"}, ":4"},
		{[]string{"credential-process", "d"}, []string{"default", "dev"}, ":4"},
		{[]string{"remove", ""}, all, ":4"},
		{[]string{"cache", "clear", "pr"}, []string{"prod-admin"}, ":4"},
		{[]string{"cache", "clear", "dev", ""}, nil, ":4"},
		{[]string{"env", "--profile", ""}, all, ":4"},
		{[]string{"exec", "--profile", "ci"}, []string{"ci"}, ":4"},
		{[]string{"whoami", "--profile=d"}, []string{"default", "dev"}, ":4"},
		{[]string{"serve", "--profile", "x"}, nil, ":4"},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			t.Parallel()
			r := runCLI(t, env, "", append([]string{"__complete"}, tt.args...)...)
			require.Equal(t, 0, r.code, "stderr: %s", r.stderr)
			lines := strings.Split(strings.TrimSuffix(r.stdout, "\n"), "\n")
			require.NotEmpty(t, lines)
			assert.Equal(t, tt.directive, lines[len(lines)-1], "directive; stdout: %s", r.stdout)
			assert.Equal(t, tt.want, nilIfEmpty(lines[:len(lines)-1]))
		})
	}
}

func nilIfEmpty(s []string) []string {
	if len(s) == 0 {
		return nil
	}
	return s
}

// TestCompletionScripts prints the completion script of every shell cobra
// supports; each calls back into awssession.
func TestCompletionScripts(t *testing.T) {
	t.Parallel()
	for _, shell := range []string{"bash", "zsh", "fish", "powershell"} {
		t.Run(shell, func(t *testing.T) {
			t.Parallel()
			r := runCLI(t, nil, "", "completion", shell)
			require.Equal(t, 0, r.code, "stderr: %s", r.stderr)
			assert.Contains(t, r.stdout, "__complete", "the script asks the binary for completions")
			assert.Contains(t, r.stdout, "awssession")
			assert.Empty(t, r.stderr)
		})
	}
}

// TestBashCompletesProfiles loads the bash completion script into a real
// bash and completes "awssession env d" and "awssession exec --profile "
// there, with awssession (the test binary acting as it) on PATH.
func TestBashCompletesProfiles(t *testing.T) {
	t.Parallel()
	bash, err := exec.LookPath("bash") // the other tests need it too (evalBash): no skip
	require.NoError(t, err, "bash not found")
	bin := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(bin, "awssession"),
		[]byte("#!/bin/sh\n"+cliSwitch+"=1 exec '"+os.Args[0]+"' \"$@\"\n"), 0o700))
	env := append(completionFixture(t), "PATH="+bin+string(os.PathListSeparator)+os.Getenv("PATH"))
	script := runCLI(t, nil, "", "completion", "bash")
	require.Equal(t, 0, script.code, "stderr: %s", script.stderr)
	file := filepath.Join(t.TempDir(), "awssession.bash")
	require.NoError(t, os.WriteFile(file, []byte(script.stdout), 0o600))
	tests := []struct {
		line string
		want []string
	}{
		{"awssession env d", []string{"default", "dev"}},
		{"awssession exec --profile ", []string{"ci", "default", "dev", "prod-admin"}},
		{"awssession console prod", []string{"prod-admin"}},
	}
	for _, tt := range tests {
		t.Run(tt.line, func(t *testing.T) {
			t.Parallel()
			// bash-completion's _get_comp_words_by_ref, where the package
			// is missing, for the words this test sets.
			cmd := exec.Command(bash, "--norc", "-c", `
if [[ -f /usr/share/bash-completion/bash_completion ]]; then
	source /usr/share/bash-completion/bash_completion
else
	_get_comp_words_by_ref() {
		cur=${COMP_WORDS[COMP_CWORD]}; prev=${COMP_WORDS[COMP_CWORD-1]}
		words=("${COMP_WORDS[@]}"); cword=$COMP_CWORD
	}
fi
source "$1"
COMP_LINE="$2"; COMP_POINT=${#COMP_LINE}
read -r -a COMP_WORDS <<< "$COMP_LINE"
[[ "$COMP_LINE" == *" " ]] && COMP_WORDS+=("")
COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
__start_awssession awssession
printf '%s\n' "${COMPREPLY[@]}"`, "bash", file, tt.line)
			cmd.Env = env
			var stderr strings.Builder
			cmd.Stderr = &stderr // compopt complains outside a real completion
			out, err := cmd.Output()
			require.NoError(t, err, "bash: %s", stderr.String())
			var got []string
			for _, l := range strings.Split(strings.TrimSpace(string(out)), "\n") {
				got = append(got, strings.TrimSpace(l))
			}
			assert.Equal(t, tt.want, got)
		})
	}
}
