package main

import (
	"fmt"
	"os"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/sys/unix"
)

// TestKeyctlCommands runs add, list and remove through the kernel keyring,
// a real OS backend that needs no desktop. CI sets
// AWSSESSION_REQUIRE_KEYRING=1 so that it cannot skip there.
func TestKeyctlCommands(t *testing.T) {
	t.Parallel()
	if _, err := unix.KeyctlGetKeyringID(unix.KEY_SPEC_USER_KEYRING, false); err != nil {
		if os.Getenv("AWSSESSION_REQUIRE_KEYRING") == "1" {
			t.Fatalf("keyctl: %v; AWSSESSION_REQUIRE_KEYRING=1 requires it", err)
		}
		t.Skipf("the kernel keyring is not available here (%v)", err)
	}
	f := newFixture(t)
	profile := fmt.Sprintf("test-%d-%d", os.Getpid(), time.Now().UnixNano())
	env := []string{envKeyringBackend + "=keyctl"}
	t.Cleanup(func() { f.run(t, env, "", "remove", profile, "--force") })

	r := f.run(t, env, f.alice.AccessKeyID+"\n"+f.alice.SecretAccessKey+"\n", "add", profile, "--sts-endpoint", f.srv.URL)
	require.Equal(t, 0, r.code, "stderr: %s", r.stderr)
	assert.Contains(t, r.stderr, "keyring (keyctl)")
	r = f.run(t, env, "", "list")
	require.Equal(t, 0, r.code, "stderr: %s", r.stderr)
	assert.Regexp(t, `(?m)^`+profile+`\s+keyring \(keyctl\)\s`, r.stdout)
	noSecret(t, r, f.alice.SecretAccessKey)
	r = f.run(t, env, "", "remove", profile, "--force")
	require.Equal(t, 0, r.code, "stderr: %s", r.stderr)
	r = f.run(t, env, "", "list")
	assert.NotContains(t, r.stdout, profile)
}
