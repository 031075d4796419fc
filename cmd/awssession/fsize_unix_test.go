//go:build unix

package main

import (
	"os"
	"strconv"

	"golang.org/x/sys/unix"
)

// fsizeSwitch sets RLIMIT_FSIZE (what "ulimit -f" sets, in bytes) for the
// test binary run as the command: a write past it fails with EFBIG (Go
// ignores SIGXFSZ), as on a full disk.
const fsizeSwitch = "AWSSESSION_TEST_FSIZE"

func limitFileSizeFromEnv() {
	n, err := strconv.ParseUint(os.Getenv(fsizeSwitch), 10, 64)
	if err != nil {
		return
	}
	if err := unix.Setrlimit(unix.RLIMIT_FSIZE, &unix.Rlimit{Cur: n, Max: n}); err != nil {
		os.Exit(125)
	}
}
