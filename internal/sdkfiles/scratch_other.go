//go:build !linux

package sdkfiles

import "os"

// openScratch opens a temporary file (mode 0600), to be removed.
func openScratch() (f *os.File, named bool, err error) {
	f, err = os.CreateTemp("", "awssession-profiles-*")
	return f, true, err
}
