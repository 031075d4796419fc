//go:build unix

package main

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// shellOrSkip returns the path of tool, or skips without it unless
// AWSSESSION_REQUIRE_SHELLS=1 (CI installs fish and zsh; python3 with
// python-dotenv comes with moto) or, for pwsh, AWSSESSION_REQUIRE_PWSH=1.
func shellOrSkip(t *testing.T, tool string) string {
	t.Helper()
	path, err := exec.LookPath(tool)
	if err == nil && tool == "python3" {
		err = exec.Command(path, "-c", "import dotenv").Run()
	}
	if err == nil {
		return path
	}
	guard := map[bool]string{true: "AWSSESSION_REQUIRE_PWSH", false: "AWSSESSION_REQUIRE_SHELLS"}[tool == "pwsh"]
	if os.Getenv(guard) == "1" {
		t.Fatalf("%s not usable (%v); %s=1 requires it", tool, err, guard)
	}
	t.Skipf("%s not usable: %v", tool, err)
	return ""
}

// readBack runs script (which reads FILE) in a shell, then env -0, and
// returns the environment it ends with.
func readBack(t *testing.T, argv []string, file string) map[string]string {
	t.Helper()
	cmd := exec.Command(argv[0], append(argv[1:], file)...)
	cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + t.TempDir(), "AWSSESSION=old", "LANG=C.UTF-8"}
	cmd.Dir = filepath.Dir(file)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	require.NoError(t, err, "%s: %s", argv[0], stderr.String())
	env := map[string]string{}
	for _, kv := range strings.Split(strings.TrimSuffix(string(out), "\x00"), "\x00") {
		k, v, _ := strings.Cut(kv, "=")
		env[k] = v
	}
	return env
}

// TestFormatsInRealShells prints hostile values (command substitutions,
// expansions, quotes of every kind, non-ASCII, line breaks) in each
// format through the command and has the format's real readers read them:
// every value comes back as it was and no part of it ran. dotenv refuses
// what single quotes cannot carry for every reader, naming the variable
// and never the value.
func TestFormatsInRealShells(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	// Commands run in the directory of the file read; RAN would appear
	// there. The secret key is short (at most 128 bytes are taken).
	payload := "$(touch RAN)`touch RAN`$HOME$Env:HOME\"dq\";&|<>*~# éё‘’日"
	hostile := payload + "${HOME}'sq'\\bs\n2\t\x01\x7f"
	type reader struct {
		tool string
		argv []string // the file follows
	}
	bashEval := reader{"bash", []string{"bash", "-c", `eval "$(cat "$1")" && env -0`, "bash"}}
	for _, tt := range []struct {
		format, value string
		readers       []reader
	}{
		{"bash", hostile, []reader{bashEval, {"bash", []string{"bash", "-c", `. "$1" && env -0`, "bash"}},
			{"sh", []string{"sh", "-c", `eval "$(cat "$1")" && env -0`, "sh"}},
			{"zsh", []string{"zsh", "-c", `eval "$(cat "$1")" && env -0`, "zsh"}}}},
		{"sh", hostile, []reader{{"sh", []string{"sh", "-c", `. "$1" && env -0`, "sh"}}}},
		{"fish", hostile, []reader{{"fish", []string{"fish", "-c", `source $argv[1]; and env -0`}}}},
		{"dotenv", payload, []reader{{"sh", []string{"sh", "-c", `set -a && . "$1" && env -0`, "sh"}},
			{"bash", []string{"bash", "-c", `set -a && . "$1" && env -0`, "bash"}},
			{"python3", []string{"python3", "-c", `import os, sys, dotenv
dotenv.load_dotenv(sys.argv[1], override=True)
sys.stdout.write("".join(k + "=" + v + "\0" for k, v in os.environ.items()))`}}}},
		{"powershell", hostile, []reader{{"pwsh", []string{"pwsh", "-NoProfile", "-NonInteractive", "-Command", `. $args[0]; ` +
			`[Console]::Out.Write((Get-ChildItem Env: | ForEach-Object { $_.Name + '=' + $_.Value + [char]0 }) -join '')`}}}},
	} {
		t.Run(tt.format, func(t *testing.T) {
			t.Parallel()
			env := []string{envSecretKey + "=" + tt.value, envSessionToken + "=" + tt.value + strings.Repeat(tt.value, 8)}
			r := f.binary(t, env, "", "env", "--access-key", "AKIAIOSFODNN7EXAMPLE", "--region", "us-east-1", "--format", tt.format)
			require.Equal(t, 0, r.code, "stderr: %s", r.stderr)
			if tt.format == "powershell" {
				for i := 0; i < len(r.stdout); i++ {
					require.Less(t, r.stdout[i], byte(0x80), "byte %d of the PowerShell output is not ASCII: %q", i, r.stdout)
				}
			}
			file := filepath.Join(t.TempDir(), "session."+tt.format)
			require.NoError(t, os.WriteFile(file, []byte(r.stdout), 0o600))
			for _, rd := range tt.readers {
				t.Run(rd.tool, func(t *testing.T) {
					argv := append([]string{shellOrSkip(t, rd.tool)}, rd.argv[1:]...)
					got := readBack(t, argv, file)
					assert.Equal(t, tt.value, got["AWS_SECRET_ACCESS_KEY"])
					assert.Equal(t, tt.value+strings.Repeat(tt.value, 8), got["AWS_SESSION_TOKEN"])
					assert.Equal(t, "AKIAIOSFODNN7EXAMPLE", got["AWS_ACCESS_KEY_ID"])
					assert.Equal(t, "AKIAIOSFODNN7EXAMPLE", got[markerVar])
					assert.NoFileExists(t, filepath.Join(filepath.Dir(file), "RAN"), "%s ran a part of a value", rd.tool)
				})
			}
		})
	}

	t.Run("github", func(t *testing.T) {
		t.Parallel()
		ghEnv := filepath.Join(t.TempDir(), "github_env")
		value := hostile + "\n::set-output name=x::y\nghadelimiter_x"
		env := []string{envSecretKey + "=" + hostile, envSessionToken + "=" + value, "GITHUB_ENV=" + ghEnv}
		r := f.binary(t, env, "", "env", "--access-key", "AKIAIOSFODNN7EXAMPLE", "--region", "us-east-1", "--format", "github")
		require.Equal(t, 0, r.code, "stderr: %s", r.stderr)
		data, err := os.ReadFile(ghEnv)
		require.NoError(t, err)
		vars := parseGitHubEnv(t, string(data))
		assert.Equal(t, hostile, vars["AWS_SECRET_ACCESS_KEY"])
		assert.Equal(t, value, vars["AWS_SESSION_TOKEN"])
		for _, line := range strings.Split(strings.TrimSuffix(r.stdout, "\n"), "\n") {
			assert.True(t, strings.HasPrefix(line, "::add-mask::"), "a workflow command other than a mask: %q", line)
		}
	})

	for _, bad := range []string{"it's", `back\slash`, "line\nbreak", "${HOME}"} {
		r := f.binary(t, []string{envSecretKey + "=" + bad}, "", "env", "--access-key", "AKIAIOSFODNN7EXAMPLE", "--region", "us-east-1", "--format", "dotenv")
		assert.Equal(t, exitError, r.code, "%q: stderr: %s", bad, r.stderr)
		assert.Contains(t, r.stderr, "AWS_SECRET_ACCESS_KEY: holds a")
		assert.NotContains(t, r.stderr, bad)
		assert.Empty(t, r.stdout, "nothing printed")
	}
}
