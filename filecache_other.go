//go:build !unix

package awssession

import "io/fs"

// noFollow adds nothing where there are no FIFOs and no O_NOFOLLOW
// (Windows, where creating a symbolic link takes a privilege); see
// filecache_unix.go.
const noFollow = 0

// checkOwner relies on the user profile's ACLs where there are no Unix
// owners.
func checkOwner(string, fs.FileInfo) error { return nil }
