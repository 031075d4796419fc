package awssession_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/awssession/awssession"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// variedConfig is a config file with what people put in theirs, and what
// parsers read differently: every kind of source, role chains, sessions
// and services sections, [default] and [profile default], a section given
// twice, comments, headers with tabs and extra spaces, values the SDK
// and gopkg.in/ini read apart, references that loop or lead nowhere.
const variedConfig = `# written by hand
stray = before any section

[default]
region = us-west-2
[profile default]
region = eu-central-1 ; the SDK takes this one

[profile keys] # keys in the config file
aws_access_key_id = AKIAIOSFODNN7EXAMPLE
aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY
region = eu-west-1

[profile open]
role_arn = {open}
source_profile = alice
duration_seconds = 900

[profile admin]
role_arn = {admin}
source_profile = alice
mfa_serial = {device}
mfa_process = echo 123456

[profile auditor]
role_arn = {auditor}
source_profile = admin
external_id = ext-1
role_session_name = me

[profile sso]
sso_session = corp
sso_account_id = 123456789012
sso_role_name = Dev
services = local

[sso-session corp]
sso_start_url = https://corp.invalid/start
sso_region = eu-west-1

[services local]
sts =
  endpoint_url = https://sts.local.invalid
sso =
  endpoint_url = https://sso.local.invalid

[profile ssorole]
role_arn = {open}
source_profile = sso

[profile login]
login_session = arn:aws:iam::123456789012:user/alice
region = us-east-1

[profile loginrole]
role_arn = {open}
source_profile = login

[profile proc]
credential_process = /bin/echo {"Version": 1}

[profile web]
role_arn = {open}
web_identity_token_file = {token}

[profile ec2]
role_arn = {open}
credential_source = Ec2InstanceMetadata

[profile env]
role_arn = {open}
credential_source = Environment

[profile endpoint]
role_arn = {open}
source_profile = keys
endpoint_url = https://sts.endpoint.invalid
region = ap-southeast-2

[profile both]
region = ap-south-1

[profile dup]
region = us-east-1
[profile dup]
role_arn = {open}
source_profile = alice

[profile vault]
mfa_serial = {device}
[profile vaultrole]
role_arn = {open}
source_profile = vault

[profile nowhere]
role_arn = {open}
source_profile = missing

[profile loop1]
role_arn = {open}
source_profile = loop2
[profile loop2]
role_arn = {open}
source_profile = loop1

[profile nosso]
sso_session = absent
sso_account_id = 123456789012
sso_role_name = Dev

[profile twosources]
aws_access_key_id = AKIAIOSFODNN7EXAMPLE
aws_secret_access_key = secret
credential_process = /bin/false

[  profile 	spaced ]
role_arn = {open}
source_profile = 'keys'

[profile promoted]
  source_profile = keys
role_arn = {open}

[profile hashed]
role_arn = {open}
source_profile = keys#not-a-comment

[profile a#b]
region = us-east-2

[profile nested]
s3 =
  source_profile = keys
role_arn = {open}

[profile Default]
region = ca-central-1

[notaprofile]
region = sa-east-1
`

const variedCredentials = `[alice]
aws_access_key_id = {aliceKey}
aws_secret_access_key = {aliceSecret}

[default]
aws_access_key_id = AKIAIOSFODNN7EXAMPL2
aws_secret_access_key = default-secret

[both]
aws_access_key_id = AKIAIOSFODNN7EXAMPL3
aws_secret_access_key = both-secret

[profile ignored]
aws_access_key_id = AKIAIOSFODNN7EXAMPL4
aws_secret_access_key = ignored-secret
`

// TestExplainProfilesAgreesWithExplain: for every profile of a varied
// config, and for names it does not hold, ExplainProfiles answers what
// Explain answers for the profile alone, plan or error.
func TestExplainProfilesAgreesWithExplain(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	token := filepath.Join(f.configDir, "token")
	require.NoError(t, os.WriteFile(token, []byte("eyJ.x.y"), 0o600))
	expand := strings.NewReplacer("{open}", f.open.ARN, "{admin}", f.admin.ARN, "{auditor}", f.auditor.ARN,
		"{device}", f.device.SerialNumber, "{token}", token, "{aliceKey}", f.alice.AccessKeyID, "{aliceSecret}", f.alice.SecretAccessKey)
	files := f.writeConfig(t, expand.Replace(variedConfig), expand.Replace(variedCredentials))
	cache, err := awssession.NewFileCache(t.TempDir())
	require.NoError(t, err)
	opts := f.base(files, awssession.WithCache(cache), awssession.WithProfileMFA(f.serverTOTP()), awssession.WithDefaultMFASession(0),
		awssession.WithProfileSource(func(profile string) (aws.CredentialsProvider, string, bool) {
			if profile != "vault" {
				return nil, "", false
			}
			return credentials.NewStaticCredentialsProvider(f.alice.AccessKeyID, f.alice.SecretAccessKey, ""), "keyring:vault", true
		}))
	// A cached session, so that plans show a layer served from the cache.
	cfg, err := awssession.CreateSession(context.Background(), append(opts, awssession.WithProfile("open"))...)
	require.NoError(t, err)
	_, err = cfg.Credentials.Retrieve(context.Background())
	require.NoError(t, err)

	names, err := awssession.Profiles(context.Background(), opts...)
	require.NoError(t, err)
	names = append(names, "missing", "notaprofile", "profile ignored", "a#b", "profile open")
	got, err := awssession.ExplainProfiles(context.Background(), names, opts...)
	require.NoError(t, err)
	require.Len(t, got, len(names))
	planned, failed := 0, 0
	for i, name := range names {
		want, wantErr := awssession.Explain(context.Background(), append(opts, awssession.WithProfile(name))...)
		assert.Equal(t, name, got[i].Profile)
		assert.Equal(t, want, got[i].Plan, "profile %q", name)
		if wantErr == nil {
			assert.NoError(t, got[i].Err, "profile %q", name)
			planned++
			continue
		}
		failed++
		if assert.Error(t, got[i].Err, "profile %q", name) {
			assert.Equal(t, wantErr.Error(), got[i].Err.Error(), "profile %q", name)
			assert.Equal(t, errors.Is(wantErr, awssession.ErrInvalidInput), errors.Is(got[i].Err, awssession.ErrInvalidInput))
		}
	}
	// The config is varied enough to plan and to fail in many ways.
	assert.GreaterOrEqual(t, planned, 15)
	assert.GreaterOrEqual(t, failed, 6)
	var cached bool
	for _, p := range got {
		for _, l := range p.Plan.Layers {
			cached = cached || l.Cached
		}
	}
	assert.True(t, cached, "no plan shows the cached session")
}

// TestExplainProfilesManyFiles: with several config and credentials
// files, where the SDK merges a profile given in two of them key by key,
// ExplainProfiles still answers what Explain answers.
func TestExplainProfilesManyFiles(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	dir := t.TempDir()
	write := func(name, text string) string {
		p := filepath.Join(dir, name)
		require.NoError(t, os.WriteFile(p, []byte(text), 0o600))
		return p
	}
	config1 := write("config1", "[profile a]\nregion = eu-west-1\nmfa_process = echo 1\n[profile b]\nrole_arn = "+f.open.ARN+"\nsource_profile = alice\n")
	config2 := write("config2", "[profile a]\nrole_arn = "+f.open.ARN+"\nsource_profile = alice\nmfa_serial = "+f.device.SerialNumber+
		"\nmfa_process = echo 2\n[profile b]\nsource_profile = a\n[profile c]\nsource_profile = b\nrole_arn = "+f.auditor.ARN+"\n")
	creds1 := write("credentials1", "[alice]\naws_access_key_id = AKIAIOSFODNN7EXAMPLE\naws_secret_access_key = one\n")
	creds2 := write("credentials2", "[alice]\naws_access_key_id = "+f.alice.AccessKeyID+"\naws_secret_access_key = "+f.alice.SecretAccessKey+"\n")
	opts := f.base(awssession.WithSharedConfigFiles([]string{config1, config2, filepath.Join(dir, "absent")}, []string{creds1, creds2}),
		awssession.WithProfileMFA(f.serverTOTP()))
	names := []string{"a", "b", "c", "alice", "absent"}
	got, err := awssession.ExplainProfiles(context.Background(), names, opts...)
	require.NoError(t, err)
	for i, name := range names {
		want, wantErr := awssession.Explain(context.Background(), append(opts, awssession.WithProfile(name))...)
		assert.Equal(t, want, got[i].Plan, "profile %q", name)
		if wantErr != nil && assert.Error(t, got[i].Err) {
			assert.Equal(t, wantErr.Error(), got[i].Err.Error(), "profile %q", name)
		} else {
			assert.NoError(t, got[i].Err, "profile %q", name)
		}
	}
	assert.Equal(t, "echo 2", got[0].Plan.MFAProcess)
}

// TestExplainProfilesStopsWithItsContext: a cancelled context stops the
// planning between profiles.
func TestExplainProfilesStopsWithItsContext(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	files := f.writeConfig(t, "[profile a]\nregion = eu-west-1\n", "")
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	plans, err := awssession.ExplainProfiles(ctx, []string{"a"}, f.base(files)...)
	assert.ErrorIs(t, err, context.Canceled)
	assert.Nil(t, plans)
}
