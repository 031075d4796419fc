package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/spf13/cobra"
)

const execLong = `Run COMMAND with the session in its environment (the variables of
"awssession env"), and exit with its status (128+N when signal N killed it).

Variables that would compete with the session are removed from the
command's environment: AWS_PROFILE, AWS_DEFAULT_PROFILE, AWS_ACCESS_KEY,
AWS_SECRET_KEY, AWS_SECURITY_TOKEN, a stale AWS_SESSION_TOKEN or
AWS_CREDENTIAL_EXPIRATION, and awssession's own secrets (AWSSESSION_*, the
variable named by --mfa-totp-secret-env). SIGINT, SIGTERM and SIGHUP are
passed on to the command.`

const execExample = `  awssession exec --profile dev --role-arn arn:aws:iam::123456789012:role/ReadOnly -- aws s3 ls
  awssession exec --mfa-serial arn:aws:iam::111111111111:mfa/alice -- terraform plan`

// forwardedSignals are passed on to the command exec runs.
var forwardedSignals = []os.Signal{syscall.SIGINT, syscall.SIGTERM, syscall.SIGHUP}

func (c *cli) execCmd() *cobra.Command {
	var f sessionFlags
	var server bool
	cmd := &cobra.Command{
		Use:     "exec [flags] -- COMMAND [ARGS...]",
		Short:   "Run a command with the session in its environment",
		Long:    execLong,
		Example: execExample,
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) == 0 {
				return usageErrorf(cmd, "exec needs a command: awssession exec [flags] -- COMMAND [ARGS...]")
			}
			return nil
		},
		RunE: c.action(func(cmd *cobra.Command, args []string) error {
			if server {
				return usageErrorf(cmd, "exec --server is not implemented yet; without it the command gets keys that end at AWS_CREDENTIAL_EXPIRATION")
			}
			cfg, creds, err := c.session(cmd.Context(), cmd, &f)
			if err != nil {
				return err
			}
			return c.runChild(args, c.childEnv(&f, creds, cfg.Region))
		}),
	}
	f.register(cmd)
	cmd.Flags().BoolVar(&server, "server", false, "give the command a local credential endpoint that keeps the session fresh (not yet implemented)")
	// Flags after COMMAND are COMMAND's.
	cmd.Flags().SetInterspersed(false)
	return cmd
}

// childEnv is the environment of the command: the caller's, without
// variables that compete with the session or carry awssession's secrets,
// plus the session's.
func (c *cli) childEnv(f *sessionFlags, creds aws.Credentials, region string) []string {
	set, _ := sessionVars(creds, region)
	drop := map[string]bool{
		"AWS_PROFILE": true, "AWS_DEFAULT_PROFILE": true, "AWS_ACCESS_KEY": true, "AWS_SECRET_KEY": true,
		varSessionToken: true, varSecurityToken: true, varExpiration: true,
		envAccessKey: true, envSecretKey: true, envSessionToken: true, envMFAToken: true,
	}
	if f.totpEnv != "" {
		drop[f.totpEnv] = true
	}
	for _, v := range set {
		drop[v.name] = true
	}
	var env []string
	for _, kv := range c.environ {
		if name, _, _ := strings.Cut(kv, "="); !drop[name] {
			env = append(env, kv)
		}
	}
	for _, v := range set {
		env = append(env, v.name+"="+v.value)
	}
	return env
}

// runChild runs args with env, forwarding signals, and returns its exit
// status as an exitStatus.
func (c *cli) runChild(args, env []string) error {
	path, err := c.lookPath(args[0])
	if err != nil {
		return &startError{err}
	}
	var stdin io.Reader = c.stdin
	if c.lines != nil {
		stdin = c.lines // what is left after secrets were read
	}
	child := &exec.Cmd{Path: path, Args: args, Env: env, Stdin: stdin, Stdout: c.stdout, Stderr: c.stderr,
		WaitDelay: time.Second}
	sigs := make(chan os.Signal, 4)
	signal.Notify(sigs, forwardedSignals...)
	defer signal.Stop(sigs)
	if err := child.Start(); err != nil {
		return &startError{fmt.Errorf("exec %s: %w", args[0], err)}
	}
	done := make(chan struct{})
	go func() {
		for {
			select {
			case s := <-sigs:
				_ = child.Process.Signal(s)
			case <-done:
				return
			}
		}
	}()
	err = child.Wait()
	close(done)
	var exitErr *exec.ExitError
	if err != nil && !errors.As(err, &exitErr) && !errors.Is(err, exec.ErrWaitDelay) {
		return fmt.Errorf("exec %s: %w", args[0], err)
	}
	if ws, ok := child.ProcessState.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
		return exitStatus(128 + int(ws.Signal()))
	}
	return exitStatus(child.ProcessState.ExitCode())
}

// lookPath finds name in the PATH of the (injected) environment.
func (c *cli) lookPath(name string) (string, error) {
	if strings.ContainsRune(name, filepath.Separator) {
		return name, nil
	}
	for _, dir := range filepath.SplitList(c.getenv("PATH")) {
		if dir == "" {
			dir = "."
		}
		if p, err := exec.LookPath(filepath.Join(dir, name)); err == nil {
			return p, nil
		}
	}
	return "", fmt.Errorf("exec %s: %w", name, exec.ErrNotFound)
}

// startError is a command exec could not start. Its exit status is 127
// when the command was not found and 126 otherwise, as in env(1).
type startError struct{ err error }

func (e *startError) Error() string { return e.err.Error() }
func (e *startError) Unwrap() error { return e.err }

func (e *startError) status() int {
	if errors.Is(e.err, exec.ErrNotFound) {
		return 127
	}
	return 126
}
