package awssession

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"time"

	"github.com/awssession/awssession/internal/loopback"
	"github.com/awssession/awssession/internal/stsrules"
)

// Limits and defaults of console sessions (IAM User Guide, "Enable custom
// identity broker access to the AWS console").
const (
	maxConsoleSession         = 12 * time.Hour // SessionDuration, role credentials
	defaultFederationDuration = time.Hour      // GetFederationToken for ConsoleURL
)

// allowAll is the default GetFederationToken policy. STS intersects it
// with the user's own policies, so the console gets exactly those.
const allowAll = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}`

// A ConsoleOption configures [ConsoleURL]. Like [Option], options are
// plain, comparable values that do no I/O; ConsoleURL checks them together.
type ConsoleOption interface {
	applyConsole(*consoleOptions)
}

type consoleOptions struct {
	destination, region, issuer, endpoint, name, policy string
	duration                                            time.Duration
}

type destinationOption string

func (d destinationOption) applyConsole(o *consoleOptions) { o.destination = string(d) }

// Format prints the option with any password in the URL redacted.
func (d destinationOption) Format(f fmt.State, _ rune) {
	formatURLOption(f, "WithDestination", string(d))
}

// WithDestination sets the console page to open, an https URL. The default
// is the console home of the partition, in the region when one is known,
// e.g. https://eu-west-1.console.aws.amazon.com/console/home?region=eu-west-1.
func WithDestination(url string) ConsoleOption { return destinationOption(url) }

type consoleRegionOption string

func (r consoleRegionOption) applyConsole(o *consoleOptions) { o.region = string(r) }

// WithConsoleRegion sets the region whose partition (aws, aws-cn,
// aws-us-gov) gives the federation endpoint and whose console home is the
// default destination. The default is the config's region; with none, the
// aws partition and its global console home.
func WithConsoleRegion(region string) ConsoleOption { return consoleRegionOption(region) }

type issuerOption string

func (i issuerOption) applyConsole(o *consoleOptions) { o.issuer = string(i) }

// WithIssuer sets the login URL's Issuer: per AWS, the URL of the sign-in
// page of the identity broker, for the console to link to when the session
// ends. The default is "awssession"; "" leaves the parameter out.
func WithIssuer(issuer string) ConsoleOption { return issuerOption(issuer) }

type consoleDurationOption time.Duration

func (d consoleDurationOption) applyConsole(o *consoleOptions) { o.duration = time.Duration(d) }

// WithConsoleDuration sets how long the console session lasts.
//   - Role credentials: 15 min to 12 h, sent to the federation endpoint as
//     SessionDuration. AWS refuses it for a role assumed with temporary
//     credentials (role chaining); the error then says so. Without it the
//     console lasts as long as the credentials.
//   - IAM user keys: 15 min to 36 h (1 h for root), the GetFederationToken
//     duration; the default is 1 h.
//   - GetFederationToken credentials: not allowed (the endpoint refuses it).
func WithConsoleDuration(d time.Duration) ConsoleOption { return consoleDurationOption(d) }

type federationEndpointOption string

func (e federationEndpointOption) applyConsole(o *consoleOptions) { o.endpoint = string(e) }

// Format prints the option with any password in the URL redacted.
func (e federationEndpointOption) Format(f fmt.State, _ rune) {
	formatURLOption(f, "WithFederationEndpoint", string(e))
}

// WithFederationEndpoint replaces the partition's federation endpoint
// (https://signin.aws.amazon.com/federation), e.g. with a test server's
// (ststest.Server.FederationURL). Plain http is accepted for loopback
// hosts only: the request carries the session's secret key.
func WithFederationEndpoint(url string) ConsoleOption { return federationEndpointOption(url) }

type federationTokenOption struct{ name, policy string }

func (f federationTokenOption) applyConsole(o *consoleOptions) {
	if f.name != "" {
		o.name = f.name
	}
	if f.policy != "" {
		o.policy = f.policy
	}
}

// WithFederationToken sets the name (2–32 of [\w+=,.@-]) and the session
// policy (JSON) of the GetFederationToken call ConsoleURL makes for
// long-term IAM user keys. The defaults are "awssession" and a policy that
// allows everything, which STS intersects with the user's own policies:
// the console gets all of the user's permissions and no more. An empty
// name or policy keeps the default.
func WithFederationToken(name, policy string) ConsoleOption {
	return federationTokenOption{name, policy}
}

// validate checks every option, reporting all problems at once.
func (o *consoleOptions) validate() error {
	var errs []error
	if o.region != "" && !stsrules.IsRegion(o.region) {
		errs = append(errs, invalid(optionAt(OptionWithConsoleRegion, ""), "%q is not a region name like us-east-1", o.region))
	}
	if o.duration != 0 {
		errs = append(errs, validateDuration(optionAt(OptionWithConsoleDuration, ""), o.duration, stsrules.MaxSessionTokenSeconds))
	}
	if v := stsrules.FederationName.Check(o.name); v != nil {
		errs = append(errs, invalid(optionAt(OptionWithFederationToken, "Name"), "%q: %s", o.name, v.Rule))
	}
	if v := stsrules.FederationPolicy.Check(o.policy); v != nil || !json.Valid([]byte(o.policy)) {
		errs = append(errs, invalid(optionAt(OptionWithFederationToken, "Policy"), "must be a JSON policy of 1-2048 characters"))
	}
	for _, u := range []struct {
		option OptionName
		value  string
	}{{OptionWithDestination, o.destination}, {OptionWithFederationEndpoint, o.endpoint}} {
		if u.value == "" {
			continue
		}
		if err := loopback.CheckURL(u.value); err != nil {
			errs = append(errs, invalid(optionAt(u.option, ""), "%v", err))
		} else if p, _ := url.Parse(u.value); u.option == OptionWithFederationEndpoint && (p.RawQuery != "" || p.Fragment != "") {
			errs = append(errs, invalid(optionAt(u.option, ""), "%q has a query or fragment; give the endpoint alone", u.value))
		}
	}
	return errors.Join(errs...)
}

// consoleDomains are the sign-in and console hosts of a partition that
// has a console federation endpoint (aws-vault cli/login.go, the AWS
// Toolkits).
type consoleDomains struct {
	signin, console string
}

var consolePartitions = map[string]consoleDomains{
	"aws":        {"signin.aws.amazon.com", "console.aws.amazon.com"},
	"aws-cn":     {"signin.amazonaws.cn", "console.amazonaws.cn"},
	"aws-us-gov": {"signin.amazonaws-us-gov.com", "console.amazonaws-us-gov.com"},
}

// targets returns the federation endpoint and the destination: the
// options' own, else those of the region's partition.
func (o *consoleOptions) targets() (endpoint, destination string, err error) {
	endpoint, destination = o.endpoint, o.destination
	if endpoint != "" && destination != "" {
		return endpoint, destination, nil
	}
	region := o.region
	if region == "aws-global" {
		region = "" // a signing region, not one with a console
	}
	p := stsrules.PartitionForRegion(region)
	d, ok := consolePartitions[p]
	if !ok {
		return "", "", invalid(optionAt(OptionWithConsoleRegion, ""),
			"partition %s (region %s) has no console federation endpoint known here", p, region).advise(RemedyConsoleEndpoint)
	}
	if endpoint == "" {
		endpoint = "https://" + d.signin + "/federation"
	}
	if destination == "" {
		destination = d.destination(region)
	}
	return endpoint, destination, nil
}

// destination is the console home, in the region when it is known: every
// partition serves its console under REGION.CONSOLE-HOST.
func (d consoleDomains) destination(region string) string {
	if region == "" {
		return "https://" + d.console + "/"
	}
	return fmt.Sprintf("https://%s.%s/console/home?region=%s", region, d.console, region)
}
