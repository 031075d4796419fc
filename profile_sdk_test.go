package awssession_test

import (
	"context"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials/stscreds"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/awssession/awssession"
	"github.com/awssession/awssession/ststest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// profileWorld is one ststest server with the principals the profile
// table needs, and the shared files that point at them. The SDK and
// awssession each get a world of their own, alike but for the keys, so
// that neither sees the other's requests or used MFA codes.
type profileWorld struct {
	srv          *ststest.Server
	alice        ststest.User
	device       ststest.MFADevice
	dir, cfgPath string
	credPath     string
	prompts      atomic.Int32
}

func newProfileWorld(t *testing.T) *profileWorld {
	t.Helper()
	srv := ststest.NewServer(t)
	w := &profileWorld{srv: srv, dir: t.TempDir()}
	w.alice = srv.AddUser("alice")
	w.device = srv.AddMFADevice("alice")
	a := srv.AddRole("A", ststest.Trust{Principals: []string{w.alice.ARN}, MaxSessionDuration: 12 * time.Hour})
	m := srv.AddRole("M", ststest.Trust{Principals: []string{w.alice.ARN}, RequireMFA: true})
	srv.AddRole("X", ststest.Trust{Principals: []string{w.alice.ARN}, ExternalID: "ext-1234"})
	b := srv.AddRole("B", ststest.Trust{Principals: []string{a.ARN, m.ARN}})
	srv.AddRole("C", ststest.Trust{Principals: []string{b.ARN}})
	w.cfgPath, w.credPath = filepath.Join(w.dir, "config"), filepath.Join(w.dir, "credentials")
	return w
}

// render fills a table row's template with this world's values.
func (w *profileWorld) render(t *testing.T, tmpl string) string {
	t.Helper()
	proc := filepath.Join(w.dir, "process.sh")
	script := "#!/bin/sh\nprintf '%s' '{\"Version\":1,\"AccessKeyId\":\"" + w.alice.AccessKeyID + "\",\"SecretAccessKey\":\"" + w.alice.SecretAccessKey + "\"}'\n"
	require.NoError(t, os.WriteFile(proc, []byte(script), 0o700))
	return strings.NewReplacer("{KEY}", w.alice.AccessKeyID, "{SECRET}", w.alice.SecretAccessKey, "{SERIAL}", w.device.SerialNumber,
		"{PROC}", proc, "{ROLE}", "arn:aws:iam::123456789012:role/").Replace(tmpl)
}

func (w *profileWorld) write(t *testing.T, cfg, creds string) {
	t.Helper()
	require.NoError(t, os.WriteFile(w.cfgPath, []byte(w.render(t, cfg)), 0o600))
	require.NoError(t, os.WriteFile(w.credPath, []byte(w.render(t, creds)), 0o600))
}

func (w *profileWorld) code(context.Context, string) (string, error) {
	w.prompts.Add(1)
	return w.srv.TOTPCode(w.device.SerialNumber), nil
}

// assumedRole drops the session name of an assumed-role ARN whose name
// the caller did not choose (the SDK's default differs from ours).
var generatedName = regexp.MustCompile(`^(arn:aws:sts::\d+:assumed-role/[^/]+/)(aws-go-sdk-\d+|awssession-[0-9a-z]+)$`)

// TestProfilesMatchTheSDK resolves each profile configuration with
// config.LoadDefaultConfig and with CreateSession, against ststest, and
// compares the identity (and region) each arrives at: awssession plans the
// chain itself, and must arrive where the SDK does, with no more STS calls
// or MFA prompts (except where SPEC asks for an MFA session the SDK does
// not make: more, by design).
func TestProfilesMatchTheSDK(t *testing.T) {
	keys := "aws_access_key_id = {KEY}\naws_secret_access_key = {SECRET}\n"
	for _, tc := range []struct {
		name, profile, config, credentials string
		env                                map[string]string // process environment both sides see
		mfaSessionByDesign                 bool
	}{
		{"keys in the credentials file", "base", "[profile base]\nregion = eu-west-1\n", "[base]\n" + keys, nil, false},
		{"keys in the config file", "base", "[profile base]\n" + keys, "", nil, false},
		{"keys in both files", "base", "[profile base]\naws_access_key_id = AKIAWRONGWRONGWRONG1\naws_secret_access_key = wrong\n", "[base]\n" + keys, nil, false},
		{"one role", "a", "[profile a]\nsource_profile = base\nrole_arn = {ROLE}A\n", "[base]\n" + keys, nil, false},
		{"two roles deep", "b", "[profile a]\nsource_profile = base\nrole_arn = {ROLE}A\n[profile b]\nsource_profile = a\nrole_arn = {ROLE}B\n", "[base]\n" + keys, nil, false},
		{"three roles deep", "c", "[profile a]\nsource_profile = base\nrole_arn = {ROLE}A\n[profile b]\nsource_profile = a\nrole_arn = {ROLE}B\n[profile c]\nsource_profile = b\nrole_arn = {ROLE}C\n", "[base]\n" + keys, nil, false},
		{"its own source_profile", "self", "[profile self]\nsource_profile = self\nrole_arn = {ROLE}A\n" + keys, "", nil, false},
		{"keys and role_arn without source_profile", "kr", "[profile kr]\nrole_arn = {ROLE}A\n" + keys, "", nil, false},
		{"source profile with keys and its own role", "b", "[profile a]\nrole_arn = {ROLE}A\n" + keys + "[profile b]\nsource_profile = a\nrole_arn = {ROLE}B\n", "", nil, false},
		{"credential_process", "p", "[profile p]\ncredential_process = {PROC}\n", "", nil, false},
		{"role over credential_process", "a", "[profile p]\ncredential_process = {PROC}\n[profile a]\nsource_profile = p\nrole_arn = {ROLE}A\n", "", nil, false},
		{"credential_source Environment", "a", "[profile a]\ncredential_source = Environment\nrole_arn = {ROLE}A\n", "", map[string]string{"AWS_ACCESS_KEY_ID": "{KEY}", "AWS_SECRET_ACCESS_KEY": "{SECRET}"}, false},
		{"external_id", "x", "[profile x]\nsource_profile = base\nrole_arn = {ROLE}X\nexternal_id = ext-1234\n", "[base]\n" + keys, nil, false},
		{"role_session_name", "a", "[profile a]\nsource_profile = base\nrole_arn = {ROLE}A\nrole_session_name = chosen\n", "[base]\n" + keys, nil, false},
		{"duration_seconds 900", "a", "[profile a]\nsource_profile = base\nrole_arn = {ROLE}A\nduration_seconds = 900\n", "[base]\n" + keys, nil, false},
		{"duration_seconds 7200", "a", "[profile a]\nsource_profile = base\nrole_arn = {ROLE}A\nduration_seconds = 7200\n", "[base]\n" + keys, nil, false},
		{"region on the base only", "a", "[profile base]\nregion = eu-west-1\n[profile a]\nsource_profile = base\nrole_arn = {ROLE}A\n", "[base]\n" + keys, nil, false},
		{"region on the top only", "a", "[profile a]\nsource_profile = base\nrole_arn = {ROLE}A\nregion = ap-south-1\n", "[base]\n" + keys, nil, false},
		{"region from AWS_REGION over the profile", "a", "[profile a]\nsource_profile = base\nrole_arn = {ROLE}A\nregion = ap-south-1\n", "[base]\n" + keys, map[string]string{"AWS_REGION": "ca-central-1"}, false},
		{"mfa_serial on the role", "m", "[profile m]\nsource_profile = base\nrole_arn = {ROLE}M\nmfa_serial = {SERIAL}\n", "[base]\n" + keys, nil, false},
		{"mfa_serial on the middle hop", "b", "[profile m]\nsource_profile = base\nrole_arn = {ROLE}M\nmfa_serial = {SERIAL}\n[profile b]\nsource_profile = m\nrole_arn = {ROLE}B\n", "[base]\n" + keys, nil, false},
		{"role in config, keys in credentials, same name", "a", "[profile a]\nsource_profile = a\nrole_arn = {ROLE}A\n", "[a]\n" + keys, nil, false},
		{"mfa_serial on a keys-only profile", "base", "[profile base]\nmfa_serial = {SERIAL}\n", "[base]\n" + keys, nil, true},
		{"mfa_serial on the base of a role chain", "a", "[profile base]\nmfa_serial = {SERIAL}\n[profile a]\nsource_profile = base\nrole_arn = {ROLE}A\n", "[base]\n" + keys, nil, true},
		{"AWS_PROFILE names the profile", "", "[profile a]\nsource_profile = base\nrole_arn = {ROLE}A\n", "[base]\n" + keys, map[string]string{"AWS_PROFILE": "a"}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			isolateEnv(t)
			sdkWorld, ours := newProfileWorld(t), newProfileWorld(t)
			sdkWorld.write(t, tc.config, tc.credentials)
			ours.write(t, tc.config, tc.credentials)
			var environ []string
			for k, v := range tc.env {
				t.Setenv(k, sdkWorld.render(t, v)) // the SDK reads the process environment
				environ = append(environ, k+"="+ours.render(t, v))
			}
			ctx := context.Background()

			sdkOpts := []func(*config.LoadOptions) error{
				config.WithSharedConfigFiles([]string{sdkWorld.cfgPath}), config.WithSharedCredentialsFiles([]string{sdkWorld.credPath}),
				config.WithBaseEndpoint(sdkWorld.srv.URL),
				config.WithAssumeRoleCredentialOptions(func(o *stscreds.AssumeRoleOptions) {
					o.TokenProvider = func() (string, error) { return sdkWorld.code(ctx, "") }
				}),
			}
			if tc.profile != "" {
				sdkOpts = append(sdkOpts, config.WithSharedConfigProfile(tc.profile))
			}
			sdkCfg, err := config.LoadDefaultConfig(ctx, sdkOpts...)
			require.NoError(t, err)
			sdkID := callerARN(t, sdkCfg, sdkWorld.srv.URL)

			opts := []awssession.Option{awssession.WithEnvironment(environ), awssession.WithSTSEndpoint(ours.srv.URL),
				awssession.WithSharedConfigFiles([]string{ours.cfgPath}, []string{ours.credPath}), awssession.WithProfileMFA(ours.code)}
			if tc.profile != "" {
				opts = append(opts, awssession.WithProfile(tc.profile))
			}
			cfg, err := awssession.CreateSession(ctx, opts...)
			require.NoError(t, err)
			id := callerARN(t, cfg, ours.srv.URL)

			assert.Equal(t, generatedName.ReplaceAllString(sdkID, "${1}*"), generatedName.ReplaceAllString(id, "${1}*"), "identity")
			assert.Equal(t, sdkCfg.Region, cfg.Region, "region")
			sdkCalls, calls := len(sdkWorld.srv.Requests()), len(ours.srv.Requests())
			if tc.mfaSessionByDesign {
				assert.Equal(t, sdkCalls+1, calls, "STS calls: one GetSessionToken more")
				assert.Equal(t, 1, ours.srv.CountRequests("GetSessionToken"))
				assert.Equal(t, int32(1), ours.prompts.Load(), "prompts")
				return
			}
			assert.LessOrEqual(t, calls, sdkCalls, "STS calls")
			assert.LessOrEqual(t, ours.prompts.Load(), sdkWorld.prompts.Load(), "prompts")
		})
	}
}

// callerARN is GetCallerIdentity's ARN for cfg's credentials at url.
func callerARN(t *testing.T, cfg aws.Config, url string) string {
	t.Helper()
	out, err := sts.NewFromConfig(cfg, func(o *sts.Options) { o.BaseEndpoint = aws.String(url) }).
		GetCallerIdentity(context.Background(), &sts.GetCallerIdentityInput{})
	require.NoError(t, err)
	return aws.ToString(out.Arn)
}
