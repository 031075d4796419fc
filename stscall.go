package awssession

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsmiddleware "github.com/aws/aws-sdk-go-v2/aws/middleware"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/aws-sdk-go-v2/service/sts/types"
	"github.com/aws/smithy-go"
	"github.com/aws/smithy-go/middleware"
)

// stsFallbackRegion signs STS calls when no region is configured: the
// global STS endpoint lives there.
const stsFallbackRegion = "us-east-1"

// newSTSClient returns an STS client that signs with creds (nil: the
// config's) and honours the config's retryer and HTTP client and the
// session's endpoint. It refuses an endpoint the SDK's own settings chose
// that breaks WithSTSEndpoint's rule (see checkSTSRoute): every STS client
// is made here, so no call reaches such an endpoint, and the check costs
// nothing to a session that makes no STS call.
func newSTSClient(cfg aws.Config, creds aws.CredentialsProvider, endpoint string) (*sts.Client, error) {
	client := sts.NewFromConfig(cfg, stsOptions(endpoint), func(o *sts.Options) {
		if creds != nil {
			o.Credentials = creds
		}
	})
	if endpoint == "" { // WithSTSEndpoint's own is checked with the options
		if err := checkSTSRoute(cfg, aws.ToString(client.Options().BaseEndpoint)); err != nil {
			return nil, err
		}
	}
	return client, nil
}

// lazySTSClient builds its STS client on the first call. A layer served
// from the cache never calls STS, and a warm session should not pay for
// clients it does not use (each is ~15 µs and ~40 allocations). It is
// safe for concurrent use.
type lazySTSClient struct {
	once     sync.Once
	client   *sts.Client
	err      error
	cfg      aws.Config
	creds    aws.CredentialsProvider
	endpoint string
}

var (
	_ sessionTokenAPI = (*lazySTSClient)(nil)
	_ assumeRoleAPI   = (*lazySTSClient)(nil)
)

func newLazySTSClient(cfg aws.Config, creds aws.CredentialsProvider, endpoint string) *lazySTSClient {
	return &lazySTSClient{cfg: cfg, creds: creds, endpoint: endpoint}
}

func (c *lazySTSClient) get() (*sts.Client, error) {
	c.once.Do(func() { c.client, c.err = newSTSClient(c.cfg, c.creds, c.endpoint) })
	return c.client, c.err
}

func (c *lazySTSClient) GetSessionToken(ctx context.Context, in *sts.GetSessionTokenInput, fns ...func(*sts.Options)) (*sts.GetSessionTokenOutput, error) {
	client, err := c.get()
	if err != nil {
		return nil, err
	}
	return client.GetSessionToken(ctx, in, fns...)
}

func (c *lazySTSClient) AssumeRole(ctx context.Context, in *sts.AssumeRoleInput, fns ...func(*sts.Options)) (*sts.AssumeRoleOutput, error) {
	client, err := c.get()
	if err != nil {
		return nil, err
	}
	return client.AssumeRole(ctx, in, fns...)
}

// stsOptions points a client at endpoint (when set) and gives it a region.
func stsOptions(endpoint string) func(*sts.Options) {
	return func(o *sts.Options) {
		if endpoint != "" {
			o.BaseEndpoint = aws.String(endpoint)
		}
		if o.Region == "" {
			o.Region = stsFallbackRegion
		}
	}
}

// logCall logs one finished STS call at debug level. attrs must hold no
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
	l.LogAttrs(ctx, slog.LevelDebug, "sts call", attrs...)
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

// credentialsFromSTS converts STS credentials into SDK credentials, and
// refuses an answer that cannot be a good session: a missing or empty
// key, secret or token, or an expiry that has passed (now) or lies
// further out than any STS session lives.
func credentialsFromSTS(c *types.Credentials, source, accountID string, now time.Time) (aws.Credentials, error) {
	if c == nil || deref(c.AccessKeyId) == "" || deref(c.SecretAccessKey) == "" || deref(c.SessionToken) == "" || c.Expiration == nil {
		return aws.Credentials{}, fmt.Errorf("%s: response did not contain credentials", source)
	}
	switch exp := *c.Expiration; {
	case !exp.After(now):
		return aws.Credentials{}, fmt.Errorf("%s: STS answered credentials that expired at %s", source, exp.UTC().Format(time.RFC3339))
	case exp.After(now.Add(maxSTSLifetime)):
		return aws.Credentials{}, fmt.Errorf("%s: STS answered credentials that expire at %s, later than any STS session lives", source, exp.UTC().Format(time.RFC3339))
	}
	return aws.Credentials{
		AccessKeyID:     *c.AccessKeyId,
		SecretAccessKey: *c.SecretAccessKey,
		SessionToken:    *c.SessionToken,
		Source:          source,
		CanExpire:       true,
		Expires:         *c.Expiration,
		AccountID:       accountID,
	}, nil
}

func seconds(d time.Duration) *int32 { return aws.Int32(int32(d / time.Second)) }

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

// checkSTSRoute applies WithSTSEndpoint's rule (https, or http to loopback
// only: STS answers carry secret keys, and AssumeRole carries MFA codes) to
// the endpoint the SDK's own settings choose for STS: AWS_ENDPOINT_URL_STS,
// AWS_ENDPOINT_URL, or endpoint_url in the profile or its [services]
// section. The error names the route.
func checkSTSRoute(cfg aws.Config, u string) error {
	if u == "" {
		return nil
	}
	err := validateEndpoint(u)
	if err == nil {
		return nil
	}
	route := "endpoint_url in the [services] section the profile names (sts = ...)"
	switch {
	case os.Getenv("AWS_ENDPOINT_URL_STS") == u:
		route = "AWS_ENDPOINT_URL_STS"
	case os.Getenv("AWS_ENDPOINT_URL") == u:
		route = "AWS_ENDPOINT_URL"
	case aws.ToString(cfg.BaseEndpoint) == u:
		route = "endpoint_url in the profile"
	}
	e := err.(*InputError)
	return invalid(namedAt(route), "%s", e.Problem)
}
