//go:build !windows

package signin

// listSeparator separates the commands of BROWSER.
const listSeparator = ':'
