package main

import (
	"errors"
	"fmt"
	"io/fs"
	"os"

	"github.com/awssession/awssession"
	"github.com/spf13/cobra"
)

// envCacheDir overrides the default cache directory, like --cache-dir.
const envCacheDir = "AWSSESSION_CACHE_DIR"

// cacheOption returns the cross-process credential cache the flags ask
// for, and its directory: on by default, off with --no-cache (dir ""). The
// record of MFA codes used is no cache of sessions and stays on: with
// --no-cache it is kept in $AWSSESSION_CACHE_DIR or the default cache
// directory (--no-cache and --cache-dir exclude each other), so that two
// runs never send one code. Where that directory cannot be used, the run
// goes on with this process's record alone.
func (c *cli) cacheOption(f *sessionFlags) (awssession.Option, string, error) {
	if f.noCache {
		memory, err := awssession.NewFileCache(c.getenv(envCacheDir))
		if err != nil {
			c.logger().Debug("no record of used MFA codes across runs", "error", err)
			return nil, "", nil
		}
		return awssession.WithMFAMemory(memory), "", nil
	}
	cache, err := c.fileCache(f.cacheDir)
	if err != nil {
		return nil, "", err
	}
	return awssession.WithCache(cache), cache.Dir(), nil
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

// cacheDirPath is the directory fileCache would open for dir, without
// creating it.
func (c *cli) cacheDirPath(dir string) (string, error) {
	if dir = firstNonEmpty(dir, c.getenv(envCacheDir)); dir != "" {
		return dir, nil
	}
	return awssession.DefaultCacheDir()
}

func (c *cli) cacheCmd() *cobra.Command {
	var dir string
	cmd := &cobra.Command{
		Use:   "cache",
		Short: "Show, list or clear the credential cache",
		Long: `Sessions are cached between runs (files of mode 0600 in a directory of
mode 0700), so that a second run within their lifetime makes no STS call and
asks for no MFA code. --no-cache turns this off for one run; --cache-dir or
$AWSSESSION_CACHE_DIR moves the cache. None of these commands creates the
directory.

The same directory keeps the record of MFA codes used (per device, a hash
of the last code and when it was sent; "mfa" entries): STS accepts a code
once, so a code another run sent is refused before it is sent (exit 2,
with when the next code comes), and TOTP codes wait for the next one. The
record is no cache of sessions: --no-cache keeps it too (in
$AWSSESSION_CACHE_DIR or the default directory), and cache clear leaves
records younger than 90 seconds.`,
		Example: `  awssession cache dir
  awssession cache list
  awssession cache clear dev      # dev's default session only
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
			path, err := c.cacheDirPath(dir)
			if err != nil {
				return err
			}
			_, err = fmt.Fprintln(c.stdout, path)
			return err
		}),
	}, c.cacheListCmd(&dir), c.cacheClearCmd(&dir))
	return cmd
}

func (c *cli) cacheClearCmd(dir *string) *cobra.Command {
	return &cobra.Command{
		Use:   "clear [PROFILE]",
		Short: "Forget every cached session, or PROFILE's (the next run calls STS and may ask for an MFA code)",
		Long: `Forget every cached session, or with PROFILE the cached layers of the
session "awssession exec PROFILE" uses by default (its roles and its MFA
session; a session built with other flags has other entries), with their
lock files; a lock a running awssession holds stays. Records of MFA codes
used in the last 90 seconds stay, so that no code is sent twice.`,
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) > 1 {
				return usageErrorf(cmd, "unexpected argument %q (one PROFILE at most)", args[1])
			}
			if len(args) == 1 {
				return profileArg(cmd, args)
			}
			return nil
		},
		RunE: c.action(func(cmd *cobra.Command, args []string) error {
			path, err := c.cacheDirPath(*dir)
			if err != nil {
				return err
			}
			if _, err := os.Lstat(path); errors.Is(err, fs.ErrNotExist) {
				c.notef("nothing cached in %s", path)
				return nil
			}
			if len(args) == 1 {
				return c.clearProfile(cmd, path, args[0])
			}
			cache, err := c.fileCache(path)
			if err != nil {
				return err
			}
			if err := cache.Clear(); err != nil {
				return fmt.Errorf("clear the credential cache: %w", err)
			}
			c.notef("cleared %s", cache.Dir())
			return nil
		}),
	}
}

// clearProfile drops the cache entries of profile's default session: the
// options sessionOptions builds for "--profile profile", so the keys are
// the ones a run uses.
func (c *cli) clearProfile(cmd *cobra.Command, dir, profile string) error {
	ctx := cmd.Context()
	f := sessionFlags{profile: profile, cacheDir: dir}
	setup, err := c.sessionOptions(ctx, cmd, &f)
	if err != nil {
		return err
	}
	prepared, err := awssession.Prepare(ctx, setup.opts...)
	if err != nil {
		return err
	}
	plan := prepared.Plan(ctx)
	cached := 0
	for _, l := range plan.Layers {
		if l.Cached {
			cached++
		}
	}
	if err := prepared.Invalidate(ctx); err != nil {
		return fmt.Errorf("clear profile %s's cached session: %w", profile, err)
	}
	switch {
	case len(plan.Layers) == 0:
		c.notef("profile %s has no STS layer to cache", profile)
	case cached == 0:
		c.notef("nothing cached for profile %s in %s", profile, dir)
	default:
		c.notef("forgot %d cached layer(s) of profile %s in %s", cached, profile, dir)
	}
	return nil
}
