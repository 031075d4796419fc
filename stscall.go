package awssession

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsmiddleware "github.com/aws/aws-sdk-go-v2/aws/middleware"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/aws-sdk-go-v2/service/sts/types"
	"github.com/aws/smithy-go"
	"github.com/aws/smithy-go/middleware"
	"github.com/awssession/awssession/internal/stsrules"
)

// caller makes every request a session sends for credentials: each is
// bounded by the session's timeout, logged at debug level and its error
// named by the call. It times the request alone: whoever calls it has
// already fetched the signing credentials and any MFA code, so no
// deadline ever runs while a person types or the layer below works.
type caller struct {
	timeout time.Duration // see WithSTSTimeout
	log     *slog.Logger
}

// do sends one request through fn. call names it ("GetSessionToken",
// "sso:GetRoleCredentials"); attrs must hold no secret.
func (c caller) do(ctx context.Context, call string, attrs []slog.Attr, fn func(context.Context) (middleware.Metadata, error)) error {
	reqCtx, cancel := withTimeout(ctx, c.timeout)
	defer cancel()
	start := time.Now()
	md, err := fn(reqCtx)
	if err != nil && reqCtx.Err() != nil && ctx.Err() == nil {
		// The bound, not the caller, ended it: say so, and how long.
		err = fmt.Errorf("no answer within %s: %w", timeoutOf(c.timeout), err)
	}
	logCall(ctx, c.log, call, start, md, err, attrs...)
	return err
}

// timedCall is c.do for a call of an SDK client: meta reads the metadata of
// its output (for the debug log).
func timedCall[O any](ctx context.Context, c caller, call string, attrs []slog.Attr, fn func(context.Context) (O, error), meta func(O) middleware.Metadata) (O, error) {
	var out O
	err := c.do(ctx, call, attrs, func(ctx context.Context) (middleware.Metadata, error) {
		var err error
		if out, err = fn(ctx); err != nil {
			return middleware.Metadata{}, err
		}
		return meta(out), nil
	})
	return out, err
}

// timeoutOf is the bound withTimeout applies for d.
func timeoutOf(d time.Duration) time.Duration {
	if d == 0 {
		return DefaultSTSTimeout
	}
	return d
}

// withTimeout bounds one request, retries included: d, or
// DefaultSTSTimeout for 0; a negative d leaves only ctx.
func withTimeout(ctx context.Context, d time.Duration) (context.Context, context.CancelFunc) {
	switch {
	case d < 0:
		return ctx, func() {}
	case d == 0:
		d = DefaultSTSTimeout
	}
	return context.WithTimeout(ctx, d)
}

// stsService is a session's STS: one client, made on first use (a layer
// served from the cache never calls STS, and a warm session should not pay
// for clients it does not use: each is ~15 µs and ~40 allocations), sent
// to the planned endpoint in the session's region, every call through the
// caller. It is safe for concurrent use.
type stsService struct {
	caller
	cfg      *aws.Config // HTTP client, retryer, API options
	endpoint endpoint    // url "" for AWS's, by region
	region   string
	// foreign: an STS for a config that no session made, whose endpoint
	// the SDK resolves (and the route rule then checks).
	foreign bool

	once   sync.Once
	client *sts.Client
	err    error
}

// stsFallbackRegion signs STS calls when no region is configured: the
// global STS endpoint lives there.
const stsFallbackRegion = "us-east-1"

func (s *stsService) get() (*sts.Client, error) {
	s.once.Do(func() {
		s.client = sts.NewFromConfig(*s.cfg, func(o *sts.Options) {
			if !s.foreign {
				// Explicit, so that no setting the SDK reads elsewhere
				// (the process environment) sends the call elsewhere.
				o.BaseEndpoint = endpointURL(s.endpoint)
			}
			if s.region != "" || o.Region == "" {
				o.Region = s.region
			}
			if o.Region == "" {
				o.Region = stsFallbackRegion
			}
		})
		if s.foreign {
			s.endpoint = endpoint{url: aws.ToString(s.client.Options().BaseEndpoint), from: namedAt("the config's STS endpoint")}
		}
		// Checked when planned where the plan calls STS; here for every
		// other call (CallerIdentity, the console), before it is sent.
		s.err = s.endpoint.check()
	})
	return s.client, s.err
}

// call makes one STS call signed with creds (nil: unsigned, as
// AssumeRoleWithWebIdentity is).
func (s *stsService) call(ctx context.Context, action string, creds *aws.Credentials, attrs []slog.Attr,
	fn func(context.Context, *sts.Client, func(*sts.Options)) (middleware.Metadata, error)) error {
	sign := func(o *sts.Options) {
		if creds == nil {
			o.Credentials = aws.AnonymousCredentials{}
			return
		}
		o.Credentials = aws.CredentialsProviderFunc(func(context.Context) (aws.Credentials, error) { return *creds, nil })
	}
	client, err := s.get()
	if err != nil {
		return err
	}
	return s.do(ctx, action, attrs, func(ctx context.Context) (middleware.Metadata, error) { return fn(ctx, client, sign) })
}

// CallError reports a call a session made for credentials that failed:
// which call and for which layer. It unwraps to the service's error, so
// errors.As with smithy.APIError (and errors.Is with ErrMFAFailed) still
// work.
type CallError struct {
	// Call is the operation, e.g. "GetSessionToken", "AssumeRole",
	// "AssumeRoleWithWebIdentity", "GetCallerIdentity",
	// "sso:GetRoleCredentials".
	Call string
	// Layer names the layer it was made for, e.g. "the MFA session",
	// `role arn:aws:iam::123456789012:role/Admin (profile "admin")`.
	Layer string
	// Err is the service's (or the transport's) error.
	Err error
}

func (e *CallError) Error() string { return fmt.Sprintf("%s for %s: %v", e.Call, e.Layer, e.Err) }

// Unwrap returns the service's error.
func (e *CallError) Unwrap() error { return e.Err }

// logCall logs one finished call at debug level. attrs must hold no
// secret.
func logCall(ctx context.Context, l *slog.Logger, action string, start time.Time, md middleware.Metadata, err error, attrs ...slog.Attr) {
	if !l.Enabled(ctx, slog.LevelDebug) {
		return
	}
	attrs = append(attrs, slog.String("action", action), slog.Duration("elapsed", time.Since(start)))
	var id string
	if err == nil {
		id, _ = awsmiddleware.GetRequestIDMetadata(md)
	} else {
		var withID interface{ ServiceRequestID() string }
		if errors.As(err, &withID) {
			id = withID.ServiceRequestID()
		}
		attrs = append(attrs, slog.String("error", err.Error()))
	}
	if id != "" {
		attrs = append(attrs, slog.String("request_id", id))
	}
	l.LogAttrs(ctx, slog.LevelDebug, "credential call", attrs...)
}

// classifyMFA turns STS's refusal of an MFA code or serial into an
// [*MFAError] with the likely cause; other errors pass through.
func classifyMFA(serial string, err error) error {
	var ae smithy.APIError
	if serial == "" || !errors.As(err, &ae) || ae.ErrorCode() != "AccessDenied" {
		return err
	}
	msg := ae.ErrorMessage()
	var hint string
	switch {
	case strings.Contains(msg, "invalid MFA one time pass code"):
		hint = "the code is wrong, was already used (STS accepts each code once), or the device clock is off"
	case strings.Contains(msg, "unable to validate MFA code"):
		hint = "the serial is not an MFA device of the signing user"
		if strings.HasPrefix(serial, "arn:") {
			hint += "; a virtual device is arn:PARTITION:iam::ACCOUNT:mfa/NAME, as listed under the user's security credentials"
		}
	default:
		return err
	}
	return &MFAError{SerialNumber: serial, Hint: hint, Err: err}
}

// Caps on what a service may answer: session tokens have no documented
// maximum ("make no assumptions about the maximum size"), are 1-4 KB in
// practice, and every one is printed, cached and sent with each request.
const maxAnsweredToken = 64 << 10

// credentialsFromSTS converts STS credentials into SDK credentials, and
// refuses an answer that cannot be a good session: a missing or empty
// key, secret or token, one that is oversized or holds a NUL, or an
// expiry that has passed (now) or lies further out than any STS session
// lives.
func credentialsFromSTS(c *types.Credentials, source, accountID string, now time.Time) (aws.Credentials, error) {
	if c == nil || c.Expiration == nil {
		return aws.Credentials{}, fmt.Errorf("%s: response did not contain credentials", source)
	}
	creds := aws.Credentials{AccessKeyID: deref(c.AccessKeyId), SecretAccessKey: deref(c.SecretAccessKey), SessionToken: deref(c.SessionToken),
		Source: source, CanExpire: true, Expires: *c.Expiration, AccountID: accountID}
	return creds, checkAnswered(creds, source, now, maxSTSLifetime)
}

// checkAnswered refuses credentials a service answered that cannot be a
// good session (see credentialsFromSTS); maxLife bounds the expiry.
func checkAnswered(c aws.Credentials, source string, now time.Time, maxLife time.Duration) error {
	if c.SessionToken == "" {
		return fmt.Errorf("%s: response did not contain credentials", source)
	}
	if err := checkShape(c); err != nil {
		return fmt.Errorf("%s: %w", source, err)
	}
	switch {
	case !c.Expires.After(now):
		return fmt.Errorf("%s: the service answered credentials that expired at %s", source, c.Expires.UTC().Format(time.RFC3339))
	case c.Expires.After(now.Add(maxLife)):
		return fmt.Errorf("%s: the service answered credentials that expire at %s, later than such a session lives", source, c.Expires.UTC().Format(time.RFC3339))
	}
	return nil
}

// checkShape is the one rule for the shape of credentials from anywhere
// (a service's answer, a source, the cache): a key ID as AWS issues them,
// a secret and a token within the caps, neither holding a NUL. Whatever
// passes is printed, cached and sent with every request; a 10 MB token
// would be all three.
func checkShape(c aws.Credentials) error {
	switch {
	case c.AccessKeyID == "" || c.SecretAccessKey == "":
		return errors.New("response did not contain credentials (no access key ID or secret)")
	case !stsrules.IsAccessKeyID(c.AccessKeyID):
		return errors.New("the access key ID is not one AWS issues (16-128 upper-case letters and digits)")
	case len(c.SecretAccessKey) > maxSecretKey || len(c.SessionToken) > maxAnsweredToken:
		return fmt.Errorf("an oversized secret (%d bytes) or session token (%d bytes)", len(c.SecretAccessKey), len(c.SessionToken))
	case strings.ContainsRune(c.SecretAccessKey+c.SessionToken, 0):
		return errors.New("a NUL byte in the secret or session token")
	}
	return nil
}

func seconds(d time.Duration) *int32 { return aws.Int32(int32(d / time.Second)) }

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}
