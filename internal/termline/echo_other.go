//go:build !unix && !windows

package termline

import (
	"errors"
	"os"
)

// echoOff: no terminal this package knows how to hide input on.
func echoOff(*os.File) (func(), error) { return nil, errors.New("no terminal support") }
