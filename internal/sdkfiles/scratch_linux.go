package sdkfiles

import (
	"os"

	"golang.org/x/sys/unix"
)

// openScratch opens a memory file: no disk, nothing to remove. named is
// false: it has no path until /dev/fd gives it one.
func openScratch() (f *os.File, named bool, err error) {
	fd, err := unix.MemfdCreate("awssession-profiles", unix.MFD_CLOEXEC)
	if err != nil {
		f, err := os.CreateTemp("", "awssession-profiles-*")
		return f, true, err
	}
	return os.NewFile(uintptr(fd), "memfd:awssession-profiles"), false, nil
}
