package main

import (
	"context"
	"crypto/sha1"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/ssooidc"
	"github.com/awssession/awssession/ststest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// populateFixture is the CLI fixture with alice signed in to the fake
// Identity Center as the session "corp", whose token is where the AWS
// CLI keeps it, and a config file with the session and a few lines of a
// person's own.
type populateFixture struct {
	*fixture
	configFile string
	sso        []string // the environment that sends SSO and SSO OIDC calls to the fake
	token      string   // the access token, which nothing may print
}

// handWritten is the start of the config file: a person's own lines.
const handWritten = "# my settings\n[default]\nregion = eu-west-1   # where I work\n\n" +
	"[profile ststest-100000000001-Admin] ; mine, not generated\nregion = us-west-2\n\n"

func newPopulateFixture(t *testing.T) *populateFixture {
	t.Helper()
	f := &populateFixture{fixture: newFixture(t), sso: nil}
	f.configFile = filepath.Join(f.dir, "config")
	f.writeConfig(t, handWritten+"[sso-session corp]\nsso_start_url = "+f.srv.SSOStartURL()+"\nsso_region = us-east-1\n")
	f.token = signInToFake(t, f.srv, "alice", filepath.Join(f.dir, ".aws", "sso", "cache", sha1Hex("corp")+".json"))
	f.sso = []string{"AWS_ENDPOINT_URL_SSO=" + f.srv.URL, "AWS_ENDPOINT_URL_SSO_OIDC=" + f.srv.URL}
	return f
}

func (f *populateFixture) writeConfig(t *testing.T, text string) {
	t.Helper()
	require.NoError(t, os.WriteFile(f.configFile, []byte(text), 0o600))
}

func (f *populateFixture) config(t *testing.T) string {
	t.Helper()
	b, err := os.ReadFile(f.configFile)
	require.NoError(t, err)
	return string(b)
}

// populate runs sso populate for corp with args.
func (f *populateFixture) populate(t *testing.T, env []string, args ...string) result {
	t.Helper()
	return f.run(t, append(append([]string(nil), f.sso...), env...), "", append([]string{"sso", "populate", "--sso-session", "corp"}, args...)...)
}

func sha1Hex(s string) string {
	h := sha1.Sum([]byte(s))
	return hex.EncodeToString(h[:])
}

// signInToFake signs user in with the SDK's device flow, approved as a
// person would, writes the token to path as the AWS CLI does and returns
// the access token.
func signInToFake(t *testing.T, srv *ststest.Server, user, path string) string {
	t.Helper()
	ctx := context.Background()
	oidc := ssooidc.NewFromConfig(aws.Config{Region: "us-east-1", BaseEndpoint: aws.String(srv.URL)})
	client, err := oidc.RegisterClient(ctx, &ssooidc.RegisterClientInput{ClientName: aws.String("test"), ClientType: aws.String("public"),
		Scopes: []string{"sso:account:access"}})
	require.NoError(t, err)
	auth, err := oidc.StartDeviceAuthorization(ctx, &ssooidc.StartDeviceAuthorizationInput{ClientId: client.ClientId,
		ClientSecret: client.ClientSecret, StartUrl: aws.String(srv.SSOStartURL())})
	require.NoError(t, err)
	require.NoError(t, srv.ApproveDevice(aws.ToString(auth.UserCode), user))
	tok, err := oidc.CreateToken(ctx, &ssooidc.CreateTokenInput{ClientId: client.ClientId, ClientSecret: client.ClientSecret,
		GrantType: aws.String("urn:ietf:params:oauth:grant-type:device_code"), DeviceCode: auth.DeviceCode})
	require.NoError(t, err)
	b, err := json.Marshal(map[string]string{"startUrl": srv.SSOStartURL(), "region": "us-east-1", "accessToken": aws.ToString(tok.AccessToken),
		"expiresAt": time.Now().Add(time.Duration(tok.ExpiresIn) * time.Second).UTC().Format(time.RFC3339), "clientId": aws.ToString(client.ClientId),
		"clientSecret": aws.ToString(client.ClientSecret), "refreshToken": aws.ToString(tok.RefreshToken),
		"registrationExpiresAt": time.Unix(client.ClientSecretExpiresAt, 0).UTC().Format(time.RFC3339)})
	require.NoError(t, err)
	require.NoError(t, os.MkdirAll(filepath.Dir(path), 0o700))
	require.NoError(t, os.WriteFile(path, b, 0o600))
	return aws.ToString(tok.AccessToken)
}

// loadProfile reads a profile of the config file with the SDK's parser.
func loadProfile(t *testing.T, file, name string) config.SharedConfig {
	t.Helper()
	sc, err := config.LoadSharedConfigProfile(context.Background(), name, func(o *config.LoadSharedConfigOptions) {
		o.ConfigFiles, o.CredentialsFiles = []string{file}, []string{}
	})
	require.NoError(t, err, name)
	return sc
}

// TestSSOPopulate writes a profile per role of 46 accounts (three pages
// of accounts, two of roles in one of them), keeps every line of the
// person's own and their profile of a generated name, and changes nothing
// on a second run.
func TestSSOPopulate(t *testing.T) {
	t.Parallel()
	f := newPopulateFixture(t)
	for i := 1; i <= 45; i++ {
		f.srv.AssignSSO("alice", fmt.Sprintf("1000000000%02d", i), "Admin")
	}
	for i := range 25 {
		f.srv.AssignSSO("alice", "999999999999", fmt.Sprintf("Set%02d", i))
	}
	before := f.config(t)

	first := f.populate(t, nil, "--region", "eu-central-1")
	require.Equal(t, 0, first.code, "stderr: %s", first.stderr)
	assert.Empty(t, first.stdout)
	assert.Contains(t, first.stderr, "sso-session corp: 69 added, 0 updated, 0 removed, 0 stale, 1 skipped, 0 unchanged; wrote "+f.configFile)
	assert.Contains(t, first.stderr, "skipped profile ststest-100000000001-Admin (100000000001 Admin): a profile of that name exists that sso populate did not write")
	assert.Contains(t, first.stderr, "added profile ststest-999999999999-Set24 (999999999999 Set24)")
	after := f.config(t)
	require.True(t, strings.HasPrefix(after, before), "the person's lines changed:\n%s", after)
	assert.Contains(t, after, "\n\n[profile ststest-100000000002-Admin]\nsso_session = corp\nsso_account_id = 100000000002\nsso_role_name = Admin\n"+
		"region = eu-central-1\nawssession_generated = corp\n")
	sc := loadProfile(t, f.configFile, "ststest-999999999999-Set07")
	assert.Equal(t, []string{"corp", "999999999999", "Set07", "eu-central-1", f.srv.SSOStartURL()},
		[]string{sc.SSOSessionName, sc.SSOAccountID, sc.SSORoleName, sc.Region, sc.SSOSession.SSOStartURL})
	assert.Equal(t, "us-west-2", loadProfile(t, f.configFile, "ststest-100000000001-Admin").Region)

	second := f.populate(t, nil, "--region", "eu-central-1")
	require.Equal(t, 0, second.code, "stderr: %s", second.stderr)
	assert.Equal(t, after, f.config(t), "a second run changed the file")
	assert.Contains(t, second.stderr, "0 added, 0 updated, 0 removed, 0 stale, 1 skipped, 69 unchanged; "+f.configFile+" unchanged")
	assert.Equal(t, 2*3, f.srv.CountRequests("sso:ListAccounts"))
}

// TestSSOPopulatePrune: a generated profile whose assignment is gone is
// stale, and --prune removes it; profiles generated for another session
// and written by hand stay, comments too.
func TestSSOPopulatePrune(t *testing.T) {
	t.Parallel()
	f := newPopulateFixture(t)
	f.srv.AssignSSO("alice", "123456789012", "Admin")
	gone := "# before gone\n[profile gone]\nsso_session = corp\nsso_account_id = 210987654321\nsso_role_name = Old\nawssession_generated = corp\n\n"
	other := "[profile other]\nsso_session = else\nsso_account_id = 210987654321\nsso_role_name = Old\nawssession_generated = else\n"
	f.writeConfig(t, f.config(t)+"\n"+gone+other)

	stale := f.populate(t, nil)
	require.Equal(t, 0, stale.code, "stderr: %s", stale.stderr)
	assert.Contains(t, stale.stderr, "stale profile gone (210987654321 Old): its assignment is gone; --prune removes it")
	assert.Contains(t, f.config(t), gone)

	pruned := f.populate(t, nil, "--prune")
	require.Equal(t, 0, pruned.code, "stderr: %s", pruned.stderr)
	assert.Contains(t, pruned.stderr, "removed profile gone (210987654321 Old): its assignment is gone")
	cfg := f.config(t)
	assert.NotContains(t, cfg, "[profile gone]")
	assert.Contains(t, cfg, "# before gone\n\n"+other)
	assert.Contains(t, cfg, handWritten)
	assert.Contains(t, cfg, "[profile ststest-123456789012-Admin]")
}

// TestSSOPopulateDryRunAndJSON: --dry-run writes nothing; --format json
// prints the changes on stdout.
func TestSSOPopulateDryRunAndJSON(t *testing.T) {
	t.Parallel()
	f := newPopulateFixture(t)
	f.srv.AssignSSO("alice", "123456789012", "Admin")
	before := f.config(t)
	dry := f.populate(t, nil, "--dry-run")
	require.Equal(t, 0, dry.code, "stderr: %s", dry.stderr)
	assert.Contains(t, dry.stderr, "would add profile ststest-123456789012-Admin (123456789012 Admin)")
	assert.Contains(t, dry.stderr, "dry run: "+f.configFile+" not changed")
	assert.Equal(t, before, f.config(t))

	out := f.populate(t, nil, "--format", "json")
	require.Equal(t, 0, out.code, "stderr: %s", out.stderr)
	assert.Empty(t, out.stderr)
	var rep populateReport
	require.NoError(t, json.Unmarshal([]byte(out.stdout), &rep), out.stdout)
	assert.Equal(t, []profileChange{{Profile: "ststest-123456789012-Admin", AccountID: "123456789012", AccountName: "ststest-123456789012", RoleName: "Admin"}}, rep.Added)
	assert.Equal(t, f.configFile, rep.ConfigFile)
	assert.Contains(t, out.stdout, `"removed": []`)
}

// TestSSOPopulateNameTemplate: names that clash get the account ID; what
// a profile name cannot hold becomes "-"; a template that does not run is
// refused before any request.
func TestSSOPopulateNameTemplate(t *testing.T) {
	t.Parallel()
	f := newPopulateFixture(t)
	f.srv.AssignSSO("alice", "111111111111", "Admin")
	f.srv.AssignSSO("alice", "222222222222", "Admin")
	f.srv.AssignSSO("alice", "222222222222", "Read.Only")
	r := f.populate(t, nil, "--name-template", "{{.RoleName}} [{{lower .SSOSession}}]")
	require.Equal(t, 0, r.code, "stderr: %s", r.stderr)
	for _, name := range []string{"Admin-corp-111111111111", "Admin-corp-222222222222", "Read.Only-corp"} {
		assert.Contains(t, f.config(t), "[profile "+name+"]\n")
	}

	requests := len(f.srv.Requests())
	bad := f.populate(t, nil, "--name-template", "{{.Account}}")
	assert.Equal(t, 2, bad.code)
	assert.Contains(t, bad.stderr, "--name-template")
	assert.Len(t, f.srv.Requests(), requests)
}

// TestSSOPopulateRefusals: no token (or an expired one) means a sign-in,
// an endpoint that breaks the route rule and a bad --region are named, all
// with exit status 2 and before any request; a portal that does not
// answer is given up after --sts-timeout.
func TestSSOPopulateRefusals(t *testing.T) {
	t.Parallel()
	f := newPopulateFixture(t)
	f.srv.AssignSSO("alice", "123456789012", "Admin")
	tokenFile := filepath.Join(f.dir, ".aws", "sso", "cache", sha1Hex("corp")+".json")
	before := f.config(t)
	for _, tc := range []struct {
		name, want string
		env, args  []string
	}{
		{"unknown session", "awssession: --sso-session nope: is not in the shared config files", nil, []string{"--sso-session", "nope"}},
		{"route rule", "AWS_ENDPOINT_URL_SSO", []string{"AWS_ENDPOINT_URL_SSO=http://x.invalid"}, nil},
		{"region", "--region", nil, []string{"--region", "Mars"}},
		{"no token", "run `awssession login` with a profile whose sso_session is corp, or `aws sso login --sso-session corp`", []string{"HOME=" + t.TempDir()}, nil},
	} {
		r := f.populate(t, tc.env, tc.args...)
		assert.Equal(t, 2, r.code, "%s: stderr: %s", tc.name, r.stderr)
		assert.Contains(t, r.stderr, tc.want, tc.name)
	}
	assert.Zero(t, f.srv.CountRequests("sso:ListAccounts"))

	f.srv.InjectFault(ststest.Latency(10, time.Hour).ForAction("sso:ListAccounts"))
	r := f.populate(t, nil, "--sts-timeout", "200ms")
	assert.Equal(t, 1, r.code, "stderr: %s", r.stderr)
	assert.Contains(t, r.stderr, "sso:ListAccounts for IAM Identity Center session corp")
	assert.Contains(t, r.stderr, "deadline exceeded")
	assert.Equal(t, before, f.config(t))
	_, err := os.Stat(tokenFile)
	assert.NoError(t, err)
}

// TestSSOPopulateNeverPrintsTheToken, also with --debug.
func TestSSOPopulateNeverPrintsTheToken(t *testing.T) {
	t.Parallel()
	f := newPopulateFixture(t)
	f.srv.AssignSSO("alice", "123456789012", "Admin")
	r := f.populate(t, nil, "--debug")
	require.Equal(t, 0, r.code, "stderr: %s", r.stderr)
	assert.Contains(t, r.stderr, "sso:ListAccountRoles")
	assert.NotContains(t, r.stdout+r.stderr, f.token)
}

// TestSSOPopulatedProfilesWork: a generated profile serves awssession
// (whoami through the fake's portal and STS) and the AWS CLI, which reads
// the profile and the token from the files as they are.
func TestSSOPopulatedProfilesWork(t *testing.T) {
	t.Parallel()
	f := newPopulateFixture(t)
	f.srv.AssignSSO("alice", "123456789012", "Admin")
	require.Equal(t, 0, f.populate(t, nil, "--region", "us-east-1").code)
	profile := "ststest-123456789012-Admin"

	who := f.run(t, f.sso, "", "whoami", profile, "--sts-endpoint", f.srv.URL, "--json")
	require.Equal(t, 0, who.code, "stderr: %s", who.stderr)
	assert.Regexp(t, `:assumed-role/AWSReservedSSO_Admin_[0-9a-f]{16}/alice$`, jsonString(t, who.stdout, "Arn"))

	requireAWSCLI(t)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, awsCLI, "configure", "export-credentials", "--profile", profile, "--format", "process")
	cmd.Env = []string{"HOME=" + f.dir, "PATH=" + os.Getenv("PATH"), "AWS_CONFIG_FILE=" + f.configFile, "AWS_SHARED_CREDENTIALS_FILE=" + os.DevNull,
		"AWS_DATA_PATH=" + awsDataPath(t, f.srv.URL), "AWS_EC2_METADATA_DISABLED=true", "AWS_PAGER="}
	out, err := cmd.CombinedOutput()
	require.NoError(t, err, "aws: %s", out)
	assert.Regexp(t, `^ASIA`, jsonString(t, string(out), "AccessKeyId"))
}

// TestSSOPopulateKeepsCRLF: a config file written on Windows gets CRLF
// lines, and the second run leaves it as it is.
func TestSSOPopulateKeepsCRLF(t *testing.T) {
	t.Parallel()
	f := newPopulateFixture(t)
	f.srv.AssignSSO("alice", "123456789012", "Admin")
	crlf := strings.ReplaceAll(f.config(t), "\n", "\r\n")
	f.writeConfig(t, crlf)
	require.Equal(t, 0, f.populate(t, nil).code)
	first := f.config(t)
	assert.Equal(t, crlf+"\r\n[profile ststest-123456789012-Admin]\r\nsso_session = corp\r\nsso_account_id = 123456789012\r\n"+
		"sso_role_name = Admin\r\nawssession_generated = corp\r\n", first)
	require.Equal(t, 0, f.populate(t, nil).code)
	assert.Equal(t, first, f.config(t))
}
