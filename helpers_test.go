package awssession_test

import (
	"context"
	"os"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	"github.com/awssession/awssession"
	"github.com/awssession/awssession/ststest"
)

// fixture is an STS with one user (alice, with a virtual MFA device), a
// role that requires MFA and a role that trusts that role's sessions.
type fixture struct {
	srv       *ststest.Server
	alice     ststest.User
	device    ststest.MFADevice
	admin     ststest.Role // trusts alice, requires MFA
	open      ststest.Role // trusts alice, no MFA
	auditor   ststest.Role // trusts admin sessions
	readOnly  ststest.Role // trusts auditor sessions
	configDir string
	env       []string // the session's environment: see base
}

func newFixture(t *testing.T, opts ...ststest.ServerOption) *fixture {
	t.Helper()
	srv := ststest.NewServer(t, opts...)
	f := &fixture{srv: srv, configDir: t.TempDir()}
	f.env = []string{"HOME=" + f.configDir, "AWS_CONFIG_FILE=" + filepath.Join(f.configDir, "config"),
		"AWS_SHARED_CREDENTIALS_FILE=" + filepath.Join(f.configDir, "credentials")}
	f.alice = srv.AddUser("alice")
	f.device = srv.AddMFADevice("alice")
	f.admin = srv.AddRole("Admin", ststest.Trust{Principals: []string{f.alice.ARN}, RequireMFA: true, MaxSessionDuration: 12 * time.Hour})
	f.open = srv.AddRole("Open", ststest.Trust{Principals: []string{f.alice.ARN}})
	f.auditor = srv.AddRole("Auditor", ststest.Trust{Principals: []string{f.admin.ARN}})
	f.readOnly = srv.AddRole("ReadOnly", ststest.Trust{Principals: []string{f.auditor.ARN}})
	return f
}

// isolateEnv keeps the developer's or CI's AWS settings out of a test.
func isolateEnv(t *testing.T) {
	t.Helper()
	dir := t.TempDir()
	for _, k := range []string{"AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_ACCESS_KEY",
		"AWS_SECRET_KEY", "AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_REGION", "AWS_DEFAULT_REGION", "AWS_ROLE_ARN",
		"AWS_WEB_IDENTITY_TOKEN_FILE", "AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_STS", "AWS_CONTAINER_CREDENTIALS_FULL_URI",
		"AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", "AWS_CA_BUNDLE"} {
		t.Setenv(k, "")
		os.Unsetenv(k)
	}
	t.Setenv("AWS_CONFIG_FILE", filepath.Join(dir, "config"))
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", filepath.Join(dir, "credentials"))
	t.Setenv("AWS_EC2_METADATA_DISABLED", "true")
}

// base returns the options every test session needs: the fake STS, a
// region, and an environment of the test's own (no AWS_* variable of the
// machine's, the fixture's shared files), so that tests run in parallel.
// Options that follow may replace the environment (extraEnv adds to it).
func (f *fixture) base(opts ...awssession.Option) []awssession.Option {
	return append([]awssession.Option{awssession.WithSTSEndpoint(f.srv.URL), awssession.WithRegion("us-east-1"),
		awssession.WithEnvironment(f.env)}, opts...)
}

// extraEnv is the fixture's environment with more variables.
func (f *fixture) extraEnv(kv ...string) awssession.Option {
	return awssession.WithEnvironment(append(append([]string(nil), f.env...), kv...))
}

func (f *fixture) aliceKeys() awssession.Option {
	return awssession.WithStaticCredentials(f.alice.AccessKeyID, f.alice.SecretAccessKey, "")
}

// writeConfig writes a shared config and credentials file and returns the
// option that makes CreateSession read them.
func (f *fixture) writeConfig(t *testing.T, configText, credentialsText string) awssession.Option {
	t.Helper()
	cfgPath, credPath := filepath.Join(f.configDir, "config"), filepath.Join(f.configDir, "credentials")
	if err := os.WriteFile(cfgPath, []byte(configText), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(credPath, []byte(credentialsText), 0o600); err != nil {
		t.Fatal(err)
	}
	return awssession.WithSharedConfigFiles([]string{cfgPath}, []string{credPath})
}

// actions lists the Action of every request the server received.
func actions(srv *ststest.Server) []string {
	var out []string
	for _, r := range srv.Requests() {
		out = append(out, r.Action)
	}
	return out
}

// counted wraps a token provider and counts its calls.
func counted(tp awssession.TokenProvider) (awssession.TokenProvider, *atomic.Int32) {
	n := new(atomic.Int32)
	return func(ctx context.Context, serial string) (string, error) {
		n.Add(1)
		return tp(ctx, serial)
	}, n
}

// serverTOTP returns codes the server's device accepts now. Unlike TOTP it
// does not wait for a fresh step, so each test must ask for one code only.
func (f *fixture) serverTOTP() awssession.TokenProvider {
	return func(ctx context.Context, serial string) (string, error) { return f.srv.TOTPCode(serial), nil }
}
