package main

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/awssession/awssession/internal/credserver"
	"github.com/spf13/cobra"
)

const execLong = `Run COMMAND with the session in its environment (the variables of
"awssession env", and AWSSESSION, the session's name), and exit with its
status (128+N when signal N killed it; 127 when COMMAND is not found, 126
when it is found but cannot run). Without COMMAND, exec starts $SHELL.
COMMAND is looked up before the session is built: a typo costs no MFA code.

With --server, COMMAND gets no keys at all: awssession serves the session on
a loopback port in the container credentials protocol that every AWS SDK and
the AWS CLI read, and gives COMMAND only AWS_CONTAINER_CREDENTIALS_FULL_URI
and AWS_CONTAINER_AUTHORIZATION_TOKEN (a random 256-bit token), plus the
region. The session is refreshed before it expires for as long as COMMAND
runs, so long Terraform applies, restores and builds outlive any role
session; an MFA code is asked for again only when the MFA session below the
roles ends (see --session-token-duration). The server stops when COMMAND
exits.

Variables that would compete with the session are removed from the
command's environment: AWS_PROFILE, AWS_DEFAULT_PROFILE, other keys
(AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN,
AWS_SECURITY_TOKEN, AWS_ACCESS_KEY, AWS_SECRET_KEY,
AWS_CREDENTIAL_EXPIRATION), other container or web identity credentials
(AWS_CONTAINER_*, AWS_WEB_IDENTITY_TOKEN_FILE, AWS_ROLE_ARN,
AWS_ROLE_SESSION_NAME), and awssession's own secrets (AWSSESSION_ACCESS_KEY,
AWSSESSION_SECRET_KEY, AWSSESSION_SESSION_TOKEN, AWSSESSION_MFA_TOKEN,
AWSSESSION_KEYRING_PASSPHRASE, and the variable --mfa-totp-secret-env
names). SIGINT, SIGTERM and SIGHUP are passed on to the command.

Inside a session (AWSSESSION set, by exec or env) exec refuses (exit 2),
as aws-vault does: the outer session's keys could become the new one's
source. Leave it first, or pass --nested.`

const execExample = `  awssession exec --profile dev --role-arn arn:aws:iam::123456789012:role/ReadOnly -- aws s3 ls
  awssession exec --mfa-serial arn:aws:iam::111111111111:mfa/alice -- terraform plan

  # A three-hour apply with one-hour role sessions and one MFA code
  awssession exec --server --profile dev --mfa-serial arn:aws:iam::111111111111:mfa/alice \
      --session-token-duration 12h --role-arn arn:aws:iam::123456789012:role/Deploy -- terraform apply`

// forwardedSignals are passed on to the command exec runs.
var forwardedSignals = []os.Signal{syscall.SIGINT, syscall.SIGTERM, syscall.SIGHUP}

func (c *cli) execCmd() *cobra.Command {
	var f sessionFlags
	var server, nested bool
	cmd := &cobra.Command{
		Use:     "exec [PROFILE] [flags] [-- COMMAND [ARGS...]]",
		Short:   "Run a command with the session in its environment",
		Long:    execLong,
		Example: execExample,
		RunE: c.action(func(cmd *cobra.Command, args []string) error {
			args, err := c.execArgs(cmd, &f, args)
			if err != nil {
				return err
			}
			if err := c.refuseNested(cmd, nested); err != nil {
				return err
			}
			if len(args) == 0 {
				// A shell with the session, as aws-vault exec starts one.
				args = []string{firstNonEmpty(c.getenv("SHELL"), "/bin/sh")}
			}
			// Found before any STS call or prompt: a typo costs no MFA code.
			path, err := c.lookPath(args[0])
			if err != nil {
				return &startError{name: args[0], err: err}
			}
			if server {
				srv, region, err := c.startServer(cmd.Context(), cmd, &f, "")
				if err != nil {
					return err
				}
				defer srv.Close()
				return c.runChild(path, args, c.childEnv(&f, append(serverVars(srv, region), marker(&f))))
			}
			cfg, creds, err := c.session(cmd.Context(), cmd, &f)
			if err != nil {
				return err
			}
			set, _ := sessionVars(creds, cfg.Region)
			return c.runChild(path, args, c.childEnv(&f, append(set, marker(&f))))
		}),
	}
	f.register(cmd)
	cmd.Flags().BoolVar(&server, "server", false, "give the command a loopback credential endpoint that keeps the session fresh, instead of keys")
	nestedFlag(cmd, &nested)
	// Flags after COMMAND are COMMAND's.
	cmd.Flags().SetInterspersed(false)
	return cmd
}

// competingVars are variables that make AWS SDKs use other credentials
// than the session's. exec removes them; serve prints statements that
// clear them.
var competingVars = []string{
	"AWS_PROFILE", "AWS_DEFAULT_PROFILE",
	varAccessKeyID, varSecretAccessKey, varSessionToken, varSecurityToken, varExpiration,
	"AWS_ACCESS_KEY", "AWS_SECRET_KEY", // the AWS CLI v1's other spellings
	credserver.EnvFullURI, credserver.EnvAuthToken,
	"AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE",
	"AWS_WEB_IDENTITY_TOKEN_FILE", "AWS_ROLE_ARN", "AWS_ROLE_SESSION_NAME",
}

// childEnv is the environment of the command: the caller's, without
// variables that compete with the session or carry awssession's secrets,
// plus set.
func (c *cli) childEnv(f *sessionFlags, set []envVar) []string {
	drop := secretVarSet(f)
	drop[envAccessKey] = true
	for _, name := range competingVars {
		drop[name] = true
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

// runChild runs the program at path with args and env, forwarding
// signals, and returns its exit status as an exitStatus.
func (c *cli) runChild(path string, args, env []string) error {
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
		return &startError{name: args[0], err: err}
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
	err := child.Wait()
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

// lookPath finds name in the PATH of the (injected) environment, or
// checks the path name that holds a separator; errors match
// fs.ErrNotExist (exec.ErrNotFound for a name not in PATH) or
// fs.ErrPermission.
func (c *cli) lookPath(name string) (string, error) {
	if strings.ContainsRune(name, filepath.Separator) {
		return exec.LookPath(name)
	}
	for _, dir := range filepath.SplitList(c.getenv("PATH")) {
		if dir == "" {
			dir = "."
		}
		if p, err := exec.LookPath(filepath.Join(dir, name)); err == nil {
			return p, nil
		}
	}
	return "", exec.ErrNotFound
}

// startError is a command exec could not start. Its exit status is 127
// when the command was not found (not in PATH, or no such file) and 126
// when it was found but could not run (not executable), as shells and
// env(1) report them.
type startError struct {
	name string
	err  error
}

func (e *startError) Error() string {
	var lookErr *exec.Error
	switch {
	case e.notFound():
		return fmt.Sprintf("exec %s: command not found", e.name)
	case errors.As(e.err, &lookErr):
		return fmt.Sprintf("exec %s: %v", e.name, lookErr.Err)
	}
	return fmt.Sprintf("exec %s: %v", e.name, e.err)
}

func (e *startError) Unwrap() error { return e.err }

func (e *startError) notFound() bool {
	return errors.Is(e.err, exec.ErrNotFound) || errors.Is(e.err, fs.ErrNotExist)
}

func (e *startError) status() int {
	if e.notFound() {
		return 127
	}
	return 126
}

// nestedFlag registers --nested, for the commands that refuse to run
// inside a session.
func nestedFlag(cmd *cobra.Command, nested *bool) {
	cmd.Flags().BoolVar(nested, "nested", false, "run inside another awssession session ($"+markerVar+" set), whose keys may then be the source")
}

// refuseNested is a usage error inside a session ($AWSSESSION set, by exec
// or env) unless --nested: the session's keys would take the place of
// the source the person meant, as aws-vault refuses nested sessions.
func (c *cli) refuseNested(cmd *cobra.Command, nested bool) error {
	outer := c.getenv(markerVar)
	if outer == "" || nested {
		return nil
	}
	return usageErrorf(cmd, "already in session %q ($%s): a session inside it may be built from its keys; "+
		"leave it first (exit the shell of exec, or eval \"$(awssession env --unset)\"), or pass --nested", outer, markerVar)
}
