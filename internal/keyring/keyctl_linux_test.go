package keyring

import (
	"fmt"
	"os"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"golang.org/x/sys/unix"
)

// requireKeyringEnv makes an OS backend that cannot run here a failure
// instead of a skip; CI sets it.
const requireKeyringEnv = "AWSSESSION_REQUIRE_KEYRING"

// TestKeyctlBackend runs the items through the real Linux kernel keyring
// (the user keyring, a keyring of its own for this test), which needs no
// daemon and no desktop.
func TestKeyctlBackend(t *testing.T) {
	t.Parallel()
	service := fmt.Sprintf("awssession-test-%d-%d", os.Getpid(), time.Now().UnixNano())
	if _, err := unix.KeyctlGetKeyringID(unix.KEY_SPEC_USER_KEYRING, false); err != nil {
		if os.Getenv(requireKeyringEnv) == "1" {
			t.Fatalf("keyctl: %v; %s=1 requires it", err, requireKeyringEnv)
		}
		t.Skipf("the kernel keyring is not available here (%v); %s=1 makes this a failure", err, requireKeyringEnv)
	}
	t.Cleanup(func() {
		if id, err := unix.KeyctlSearch(unix.KEY_SPEC_USER_KEYRING, "keyring", service, 0); err == nil {
			_, _ = unix.KeyctlInt(unix.KEYCTL_UNLINK, id, unix.KEY_SPEC_USER_KEYRING, 0, 0)
		}
	})
	kr, err := Open(Settings{Backend: "keyctl", Service: service})
	require.NoError(t, err)
	require.Equal(t, "keyctl", kr.Backend())
	exercise(t, kr, "dev")
}
