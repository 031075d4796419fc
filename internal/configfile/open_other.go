//go:build !unix

package configfile

// noBlock and noFollow add nothing where there are no FIFOs and no
// O_NOFOLLOW (Windows); see open_unix.go.
const (
	noBlock  = 0
	noFollow = 0
)
