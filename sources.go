package awssession

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"os/exec"
	"runtime"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials/ec2rolecreds"
	"github.com/aws/aws-sdk-go-v2/credentials/endpointcreds"
	"github.com/aws/aws-sdk-go-v2/credentials/processcreds"
	"github.com/aws/aws-sdk-go-v2/credentials/stscreds"
	"github.com/aws/aws-sdk-go-v2/feature/ec2/imds"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/smithy-go/middleware"
)

// builder turns a plan into providers: the source from the SDK's own
// providers, but with the session's clients (endpoint, region, timeout,
// environment), and the STS layers above it.
type builder struct {
	*session
	cfg    aws.Config
	caller caller
	sts    *stsService
	getenv func(string) string
}

// source builds the plan's source. What a source other than keys the
// caller gave answers is checked like any service's answer (checkShape,
// and an expiry that has not passed), before it signs anything or is
// printed.
func (b *builder) source() aws.CredentialsProvider {
	p := b.sourceProvider()
	if k := b.plan.src.kind; k == SourceKeys || k == SourceProvider {
		return p
	}
	return checkedSource{p: p, name: b.plan.src.name, now: b.o.world.clock.Now}
}

// checkedSource refuses malformed credentials from a source.
type checkedSource struct {
	p    aws.CredentialsProvider
	name string
	now  func() time.Time
}

func (c checkedSource) Retrieve(ctx context.Context) (aws.Credentials, error) {
	creds, err := c.p.Retrieve(ctx)
	if err != nil {
		return creds, err
	}
	if err := checkShape(creds); err != nil {
		return aws.Credentials{}, fmt.Errorf("%s answered malformed credentials: %w", c.name, err)
	}
	if creds.CanExpire && !creds.Expires.After(c.now()) {
		return aws.Credentials{}, fmt.Errorf("%s answered credentials that expired at %s", c.name, creds.Expires.UTC().Format(time.RFC3339))
	}
	return creds, nil
}

// sourceProvider builds the provider of the plan's source.
func (b *builder) sourceProvider() aws.CredentialsProvider {
	src := b.plan.src
	switch src.kind {
	case SourceKeys:
		return src.keys.provider(staticSource)
	case SourceProvider:
		return src.provider
	case SourceProcess:
		return b.process(src)
	case SourceWebIdentity:
		return b.webIdentity(src.webIdentity)
	case SourceSSO:
		return b.sso(src.sso)
	case SourceLogin:
		return b.login(src.login)
	case SourceContainer:
		return b.container(src)
	}
	return b.imds(src)
}

// processTimeout bounds a credential_process, as the SDK's default does:
// a process that asks a person for a code (aws-vault, awssession's own
// credential-process) gets a minute for the answer.
var processTimeout = time.Minute // a variable for tests

// process builds a credential_process source: the command run by the
// shell, as the AWS CLI runs it, in the session's environment, with the
// terminal's stdin and stderr for its prompts; it is killed after
// processTimeout; a child it leaves holding its output fails it a second
// after it exits instead of keeping the session waiting (the AWS CLI waits).
func (b *builder) process(src source) aws.CredentialsProvider {
	env := b.o.world.environ()
	command := src.process
	return processSource{name: src.name, p: processcreds.NewProviderCommand(processcreds.NewCommandBuilderFunc(func(ctx context.Context) (*exec.Cmd, error) {
		shell := []string{"sh", "-c", command}
		if runtime.GOOS == "windows" {
			shell = []string{"cmd.exe", "/C", command}
		}
		cmd := exec.CommandContext(ctx, shell[0], shell[1:]...)
		cmd.Env, cmd.Stdin, cmd.Stderr = env, os.Stdin, os.Stderr
		cmd.WaitDelay = time.Second
		return cmd, nil
	}), func(o *processcreds.Options) { o.Timeout = processTimeout })}
}

// processSource names the layer in a credential_process's failures and
// says in plain words what the SDK's provider reports as a wait error.
type processSource struct {
	name string
	p    aws.CredentialsProvider
}

func (s processSource) Retrieve(ctx context.Context) (aws.Credentials, error) {
	creds, err := s.p.Retrieve(ctx)
	switch {
	case err == nil:
		return creds, nil
	case errors.Is(err, exec.ErrWaitDelay):
		return creds, fmt.Errorf("%s: the command exited, but a process it started still holds its output (redirect that process's stdout): %w", s.name, err)
	case ctx.Err() == nil && strings.Contains(err.Error(), "timed out"):
		return creds, fmt.Errorf("%s: no answer within %s; the command was killed: %w", s.name, processTimeout, err)
	}
	return creds, fmt.Errorf("%s: %w", s.name, err)
}

// webIdentity builds a web identity source: the SDK's provider, its
// AssumeRoleWithWebIdentity sent (unsigned) through the session's STS.
func (b *builder) webIdentity(w *webIdentity) aws.CredentialsProvider {
	name := w.sessionName
	if name == "" {
		name = defaultSessionName(b.o.world.clock.Now())
	}
	client := webIdentityClient{sts: b.sts, layer: "web identity " + w.roleARN}
	return stscreds.NewWebIdentityRoleProvider(client, w.roleARN, tokenFile(w.tokenFile), func(o *stscreds.WebIdentityRoleOptions) {
		o.RoleSessionName = name
	})
}

// tokenFile reads a web identity token for each call (Kubernetes rotates
// it) through the checked read: a FIFO or /dev/zero there fails.
type tokenFile string

func (f tokenFile) GetIdentityToken() ([]byte, error) {
	b, err := readChecked(string(f), maxTokenFile)
	if err != nil {
		return nil, fmt.Errorf("web identity token file: %w", err)
	}
	return b, nil
}

// webIdentityClient is the session's STS as the SDK's web identity
// provider calls it.
type webIdentityClient struct {
	sts   *stsService
	layer string
}

func (c webIdentityClient) AssumeRoleWithWebIdentity(ctx context.Context, in *sts.AssumeRoleWithWebIdentityInput, fns ...func(*sts.Options)) (*sts.AssumeRoleWithWebIdentityOutput, error) {
	var out *sts.AssumeRoleWithWebIdentityOutput
	attrs := []slog.Attr{slog.String("role", aws.ToString(in.RoleArn)), slog.String("session_name", aws.ToString(in.RoleSessionName))}
	err := c.sts.call(ctx, "AssumeRoleWithWebIdentity", nil, attrs, func(ctx context.Context, client *sts.Client, sign func(*sts.Options)) (middleware.Metadata, error) {
		var err error
		if out, err = client.AssumeRoleWithWebIdentity(ctx, in, append(fns, sign)...); err != nil {
			return middleware.Metadata{}, err
		}
		return out.ResultMetadata, nil
	})
	if err != nil {
		return nil, &CallError{Call: "AssumeRoleWithWebIdentity", Layer: c.layer, Err: err}
	}
	if _, err := credentialsFromSTS(out.Credentials, "AssumeRoleWithWebIdentity", "", time.Now()); err != nil {
		return nil, err
	}
	return out, nil
}

// loginRequiredError reports a sign-in source with no usable token.
func loginRequired(format string, args ...any) error {
	return fmt.Errorf("%w: "+format, append([]any{ErrSignInRequired}, args...)...)
}

// ErrSignInRequired reports an SSO or console sign-in source without a
// token that can be used or renewed: a person must sign in again
// (awssession login, or aws sso login / aws login).
var ErrSignInRequired = errors.New("sign-in required")

// container builds the container source.
func (b *builder) container(src source) aws.CredentialsProvider {
	g := b.getenv
	p := endpointcreds.New(src.url, func(o *endpointcreds.Options) {
		o.HTTPClient = b.cfg.HTTPClient
		o.APIOptions = b.cfg.APIOptions
		if b.cfg.Retryer != nil {
			o.Retryer = b.cfg.Retryer()
		}
		o.AuthorizationToken = g("AWS_CONTAINER_AUTHORIZATION_TOKEN")
		if file := g("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE"); file != "" {
			// Read for each request: EKS rotates it.
			o.AuthorizationTokenProvider = endpointcreds.TokenProviderFunc(func() (string, error) {
				tok, err := readChecked(file, maxTokenFile)
				return strings.TrimSpace(string(tok)), err
			})
		}
	})
	return timed{p: p, caller: b.caller, call: "container credentials"}
}

// imds builds the instance metadata source.
func (b *builder) imds(src source) aws.CredentialsProvider {
	client := imds.New(imds.Options{Endpoint: src.url, HTTPClient: b.cfg.HTTPClient, Logger: b.cfg.Logger,
		EnableFallback: fallbackState(b.getenv("AWS_EC2_METADATA_V1_DISABLED"))})
	return timed{p: ec2rolecreds.New(func(o *ec2rolecreds.Options) { o.Client = client }), caller: b.caller, call: "imds:GetRoleCredentials"}
}

func fallbackState(v1Disabled string) aws.Ternary {
	if strings.EqualFold(v1Disabled, "true") {
		return aws.FalseTernary
	}
	return aws.UnknownTernary
}

// timed bounds a source provider's Retrieve, which makes its requests
// without any prompt below it, by the session's timeout.
type timed struct {
	p      aws.CredentialsProvider
	caller caller
	call   string
}

func (t timed) Retrieve(ctx context.Context) (aws.Credentials, error) {
	var c aws.Credentials
	err := t.caller.do(ctx, t.call, nil, func(ctx context.Context) (md middleware.Metadata, err error) {
		c, err = t.p.Retrieve(ctx)
		return md, err
	})
	return c, err
}
