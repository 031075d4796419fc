//go:build !windows

package awssession

import (
	"errors"
	"os"

	"golang.org/x/term"
)

// openTerminal opens the controlling terminal for reading and writing.
func openTerminal() (in, out *os.File, err error) {
	f, err := os.OpenFile("/dev/tty", os.O_RDWR, 0)
	if err != nil {
		return nil, nil, err
	}
	if !term.IsTerminal(int(f.Fd())) {
		_ = f.Close()
		return nil, nil, errors.New("/dev/tty is not a terminal")
	}
	return f, f, nil
}
