package awssession

import (
	"context"
	"net"
	"net/url"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials/ec2rolecreds"
	"github.com/aws/aws-sdk-go-v2/credentials/endpointcreds"
	"github.com/aws/aws-sdk-go-v2/feature/ec2/imds"
	"github.com/aws/smithy-go/middleware"
)

// The sources the host provides: a container credentials endpoint (ECS,
// EKS Pod Identity, a local credential server) and the EC2 instance
// metadata service. Both are planned from the session's environment and
// built from the SDK's providers with the session's HTTP client, each
// request bounded by the session's timeout.

// ecsAgentURL is where AWS_CONTAINER_CREDENTIALS_RELATIVE_URI points.
const ecsAgentURL = "http://169.254.170.2"

// containerSource is the container endpoint the environment names, ok
// false when it names none.
func containerSource(s *snapshot) (src source, ok bool, err error) {
	src = source{kind: SourceContainer, temporary: true}
	switch rel, full := s.getenv("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI"), s.getenv("AWS_CONTAINER_CREDENTIALS_FULL_URI"); {
	case rel != "":
		src.url, src.urlFrom = ecsAgentURL+rel, namedAt("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI")
	case full != "":
		src.url, src.urlFrom = full, namedAt("AWS_CONTAINER_CREDENTIALS_FULL_URI")
	default:
		return source{}, false, nil
	}
	src.name = "the container endpoint " + redactURL(src.url)
	src.from = redactURL(src.url)
	src.id = []any{"container", src.url}
	return src, true, checkContainerURL(src.url, src.urlFrom)
}

// containerHosts are the link-local addresses of the ECS and EKS
// credential agents, which serve plain http (as the SDK allows them).
var containerHosts = []string{"169.254.170.2", "169.254.170.23", "fd00:ec2::23"}

// imdsHosts are the instance metadata service's addresses.
var imdsHosts = []string{"169.254.169.254", "fd00:ec2::254"}

// checkContainerURL applies the route rule to a container credentials
// endpoint: https, or http to loopback or to the ECS/EKS agents'
// link-local addresses, which no other host can answer for.
func checkContainerURL(raw string, from at) error { return checkLinkLocal(raw, from, containerHosts) }

// checkIMDSURL does the same for the instance metadata service ("": the
// SDK's default, which is link-local).
func checkIMDSURL(raw string, from at) error { return checkLinkLocal(raw, from, imdsHosts) }

// checkLinkLocal is the route rule with plain http also allowed to hosts.
func checkLinkLocal(raw string, from at, hosts []string) error {
	u, err := url.Parse(raw)
	if raw == "" || (err == nil && u.Scheme == "http" && u.User == nil && isOneOf(u.Hostname(), hosts)) {
		return nil
	}
	return endpoint{url: raw, from: from}.check()
}

func isOneOf(host string, hosts []string) bool {
	ip := net.ParseIP(host)
	for _, h := range hosts {
		if ip != nil && ip.Equal(net.ParseIP(h)) {
			return true
		}
	}
	return false
}

// imdsSource is the EC2 instance metadata service, at the endpoint the
// environment or the profile names.
func imdsSource(s *snapshot, c *profileChain) (source, error) {
	src := source{kind: SourceIMDS, name: "the EC2 instance metadata service", temporary: true}
	switch {
	case s.getenv("AWS_EC2_METADATA_SERVICE_ENDPOINT") != "":
		src.url, src.urlFrom = s.getenv("AWS_EC2_METADATA_SERVICE_ENDPOINT"), namedAt("AWS_EC2_METADATA_SERVICE_ENDPOINT")
	case c != nil && c.settings.imdsEndpoint != "":
		src.url, src.urlFrom = c.settings.imdsEndpoint, profileAt(c.settings.name, "ec2_metadata_service_endpoint")
	}
	if src.url != "" {
		src.name += " at " + redactURL(src.url)
		src.from = redactURL(src.url)
	}
	src.id = []any{"imds", src.url}
	return src, checkIMDSURL(src.url, src.urlFrom)
}

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
