package codecmd

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestSplit(t *testing.T) {
	t.Parallel()
	for line, want := range map[string][]string{
		`ykman oath accounts code -s aws`:       {"ykman", "oath", "accounts", "code", "-s", "aws"},
		`  ykman   code  `:                      {"ykman", "code"},
		`ykman code -s 'Amazon Web Services:a'`: {"ykman", "code", "-s", "Amazon Web Services:a"},
		`get "a \"b\" \\ c" d`:                  {"get", `a "b" \ c`, "d"},
		`a\ b c`:                                {"a b", "c"},
		`x '' ""`:                               {"x", "", ""},
		`echo $(id); rm -rf ~ | sh`:             {"echo", "$(id);", "rm", "-rf", "~", "|", "sh"},
		`'C:\Program Files\op.exe' read`:        {`C:\Program Files\op.exe`, "read"},
		`pre'fix'"ed"`:                          {"prefixed"},
	} {
		got, err := Split(line)
		require.NoError(t, err, line)
		assert.Equal(t, want, got, line)
	}
	for _, bad := range []string{"", "   ", `a 'b`, `a "b`, `a \`} {
		_, err := Split(bad)
		assert.Error(t, err, "%q", bad)
	}
}
