package main

import (
	"fmt"

	"github.com/awssession/awssession"
	"github.com/spf13/cobra"
)

// envCacheDir overrides the default cache directory, like --cache-dir.
const envCacheDir = "AWSSESSION_CACHE_DIR"

// cacheOption returns the cross-process credential cache the flags ask
// for: on by default, off with --no-cache (nil).
func (c *cli) cacheOption(f *sessionFlags) (awssession.Option, error) {
	if f.noCache {
		c.cacheDir = ""
		return nil, nil
	}
	cache, err := c.fileCache(f.cacheDir)
	if err != nil {
		return nil, err
	}
	c.cacheDir = cache.Dir()
	return awssession.WithCache(cache), nil
}

// fileCache opens the cache in dir, else $AWSSESSION_CACHE_DIR, else the
// library's default directory.
func (c *cli) fileCache(dir string) (*awssession.FileCache, error) {
	cache, err := awssession.NewFileCache(firstNonEmpty(dir, c.getenv(envCacheDir)))
	if err != nil {
		return nil, fmt.Errorf("credential cache: %w (--no-cache runs without it)", err)
	}
	return cache, nil
}

func (c *cli) cacheCmd() *cobra.Command {
	var dir string
	cmd := &cobra.Command{
		Use:   "cache",
		Short: "Show or clear the credential cache",
		Long: `Sessions are cached between runs (files of mode 0600 in a directory of
mode 0700), so that a second run within their lifetime makes no STS call and
asks for no MFA code. --no-cache turns this off for one run; --cache-dir or
$AWSSESSION_CACHE_DIR moves the cache.`,
		Example: `  awssession cache dir
  awssession cache clear`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return cmd.Help() },
	}
	cacheDirFlag(cmd.PersistentFlags(), &dir)
	cmd.AddCommand(&cobra.Command{
		Use:   "dir",
		Short: "Print the cache directory",
		Args:  noArgs,
		RunE: c.action(func(*cobra.Command, []string) error {
			cache, err := c.fileCache(dir)
			if err != nil {
				return err
			}
			_, err = fmt.Fprintln(c.stdout, cache.Dir())
			return err
		}),
	}, &cobra.Command{
		Use:   "clear",
		Short: "Forget every cached session (the next run calls STS and may ask for an MFA code)",
		Args:  noArgs,
		RunE: c.action(func(*cobra.Command, []string) error {
			cache, err := c.fileCache(dir)
			if err != nil {
				return err
			}
			if err := cache.Clear(); err != nil {
				return fmt.Errorf("clear the credential cache: %w", err)
			}
			c.notef("cleared %s", cache.Dir())
			return nil
		}),
	})
	return cmd
}
