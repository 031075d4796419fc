package main

import (
	"context"
	"log/slog"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/awssession/awssession"
	"github.com/spf13/cobra"
)

// Environment variables that may carry secrets instead of flags.
const (
	envAccessKey    = "AWSSESSION_ACCESS_KEY"
	envSecretKey    = "AWSSESSION_SECRET_KEY"
	envSessionToken = "AWSSESSION_SESSION_TOKEN"
	envMFAToken     = "AWSSESSION_MFA_TOKEN"
)

// prepare plans the session the flags describe, once for the run: every
// command that needs the session, its notes or its plan asks the one
// awssession.Prepared it returns (and c.prepared, for the MFA code
// sources that read the plan when a code is needed).
func (c *cli) prepare(ctx context.Context, cmd *cobra.Command, f *sessionFlags) (*awssession.Prepared, sessionSetup, error) {
	setup, err := c.sessionOptions(ctx, cmd, f)
	if err != nil {
		return nil, setup, err
	}
	p, err := awssession.Prepare(ctx, setup.opts...)
	if err != nil {
		return nil, setup, err
	}
	c.prepared = p
	return p, setup, nil
}

// session builds the session the flags describe and fetches its
// credentials: this is where STS is called and an MFA code asked for.
func (c *cli) session(ctx context.Context, cmd *cobra.Command, f *sessionFlags) (aws.Config, aws.Credentials, error) {
	p, _, err := c.prepare(ctx, cmd, f)
	if err != nil {
		return aws.Config{}, aws.Credentials{}, err
	}
	return createSession(ctx, p)
}

// credentials returns the session's credentials and region, for the
// commands that need nothing else (env, credential-process): the warm path
// of prompts and credential_process. Static keys, or a session whose top
// layer is in the cache, are served without loading the SDK's config (no
// AWS_CA_BUNDLE parsing, no HTTP or STS client); see awssession.Prepared's
// Peek. --debug always builds the whole session, so that its log shows
// every layer.
func (c *cli) credentials(cmd *cobra.Command, f *sessionFlags) (region string, creds aws.Credentials, err error) {
	p, _, err := c.prepare(cmd.Context(), cmd, f)
	if err != nil {
		return "", aws.Credentials{}, err
	}
	if !c.debug {
		if s, ok := p.Peek(cmd.Context()); ok {
			return s.Region, s.Credentials, nil
		}
	}
	c.interruptible(cmd) // STS calls, a prompt, a sign-in: Ctrl-C cancels them
	cfg, creds, err := createSession(cmd.Context(), p)
	return cfg.Region, creds, err
}

// createSession builds the prepared session and fetches its credentials
// once.
func createSession(ctx context.Context, p *awssession.Prepared) (aws.Config, aws.Credentials, error) {
	cfg, err := p.Config(ctx)
	if err != nil {
		return aws.Config{}, aws.Credentials{}, err
	}
	creds, err := cfg.Credentials.Retrieve(ctx)
	if err != nil {
		return aws.Config{}, aws.Credentials{}, err
	}
	return cfg, creds, nil
}

// sessionSetup is what the flags resolve to: the library options, and
// what explain and the notes say about them.
type sessionSetup struct {
	opts     []awssession.Option
	mfaFrom  string // where MFA codes come from; "" for no device
	cacheDir string // "" when the cache is off
}

// sessionOptions maps the flags (and their environment variables) to
// library options. It reads stdin for "-" values, in flag order.
func (c *cli) sessionOptions(ctx context.Context, cmd *cobra.Command, f *sessionFlags) (sessionSetup, error) {
	// The library reads AWS_PROFILE, AWS_REGION, AWS_CONFIG_FILE, … from
	// the environment this run was given.
	opts := []awssession.Option{awssession.WithEnvironment(c.environ)}
	src, err := c.sourceOption(cmd, f)
	if err != nil {
		return sessionSetup{}, err
	}
	opts = append(opts, src)
	if src == nil && f.profile == "" {
		// AWS_PROFILE means what --profile means, also for the flags
		// that supply MFA codes for the profile's device.
		f.profile = c.getenv("AWS_PROFILE")
	}
	if f.profile != "" {
		// A base profile with no credentials in the shared files: its
		// keys may be in the keyring.
		opts = append(opts, awssession.WithProfile(f.profile), awssession.WithProfileSource(c.keyringSource))
	}
	if f.region != "" {
		opts = append(opts, awssession.WithRegion(f.region))
	}

	// A profile without --mfa-serial gets codes for its mfa_serial, if it
	// has one: the library resolves the device in its one plan, so no run
	// reads the profile here.
	serial, anyDevice := f.mfaSerial, f.mfaSerial == "" && f.profile != ""
	tokens, mfaFrom, err := c.tokenProvider(cmd, f, serial, anyDevice)
	if err != nil {
		return sessionSetup{}, err
	}
	switch {
	case tokens == nil:
	case f.mfaSerial != "":
		opts = append(opts, awssession.WithMFA(serial, tokens))
	case f.mfaToken != "" || f.totpEnv != "" || f.mfaProcess != "":
		// A code source given for the profile's device: the library
		// insists on one ("" is the profile's mfa_serial) and says so
		// when the chain names none.
		opts = append(opts, awssession.WithMFA("", tokens))
	default:
		if mfaFrom == fromPrompt { // a seed in the keyring wins over a prompt, not over $AWSSESSION_MFA_TOKEN
			tokens = c.keyringTokens(tokens, f.profile)
		}
		opts = append(opts, awssession.WithProfileMFA(tokens))
	}

	roles, err := roleOptions(cmd, f)
	if err != nil {
		return sessionSetup{}, err
	}
	opts = append(opts, roles...)
	if f.stsEndpoint != "" {
		opts = append(opts, awssession.WithSTSEndpoint(f.stsEndpoint))
	}
	if f.expectAccount != "" {
		opts = append(opts, awssession.WithExpectedAccount(f.expectAccount))
	}
	if f.stsTimeout != 0 {
		opts = append(opts, awssession.WithSTSTimeout(time.Duration(f.stsTimeout)))
	}
	opts = append(opts, awssession.WithLogger(c.sessionLogger()))
	switch n := len(f.sessionTokenDuration); {
	case n > 1:
		return sessionSetup{}, usageErrorf(cmd, "--session-token-duration given %d times; a session has one MFA session", n)
	case n == 1 && f.noSession:
		return sessionSetup{}, usageErrorf(cmd, "--session-token-duration adds the MFA session that --no-session leaves out; choose one")
	case n == 1:
		opts = append(opts, awssession.WithGetSessionToken(f.sessionTokenDuration[0]))
	case tokens != nil && !f.noSession:
		// The library's policy: one code for every role of every run for
		// 12 h when the source is long-term keys, or an MFA session alone
		// when no role takes the code (see WithDefaultMFASession).
		opts = append(opts, awssession.WithDefaultMFASession(0))
	}
	// A source that needs a person to sign in (SSO, console sign-in)
	// does it on this terminal, once for all processes.
	opts = append(opts, awssession.WithSignIn(c.autoSignIn()))

	if f.clampDurations {
		opts = append(opts, awssession.ClampDurations)
	}
	cache, cacheDir, err := c.cacheOption(f)
	if err != nil {
		return sessionSetup{}, err
	}
	return sessionSetup{opts: append(opts, cache), mfaFrom: mfaFrom, cacheDir: cacheDir}, nil
}

// sourceOption returns the static-keys option, or nil when no keys are
// given (a profile or the SDK's default chain is the source).
func (c *cli) sourceOption(cmd *cobra.Command, f *sessionFlags) (awssession.Option, error) {
	accessKey := firstNonEmpty(f.accessKey, c.getenv(envAccessKey))
	if accessKey == "" && (f.secretKey != "" || f.sessionToken != "") {
		return nil, usageErrorf(cmd, "--secret-key and --session-token need --access-key")
	}
	secretKey, err := c.secretValue(cmd, "secret-key", f.secretKey, envSecretKey)
	if err != nil {
		return nil, err
	}
	token, err := c.secretValue(cmd, "session-token", f.sessionToken, envSessionToken)
	if err != nil {
		return nil, err
	}
	switch {
	case accessKey == "":
		return nil, nil
	case secretKey == "":
		return nil, usageErrorf(cmd, "--access-key needs a secret key: --secret-key - (reads stdin) or $%s", envSecretKey)
	}
	return awssession.WithStaticCredentials(accessKey, secretKey, token), nil
}

// secretValue returns a secret from its flag ("-": one line of stdin) or
// else its environment variable, and warns when it was typed on the
// command line.
func (c *cli) secretValue(cmd *cobra.Command, flag, value, env string) (string, error) {
	switch value {
	case "-":
		v, err := c.readFlagSecret(cmd, flag)
		if err != nil {
			return "", usageErrorf(cmd, "--%s -: read stdin: %w", flag, err)
		}
		return v, nil
	case "":
		return c.getenv(env), nil
	}
	if flag != "mfa-token" {
		c.notef("warning: --%s on the command line is visible in shell history and ps; prefer $%s or --%s -", flag, env, flag)
	}
	return value, nil
}

// roleOptions returns one AssumeRole option per --role-arn. The per-role
// flags are given once for every role or once per role.
func roleOptions(cmd *cobra.Command, f *sessionFlags) ([]awssession.Option, error) {
	n := len(f.roleARNs)
	for _, fl := range []struct {
		name  string
		count int
	}{{"role-session-name", len(f.sessionNames)}, {"external-id", len(f.externalIDs)}, {"duration", len(f.durations)}} {
		switch {
		case fl.count > 0 && n == 0:
			return nil, usageErrorf(cmd, "--%s needs --role-arn", fl.name)
		case fl.count > 1 && fl.count != n:
			return nil, usageErrorf(cmd, "--%s given %d times for %d roles; give it once, or once per --role-arn", fl.name, fl.count, n)
		}
	}
	opts := make([]awssession.Option, n)
	for i, arn := range f.roleARNs {
		opts[i] = awssession.WithAssumeRole(awssession.AssumeRole{
			RoleARN:         arn,
			RoleSessionName: nth(f.sessionNames, i),
			ExternalID:      nth(f.externalIDs, i),
			Duration:        nth([]time.Duration(f.durations), i),
		})
	}
	return opts, nil
}

// nth returns the value for role i: the only one, the i-th, or zero.
func nth[T any](values []T, i int) T {
	var zero T
	switch {
	case len(values) == 1:
		return values[0]
	case i < len(values):
		return values[i]
	}
	return zero
}

func firstNonEmpty(values ...string) string {
	for _, v := range values {
		if v != "" {
			return v
		}
	}
	return ""
}

// logger returns the run's one logger on stderr: debug level with
// --debug, warnings otherwise, nothing with --silent. The session and the
// credential server share it, so their lines never interleave.
func (c *cli) logger() *slog.Logger {
	if c.log == nil {
		level := slog.LevelWarn
		switch {
		case c.debug:
			level = slog.LevelDebug
		case c.silent:
			c.log = slog.New(slog.DiscardHandler)
			return c.log
		}
		c.log = slog.New(slog.NewTextHandler(c.stderr, &slog.HandlerOptions{Level: level}))
	}
	return c.log
}
