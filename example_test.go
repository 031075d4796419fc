package awssession_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/awssession/awssession"
	"github.com/awssession/awssession/ststest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// isolated keeps an example away from the shared config files and
// environment of the machine it runs on.
func isolated(dir string) awssession.Option {
	return awssession.WithSharedConfigFiles([]string{filepath.Join(dir, "config")}, []string{filepath.Join(dir, "credentials")})
}

func ExampleCreateSession_staticKeys() {
	srv, _ := ststest.Start()
	defer srv.Close()
	alice := srv.AddUser("alice")

	ctx := context.Background()
	cfg, err := awssession.CreateSession(ctx,
		awssession.WithStaticCredentials(alice.AccessKeyID, alice.SecretAccessKey, ""),
		awssession.WithRegion("us-east-1"),
		awssession.WithSTSEndpoint(srv.URL), // leave out to talk to AWS
		isolated(os.TempDir()),
	)
	if err != nil {
		fmt.Println(err)
		return
	}
	id, err := awssession.CallerIdentity(ctx, cfg)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(id.ARN)
	// Output: arn:aws:iam::123456789012:user/alice
}

func ExampleCreateSession_assumeRoleWithMFA() {
	srv, _ := ststest.Start()
	defer srv.Close()
	alice := srv.AddUser("alice")
	device := srv.AddMFADevice("alice")
	admin := srv.AddRole("Admin", ststest.Trust{Principals: []string{alice.ARN}, RequireMFA: true})

	ctx := context.Background()
	cfg, err := awssession.CreateSession(ctx,
		awssession.WithStaticCredentials(alice.AccessKeyID, alice.SecretAccessKey, ""),
		awssession.WithMFA(device.SerialNumber, awssession.TOTP(device.Secret)),
		awssession.WithAssumeRole(awssession.AssumeRole{RoleARN: admin.ARN, RoleSessionName: "alice"}),
		awssession.WithRegion("us-east-1"),
		awssession.WithSTSEndpoint(srv.URL),
		isolated(os.TempDir()),
	)
	if err != nil {
		fmt.Println(err)
		return
	}
	id, err := awssession.CallerIdentity(ctx, cfg)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(id.ARN)
	for _, r := range srv.Requests() {
		fmt.Printf("%s mfa=%q\n", r.Action, r.Params.Get("SerialNumber"))
	}
	// Output:
	// arn:aws:sts::123456789012:assumed-role/Admin/alice
	// AssumeRole mfa="arn:aws:iam::123456789012:mfa/alice"
	// GetCallerIdentity mfa=""
}

// One MFA code opens a 12-hour session; the two roles on top of it are
// refreshed from that session without asking for another code.
func ExampleCreateSession_getSessionTokenThenTwoRoles() {
	srv, _ := ststest.Start()
	defer srv.Close()
	alice := srv.AddUser("alice")
	device := srv.AddMFADevice("alice")
	admin := srv.AddRole("Admin", ststest.Trust{Principals: []string{alice.ARN}, RequireMFA: true})
	audit := srv.AddRole("Audit", ststest.Trust{Principals: []string{admin.ARN}})

	ctx := context.Background()
	cfg, err := awssession.CreateSession(ctx,
		awssession.WithStaticCredentials(alice.AccessKeyID, alice.SecretAccessKey, ""),
		awssession.WithMFA(device.SerialNumber, awssession.TOTP(device.Secret)),
		awssession.WithGetSessionToken(12*time.Hour),
		awssession.WithAssumeRole(awssession.AssumeRole{RoleARN: admin.ARN, RoleSessionName: "alice"}),
		awssession.WithAssumeRole(awssession.AssumeRole{RoleARN: audit.ARN, RoleSessionName: "alice"}),
		awssession.WithRegion("us-east-1"),
		awssession.WithSTSEndpoint(srv.URL),
		isolated(os.TempDir()),
	)
	if err != nil {
		fmt.Println(err)
		return
	}
	id, err := awssession.CallerIdentity(ctx, cfg)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(id.ARN)
	for _, r := range srv.Requests() {
		fmt.Printf("%s role=%q mfa=%q\n", r.Action, r.Params.Get("RoleArn"), r.Params.Get("SerialNumber"))
	}
	// Output:
	// arn:aws:sts::123456789012:assumed-role/Audit/alice
	// GetSessionToken role="" mfa="arn:aws:iam::123456789012:mfa/alice"
	// AssumeRole role="arn:aws:iam::123456789012:role/Admin" mfa=""
	// AssumeRole role="arn:aws:iam::123456789012:role/Audit" mfa=""
	// GetCallerIdentity role="" mfa=""
}

// A shared-config profile with role_arn, source_profile and mfa_serial: the
// SDK resolves it, and WithMFA supplies the codes.
func ExampleWithProfile() {
	srv, _ := ststest.Start()
	defer srv.Close()
	alice := srv.AddUser("alice")
	device := srv.AddMFADevice("alice")
	admin := srv.AddRole("Admin", ststest.Trust{Principals: []string{alice.ARN}, RequireMFA: true})

	dir, _ := os.MkdirTemp("", "awssession-example")
	defer os.RemoveAll(dir)
	_ = os.WriteFile(filepath.Join(dir, "config"), []byte(`
[profile admin]
role_arn = `+admin.ARN+`
source_profile = alice
mfa_serial = `+device.SerialNumber+`
role_session_name = alice
region = eu-west-1
`), 0o600)
	_ = os.WriteFile(filepath.Join(dir, "credentials"), []byte(`
[alice]
aws_access_key_id = `+alice.AccessKeyID+`
aws_secret_access_key = `+alice.SecretAccessKey+`
`), 0o600)

	ctx := context.Background()
	cfg, err := awssession.CreateSession(ctx,
		awssession.WithProfile("admin"),
		awssession.WithMFA(device.SerialNumber, awssession.TOTP(device.Secret)),
		awssession.WithSTSEndpoint(srv.URL),
		isolated(dir),
	)
	if err != nil {
		fmt.Println(err)
		return
	}
	id, err := awssession.CallerIdentity(ctx, cfg)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(cfg.Region, id.ARN)
	// Output: eu-west-1 arn:aws:sts::123456789012:assumed-role/Admin/alice
}

// A console sign-in URL for a role session. Against AWS, leave out
// WithFederationEndpoint: the region's partition chooses the endpoint.
func ExampleConsoleURL() {
	srv, _ := ststest.Start()
	defer srv.Close()
	alice := srv.AddUser("alice")
	admin := srv.AddRole("Admin", ststest.Trust{Principals: []string{alice.ARN}})

	ctx := context.Background()
	cfg, err := awssession.CreateSession(ctx,
		awssession.WithStaticCredentials(alice.AccessKeyID, alice.SecretAccessKey, ""),
		awssession.WithAssumeRole(awssession.AssumeRole{RoleARN: admin.ARN, RoleSessionName: "alice"}),
		awssession.WithRegion("eu-west-1"),
		awssession.WithSTSEndpoint(srv.URL),
		isolated(os.TempDir()),
	)
	if err != nil {
		fmt.Println(err)
		return
	}
	signin, err := awssession.ConsoleURL(ctx, cfg,
		awssession.WithConsoleDuration(2*time.Hour),
		awssession.WithFederationEndpoint(srv.FederationURL()), // leave out to use AWS's
	)
	if err != nil {
		fmt.Println(err)
		return
	}
	// The URL signs in whoever holds it: never print or log it.
	fmt.Println(strings.HasPrefix(signin, srv.FederationURL()+"?Action=login&"))
	u, _ := url.Parse(signin)
	session, _ := srv.SigninSession(u.Query().Get("SigninToken"))
	fmt.Println(session.ARN, session.SessionDuration)

	// A browser that opens it is sent on to the console.
	browser := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := browser.Get(signin)
	if err != nil {
		fmt.Println(err)
		return
	}
	resp.Body.Close()
	fmt.Println(resp.StatusCode, resp.Header.Get("Location"))
	// Output:
	// true
	// arn:aws:sts::123456789012:assumed-role/Admin/alice 2h0m0s
	// 302 https://eu-west-1.console.aws.amazon.com/console/home?region=eu-west-1
}

// A command that runs many times a day (a prompt, a credential_process)
// asks PeekSession first: on a warm cache it answers without loading the
// shared configuration or calling STS.
func ExamplePeekSession() {
	srv, _ := ststest.Start()
	defer srv.Close()
	alice := srv.AddUser("alice")
	admin := srv.AddRole("Admin", ststest.Trust{Principals: []string{alice.ARN}})
	dir, _ := os.MkdirTemp("", "example")
	defer os.RemoveAll(dir)
	cache, _ := awssession.NewFileCache(dir)

	opts := []awssession.Option{
		awssession.WithStaticCredentials(alice.AccessKeyID, alice.SecretAccessKey, ""),
		awssession.WithAssumeRole(awssession.AssumeRole{RoleARN: admin.ARN, RoleSessionName: "alice"}),
		awssession.WithRegion("us-east-1"),
		awssession.WithSTSEndpoint(srv.URL),
		awssession.WithCache(cache),
		isolated(dir),
	}
	ctx := context.Background()
	for run := 1; run <= 2; run++ {
		s, ok, err := awssession.PeekSession(ctx, opts...)
		if err != nil {
			fmt.Println(err)
			return
		}
		if !ok { // a miss: build the session, which fills the cache
			cfg, err := awssession.CreateSession(ctx, opts...)
			if err != nil {
				fmt.Println(err)
				return
			}
			if s.Credentials, err = cfg.Credentials.Retrieve(ctx); err != nil {
				fmt.Println(err)
				return
			}
		}
		fmt.Printf("run %d: peeked %v, %d STS calls so far\n", run, ok, srv.CountRequests(""))
	}
	// Output:
	// run 1: peeked false, 1 STS calls so far
	// run 2: peeked true, 1 STS calls so far
}

// Profiles point at a fake STS as they point at any endpoint, through the
// SDK's own settings: endpoint_url in the profile (every service), or sts
// in a [services] section the profile names; AWS_ENDPOINT_URL_STS (and
// AWS_ENDPOINT_URL) in the process environment do the same for every
// profile. WithSTSEndpoint, when given, wins.
func ExampleWithProfile_fakeSTS() {
	srv, _ := ststest.Start()
	defer srv.Close()
	alice := srv.AddUser("alice")
	reader := srv.AddRole("Reader", ststest.Trust{Principals: []string{alice.ARN}})

	dir, _ := os.MkdirTemp("", "awssession-example")
	defer os.RemoveAll(dir)
	_ = os.WriteFile(filepath.Join(dir, "config"), []byte(`
[profile via-endpoint-url]
role_arn = `+reader.ARN+`
source_profile = alice
role_session_name = alice
region = eu-west-1
endpoint_url = `+srv.URL+`

[profile via-services]
role_arn = `+reader.ARN+`
source_profile = alice
role_session_name = alice
region = eu-west-1
services = fake

[services fake]
sts =
  endpoint_url = `+srv.URL+`
`), 0o600)
	_ = os.WriteFile(filepath.Join(dir, "credentials"), []byte(`
[alice]
aws_access_key_id = `+alice.AccessKeyID+`
aws_secret_access_key = `+alice.SecretAccessKey+`
`), 0o600)

	ctx := context.Background()
	for _, profile := range []string{"via-endpoint-url", "via-services"} {
		cfg, err := awssession.CreateSession(ctx, awssession.WithProfile(profile), isolated(dir))
		if err != nil {
			fmt.Println(err)
			return
		}
		id, err := awssession.CallerIdentity(ctx, cfg)
		if err != nil {
			fmt.Println(err)
			return
		}
		fmt.Println(profile, id.ARN)
	}
	// Output:
	// via-endpoint-url arn:aws:sts::123456789012:assumed-role/Reader/alice
	// via-services arn:aws:sts::123456789012:assumed-role/Reader/alice
}

// TestWhoAmI is README.md's example of testing code with ststest, run as
// it is there (TestREADMEExampleRuns keeps the two the same).
func TestWhoAmI(t *testing.T) {
	srv := ststest.NewServer(t) // closed by t.Cleanup
	alice := srv.AddUser("alice")
	dev := srv.AddMFADevice("alice")
	admin := srv.AddRole("Admin", ststest.Trust{Principals: []string{alice.ARN}, RequireMFA: true})

	ctx := context.Background()
	cfg, err := awssession.CreateSession(ctx,
		awssession.WithStaticCredentials(alice.AccessKeyID, alice.SecretAccessKey, ""),
		awssession.WithMFA(dev.SerialNumber, awssession.TOTP(dev.Secret)),
		awssession.WithAssumeRole(awssession.AssumeRole{RoleARN: admin.ARN}),
		awssession.WithRegion("us-east-1"), // every AWS client needs a region; ststest takes any
		awssession.WithSTSEndpoint(srv.URL),
		awssession.WithEnvironment(nil)) // none of the machine's AWS_* variables or ~/.aws
	require.NoError(t, err)
	out, err := sts.NewFromConfig(cfg).GetCallerIdentity(ctx, nil) // your code, with the session
	require.NoError(t, err)
	assert.Contains(t, aws.ToString(out.Arn), ":assumed-role/Admin/")
	// srv.Requests() records every call; srv.InjectFault(ststest.Throttle(2)) injects faults.
}

// TestREADMEExampleRuns: the README's ststest example is TestWhoAmI's
// body, so the documentation runs.
func TestREADMEExampleRuns(t *testing.T) {
	t.Parallel()
	readme, err := os.ReadFile("README.md")
	require.NoError(t, err)
	_, block, ok := strings.Cut(string(readme), "## Testing your code with ststest\n\n```go\n")
	require.True(t, ok, "README.md has no ststest example")
	block, _, _ = strings.Cut(block, "```")
	src, err := os.ReadFile("example_test.go")
	require.NoError(t, err)
	assert.Contains(t, string(src), block, "README.md's ststest example differs from TestWhoAmI")
}
