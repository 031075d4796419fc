//go:build unix

package keyring

import "golang.org/x/sys/unix"

// limitFileSize sets RLIMIT_FSIZE: a write past n bytes fails with EFBIG
// (Go ignores SIGXFSZ).
func limitFileSize(n uint64) error {
	return unix.Setrlimit(unix.RLIMIT_FSIZE, &unix.Rlimit{Cur: n, Max: n})
}
