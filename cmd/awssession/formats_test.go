package main

import (
	"bytes"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestQuote(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in, sh, fish, powershell, dotenv string
	}{
		{"plain", `'plain'`, `'plain'`, `'plain'`, `'plain'`},
		{"", `''`, `''`, `''`, `''`},
		{"it's", `'it'\''s'`, `'it\'s'`, `'it''s'`, ""},
		{`a\b`, `'a\b'`, `'a\\b'`, `'a\b'`, ""},
		{`"$x"`, `'"$x"'`, `'"$x"'`, `'"$x"'`, `'"$x"'`},
		{"$(id)`id`", "'$(id)`id`'", "'$(id)`id`'", "'$(id)`id`'", "'$(id)`id`'"},
		{"${HOME}", "'${HOME}'", "'${HOME}'", "'${HOME}'", ""},
		{"a\nb", "'a\nb'", "'a\nb'", "'a\nb'", ""},
		{"‘x’", "'‘x’'", "'‘x’'", "([char]::ConvertFromUtf32(0x2018) + 'x' + [char]::ConvertFromUtf32(0x2019))", "'‘x’'"},
		{"aё", "'aё'", "'aё'", "('a' + [char]::ConvertFromUtf32(0x451))", "'aё'"},
		{"\xff'", `'` + "\xff" + `'\'''`, `'` + "\xff" + `\''`, "", ""},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.sh, quoteSh(tt.in), "sh %q", tt.in)
		assert.Equal(t, tt.fish, quoteFish(tt.in), "fish %q", tt.in)
		if tt.powershell == "" {
			assert.Error(t, checkPowerShell(tt.in), "powershell %q", tt.in)
		} else {
			assert.NoError(t, checkPowerShell(tt.in), "powershell %q", tt.in)
			assert.Equal(t, tt.powershell, quotePowerShell(tt.in), "powershell %q", tt.in)
		}
		if tt.dotenv == "" {
			assert.Error(t, checkDotenv(tt.in), "dotenv %q", tt.in)
		} else {
			assert.NoError(t, checkDotenv(tt.in), "dotenv %q", tt.in)
			assert.Equal(t, tt.dotenv, quoteDotenv(tt.in), "dotenv %q", tt.in)
		}
	}
}

// TestQuoteShEveryByte has bash evaluate a value holding every byte but
// NUL (which no environment variable can hold).
func TestQuoteShEveryByte(t *testing.T) {
	t.Parallel()
	var all []byte
	for b := 1; b < 256; b++ {
		all = append(all, byte(b))
	}
	value := string(all) + "'" + string(all)
	var out bytes.Buffer
	require.NoError(t, writeShell(&out, shellFormats["bash"], []envVar{{name: "V", value: value}}, []string{"GONE"}))
	env := evalBash(t, out.String(), "GONE=1")
	assert.Equal(t, value, env["V"])
	_, ok := env["GONE"]
	assert.False(t, ok)
}

// TestWriteShellRefusesNUL: no format prints a value with NUL (no
// environment variable holds one; shells drop it or stop at it), and
// nothing is printed at all.
func TestWriteShellRefusesNUL(t *testing.T) {
	t.Parallel()
	for name, f := range shellFormats {
		var out bytes.Buffer
		err := writeShell(&out, f, []envVar{{name: "OK", value: "x"}, {name: "V", value: "a\x00b"}}, nil)
		assert.ErrorContains(t, err, "V: holds a", name)
		assert.Empty(t, out.String(), name)
	}
}

func TestWriteGitHub(t *testing.T) {
	t.Parallel()
	var stdout, file bytes.Buffer
	set := []envVar{{name: "SECRET", value: "s3cr%t\nline", secret: true}, {name: "PLAIN", value: "p"}}
	require.NoError(t, writeGitHub(&stdout, &file, set))
	assert.Equal(t, "::add-mask::s3cr%25t\n::add-mask::line\n", stdout.String())
	vars := parseGitHubEnv(t, file.String())
	assert.Equal(t, map[string]string{"SECRET": "s3cr%t\nline", "PLAIN": "p"}, vars)
	assert.Equal(t, 2, strings.Count(file.String(), "<<ghadelimiter_"))
}
