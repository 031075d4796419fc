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
		{"plain", `'plain'`, `'plain'`, `'plain'`, `"plain"`},
		{"", `''`, `''`, `''`, `""`},
		{"it's", `'it'\''s'`, `'it\'s'`, `'it''s'`, `"it's"`},
		{`a\b`, `'a\b'`, `'a\\b'`, `'a\b'`, `"a\\b"`},
		{`"$x"`, `'"$x"'`, `'"$x"'`, `'"$x"'`, `"\"$x\""`},
		{"a\nb", "'a\nb'", "'a\nb'", "'a\nb'", `"a\nb"`},
		{"‘x’", "'‘x’'", "'‘x’'", "'‘‘x’’'", `"‘x’"`},
		{"\xff'", `'` + "\xff" + `'\'''`, `'` + "\xff" + `\''`, `'` + "\xff" + `'''`, `"` + "\xff" + `'"`},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.sh, quoteSh(tt.in), "sh %q", tt.in)
		assert.Equal(t, tt.fish, quoteFish(tt.in), "fish %q", tt.in)
		assert.Equal(t, tt.powershell, quotePowerShell(tt.in), "powershell %q", tt.in)
		assert.Equal(t, tt.dotenv, quoteDotenv(tt.in), "dotenv %q", tt.in)
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
