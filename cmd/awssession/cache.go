package main

import (
	"github.com/awssession/awssession"
)

// cacheOption returns the cross-process credential cache the flags ask
// for; nil means none.
//
// SEAM(cache): the library is getting awssession.NewFileCache(dir) and
// awssession.WithCache. Until they land the CLI caches nothing. Then this
// returns WithCache(NewFileCache(f.cacheDir)) unless --no-cache: caching is
// on by default, and "awssession cache clear" comes with it.
func (c *cli) cacheOption(f *sessionFlags) (awssession.Option, error) {
	_ = f
	return nil, nil
}
