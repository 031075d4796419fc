package main

import (
	"context"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/awssession/awssession"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestBadInput tries invalid library options, shared-config profiles,
// CLI flags and cache files. Each is refused with an error that names the
// field, flag or file, before any request reaches STS; a bad cache entry
// is a miss that one STS call repairs.
func TestBadInput(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	acct := f.srv.Account()
	serial := f.mfa.SerialNumber
	keys := awssession.WithStaticCredentials(f.alice.AccessKeyID, f.alice.SecretAccessKey, "")
	tok := awssession.StaticToken("123456")
	ar := func(r awssession.AssumeRole) awssession.Option {
		if r.RoleARN == "" {
			r.RoleARN = f.reader.ARN
		}
		return awssession.WithAssumeRole(r)
	}
	empty := filepath.Join(t.TempDir(), "empty")
	require.NoError(t, os.WriteFile(empty, nil, 0o600))
	base := func(opts ...awssession.Option) []awssession.Option {
		return append([]awssession.Option{awssession.WithSTSEndpoint(f.srv.URL), awssession.WithRegion("eu-west-1"),
			awssession.WithSharedConfigFiles([]string{empty}, []string{empty})}, opts...)
	}
	// session runs CreateSession and, if it passes, fetches credentials.
	session := func(opts []awssession.Option) outcome {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		cfg, err := awssession.CreateSession(ctx, opts...)
		if err == nil {
			_, err = cfg.Credentials.Retrieve(ctx)
		}
		return library(err)
	}
	option := func(name, want string, opts ...awssession.Option) badInput {
		return badInput{kind: "option", name: name, want: want, invalid: true,
			try: func(*testing.T) outcome { return session(base(opts...)) }}
	}
	console := func(name, want string, opts ...awssession.ConsoleOption) badInput {
		return badInput{kind: "option", name: name, want: want, invalid: true, try: func(*testing.T) outcome {
			cfg := aws.Config{Region: "eu-west-1", Credentials: aws.CredentialsProviderFunc(func(context.Context) (aws.Credentials, error) {
				return aws.Credentials{AccessKeyID: "ASIAIOSFODNN7EXAMPLE", SecretAccessKey: "s", SessionToken: "t", CanExpire: true,
					Expires: time.Now().Add(time.Hour), Source: "AssumeRoleProvider"}, nil
			}), BaseEndpoint: aws.String(f.srv.URL)}
			_, err := awssession.ConsoleURL(context.Background(), cfg, append([]awssession.ConsoleOption{awssession.WithFederationEndpoint(f.srv.FederationURL())}, opts...)...)
			return library(err)
		}}
	}
	// A profile case writes a config file holding the profile text (alice's
	// keys are profile src in the credentials file) and uses profile p.
	creds := filepath.Join(t.TempDir(), "credentials")
	require.NoError(t, os.WriteFile(creds, []byte(fmt.Sprintf("[src]\naws_access_key_id = %s\naws_secret_access_key = %s\n",
		f.alice.AccessKeyID, f.alice.SecretAccessKey)), 0o600))
	// Its CLI form runs env --profile p on the same files.
	profileFile := func(t *testing.T, text string) string {
		file := filepath.Join(t.TempDir(), "config")
		require.NoError(t, os.WriteFile(file, []byte("[profile src]\n"+text), 0o600))
		return file
	}
	profile := func(name, want string, invalid bool, text string, opts ...awssession.Option) badInput {
		return badInput{kind: "profile", name: name, want: want, invalid: invalid, try: func(t *testing.T) outcome {
			file := profileFile(t, text)
			// No WithRegion: the profile's region is under test too.
			return session(append([]awssession.Option{awssession.WithSTSEndpoint(f.srv.URL),
				awssession.WithSharedConfigFiles([]string{file}, []string{creds}),
				awssession.WithProfile("p")}, opts...))
		}, cliWant: want, cli: func(t *testing.T, args ...string) result {
			return f.run(t, []string{"AWS_CONFIG_FILE=" + profileFile(t, text), "AWS_SHARED_CREDENTIALS_FILE=" + creds,
				envCacheDir + "=" + t.TempDir()}, "", append([]string{"env", "--profile", "p", "--sts-endpoint", f.srv.URL}, args...)...)
		}}
	}
	defaultMFA := filepath.Join(t.TempDir(), "config")
	require.NoError(t, os.WriteFile(defaultMFA, []byte("[profile src]\n[default]\nregion = eu-west-1\nrole_arn = "+f.admin.ARN+
		"\nsource_profile = src\nmfa_serial = "+serial+"\n"), 0o600))
	role := func(lines ...string) string {
		return "[profile p]\nrole_arn = " + f.reader.ARN + "\nsource_profile = src\n" + strings.Join(lines, "\n") + "\n"
	}
	// A flag case runs the CLI: bad input is exit status 2.
	// Each has a cache of its own, so that no cached session hides a call.
	flagEnv := func(name, want string, env []string, args ...string) badInput {
		return badInput{kind: "flag", name: name, want: want, invalid: true, try: func(t *testing.T) outcome {
			r := f.run(t, append([]string{"DUMMY_EMPTY=", envCacheDir + "=" + t.TempDir()}, env...), "", args...)
			return outcome{text: r.stderr, invalid: r.code == exitUsage}
		}}
	}
	flag := func(name, want string, args ...string) badInput { return flagEnv(name, want, nil, args...) }
	alice := f.aliceArgs
	// consoleArgs runs console --print for a role of alice's, on the
	// fixture's federation endpoint unless args name another.
	consoleArgs := func(args ...string) []string {
		return append(append([]string{"console", "--print", "--federation-endpoint", f.srv.FederationURL(), "--role-arn", f.reader.ARN}, args...), alice()...)
	}
	badUsers := filepath.Join(t.TempDir(), "users.json")
	require.NoError(t, os.WriteFile(badUsers, []byte(`{"users":[{"name":"alice","mfa":"yes"}]}`), 0o600))
	unknownPrincipal := filepath.Join(t.TempDir(), "users.json")
	require.NoError(t, os.WriteFile(unknownPrincipal, []byte(`{"users":[{"name":"alice"}],"roles":[{"name":"Admin","principals":["alcie"]}]}`), 0o600))
	busy, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer busy.Close()
	notDir := filepath.Join(t.TempDir(), "file")
	require.NoError(t, os.WriteFile(notDir, []byte("x"), 0o600))
	// A cache case corrupts the entry of a cached role session: the next
	// run is a miss that one AssumeRole call repairs.
	cache := func(name string, corrupt func(t *testing.T, file string)) badInput {
		return badInput{kind: "cache", name: name, repair: true, try: func(t *testing.T) outcome {
			dir := t.TempDir()
			args := append([]string{"env", "--cache-dir", dir}, alice("--role-arn", f.reader.ARN)...)
			r := f.run(t, nil, "", args...)
			require.Equal(t, 0, r.code, "stderr: %s", r.stderr)
			files, err := filepath.Glob(filepath.Join(dir, "role-*.json"))
			require.NoError(t, err)
			require.Len(t, files, 1, "want one role entry in the cache")
			corrupt(t, files[0])
			f.srv.ResetRequests()
			r = f.run(t, nil, "", append([]string{"--debug"}, args...)...)
			require.Equal(t, 0, r.code, "a bad entry is a miss, not an error; stderr: %s", r.stderr)
			assert.Contains(t, r.stderr, "cache miss")
			assert.Equal(t, 1, f.srv.CountRequests("AssumeRole"), "one STS call repairs the entry")
			f.srv.ResetRequests()
			r = f.run(t, nil, "", args...)
			require.Equal(t, 0, r.code, "stderr: %s", r.stderr)
			assert.Zero(t, f.srv.CountRequests(""), "the repaired entry is used")
			return outcome{}
		}}
	}
	write := func(data string) func(*testing.T, string) {
		return func(t *testing.T, file string) { require.NoError(t, os.WriteFile(file, []byte(data), 0o600)) }
	}
	edit := func(old, new string) func(*testing.T, string) {
		return func(t *testing.T, file string) {
			data, err := os.ReadFile(file)
			require.NoError(t, err)
			require.Contains(t, string(data), old)
			require.NoError(t, os.WriteFile(file, []byte(strings.Replace(string(data), old, new, 1)), 0o600))
		}
	}

	tests := []badInput{
		// Library options (validate_test.go in the root package has 80 more).
		option("empty access key", "AccessKeyID", awssession.WithStaticCredentials("", "s", "")).
			flags(f, "--access-key", nil, "env", "--access-key", "AKIA", "--sts-endpoint", f.srv.URL),
		option("temporary key without token", "SessionToken", awssession.WithStaticCredentials("ASIAIOSFODNN7EXAMPLE", "s", "")).
			flags(f, "--session-token", nil, "env", "--access-key", "ASIAIOSFODNN7EXAMPLE", "--sts-endpoint", f.srv.URL),
		option("region with spaces", "WithRegion", keys, awssession.WithRegion("eu west 1")).
			flags(f, "--region", nil, "env", "--access-key", f.alice.AccessKeyID, "--sts-endpoint", f.srv.URL, "--region", "eu west 1"),
		option("profile name with a space", "WithProfile", awssession.WithProfile("my profile")).
			flags(f, "--profile", nil, "env", "--profile", "my profile", "--sts-endpoint", f.srv.URL),
		option("keys and a profile", "WithProfile", keys, awssession.WithProfile("dev")).
			flags(f, "the PROFILE argument", nil, "env", "dev", "--access-key", f.alice.AccessKeyID, "--sts-endpoint", f.srv.URL),
		option("MFA session of 899 s", "WithGetSessionToken", keys, awssession.WithGetSessionToken(899*time.Second)).
			flags(f, "--session-token-duration", nil, append([]string{"env", "--session-token-duration", "899"}, alice()...)...),
		option("MFA session of 37 h", "WithGetSessionToken", keys, awssession.WithGetSessionToken(37*time.Hour)).
			flags(f, "--session-token-duration", nil, append([]string{"env", "--session-token-duration", "37h"}, alice()...)...),
		option("user ARN as MFA serial", "WithMFA.SerialNumber", keys, awssession.WithMFA("arn:aws:iam::"+acct+":user/alice", tok), awssession.WithGetSessionToken(0)).
			flags(f, "--mfa-serial", nil, append([]string{"env", "--mfa-serial", f.alice.ARN, "--mfa-token", "123456"}, alice()...)...),
		option("no token provider", "WithMFA.Tokens", keys, awssession.WithMFA(serial, nil), awssession.WithGetSessionToken(0)), // the CLI always has a source
		option("MFA device and no layer", "WithMFA", keys, awssession.WithMFA(serial, tok)).
			flags(f, "--role-arn", []string{"AWS_SHARED_CREDENTIALS_FILE=" + creds}, "env", "--profile", "src", "--mfa-serial", serial, "--mfa-token", "123456",
				"--no-session", "--sts-endpoint", f.srv.URL, "--region", "eu-west-1"),
		option("five-digit static code", "six digits", keys, awssession.WithMFA(serial, awssession.StaticToken("12345")), awssession.WithGetSessionToken(0)).
			flags(f, "--mfa-token", nil, append([]string{"env", "--mfa-serial", serial, "--mfa-token", "12345"}, alice()...)...),
		option("TOTP seed not base32", "base32", keys, awssession.WithMFA(serial, awssession.TOTP("not base32!")), awssession.WithGetSessionToken(0)).
			flags(f, "--mfa-totp-secret-env", []string{"BAD_SEED=not base32!"}, append([]string{"env", "--mfa-serial", serial, "--mfa-totp-secret-env", "BAD_SEED"}, alice()...)...),
		option("role name only", "AssumeRole[0].RoleARN", keys, ar(awssession.AssumeRole{RoleARN: "Admin"})).
			flags(f, "--role-arn", nil, append([]string{"env", "--role-arn", "Admin"}, alice()...)...),
		option("second hop not an ARN", "AssumeRole[1].RoleARN", keys, ar(awssession.AssumeRole{}), ar(awssession.AssumeRole{RoleARN: "nope"})).
			flags(f, "the 2nd --role-arn", nil, append([]string{"env", "--role-arn", f.reader.ARN, "--role-arn", "nope"}, alice()...)...),
		option("session name of one character", "RoleSessionName", keys, ar(awssession.AssumeRole{RoleSessionName: "a"})).
			flags(f, "--role-session-name", nil, append([]string{"env", "--role-arn", f.reader.ARN, "--role-session-name", "a"}, alice()...)...),
		option("external ID with a space", "ExternalID", keys, ar(awssession.AssumeRole{ExternalID: "a b"})).
			flags(f, "--external-id", nil, append([]string{"env", "--role-arn", f.reader.ARN, "--external-id", "a b"}, alice()...)...),
		option("role of 10 min", "AssumeRole[0].Duration", keys, ar(awssession.AssumeRole{Duration: 10 * time.Minute})).
			flags(f, "--duration", nil, append([]string{"env", "--role-arn", f.reader.ARN, "--duration", "10m"}, alice()...)...),
		option("chained role of 2 h", "1 hour limit", keys, ar(awssession.AssumeRole{}), ar(awssession.AssumeRole{RoleARN: f.deep.ARN, Duration: 2 * time.Hour})).
			flags(f, "--duration (for the 2nd --role-arn): 2h0m0s exceeds", nil, append([]string{"env", "--role-arn", f.reader.ARN, "--role-arn", f.deep.ARN,
				"--duration", "1h", "--duration", "2h"}, alice()...)...),
		option("policy not JSON", "Policy", keys, ar(awssession.AssumeRole{Policy: "{"})),    // no flag sets a session policy
		option("51 session tags", "Tags", keys, ar(awssession.AssumeRole{Tags: tagMap(51)})), // nor tags
		option("STS endpoint in clear text", "WithSTSEndpoint", keys, awssession.WithSTSEndpoint("http://sts.example.com")).
			flags(f, "--sts-endpoint", nil, "env", "--access-key", f.alice.AccessKeyID, "--sts-endpoint", "http://sts.example.com"),
		console("console session of 5 min", "WithConsoleDuration", awssession.WithConsoleDuration(5*time.Minute)).
			flags(f, "--console-duration", nil, consoleArgs("--console-duration", "5m")...),
		console("console destination not https", "WithDestination", awssession.WithDestination("ftp://console.example.com/")).
			flags(f, "--destination", nil, consoleArgs("--destination", "ftp://console.example.com/")...),
		console("federation endpoint in clear text", "WithFederationEndpoint", awssession.WithFederationEndpoint("http://signin.example.com/federation")).
			flags(f, "--federation-endpoint", nil, consoleArgs("--federation-endpoint", "http://signin.example.com/federation")...),
		console("federation name of one character", "WithFederationToken", awssession.WithFederationToken("a", "")).
			flags(f, "--federation-name", nil, consoleArgs("--federation-name", "a")...),
		console("console region unknown", "WithConsoleRegion", awssession.WithConsoleRegion("moon")).
			flags(f, "--console-region", nil, consoleArgs("--console-region", "moon")...),

		// Shared-config profiles.
		profile("profile not in the files", `profile "p"`, true, "[profile other]\n"),
		profile("section never closed", `profile "p"`, true, "[profile p\nrole_arn = x\n"),
		profile("source_profile missing", `"nope"`, true, "[profile p]\nrole_arn = "+f.reader.ARN+"\nsource_profile = nope\n"),
		profile("mfa_serial not a device", "mfa_serial", true, role("mfa_serial = nope"), awssession.WithMFA("", awssession.StaticToken("123456"))).
			withArgs("mfa_serial", "--mfa-token", "123456"),
		profile("mfa_serial a user ARN", "mfa_serial", true, role("mfa_serial = arn:aws:iam::"+acct+":user/alice"), awssession.WithMFA("", awssession.StaticToken("123456"))).
			withArgs("mfa_serial", "--mfa-token", "123456"),
		profile("mfa_serial without WithMFA", "mfa_serial", true, role("mfa_serial = "+serial)).
			withArgs("--mfa-token"), // the CLI would prompt, and there is no terminal
		profile("mfa_serial differs from WithMFA", "differs from the profile", true, role("mfa_serial = "+serial),
			awssession.WithMFA("arn:aws:iam::"+acct+":mfa/bob", tok)).
			withArgs("--mfa-serial", "--mfa-serial", "arn:aws:iam::"+acct+":mfa/bob", "--mfa-token", "123456"),
		profile("chained role of 2 h over a role profile", "1 hour limit", true, role(), ar(awssession.AssumeRole{RoleARN: f.deep.ARN, Duration: 2 * time.Hour})).
			withArgs("--duration 1h, or --clamp-durations", "--role-arn", f.deep.ARN, "--duration", "2h"),
		profile("two sources", "credential source", false, role("credential_source = Environment")),
		profile("credential_source unknown", "credential_source", false, "[profile p]\nrole_arn = "+f.reader.ARN+"\ncredential_source = Moon\n"),
		profile("access key without secret", "partial credentials", false, "[profile p]\naws_access_key_id = AKIAIOSFODNN7EXAMPLE\n"),
		profile("web identity token file missing", "/nonexistent/token", false, "[profile p]\nrole_arn = "+f.reader.ARN+"\nweb_identity_token_file = /nonexistent/token\n"),
		profile("role_arn a role name", "role_arn", true, "[profile p]\nrole_arn = Admin\nsource_profile = src\n"),
		profile("role_arn a user ARN", "role_arn", true, "[profile p]\nrole_arn = arn:aws:iam::"+acct+":user/alice\nsource_profile = src\n"),
		profile("duration_seconds over 12 h", "duration_seconds", true, role("duration_seconds = 99999")),
		profile("duration_seconds under 15 min", "duration_seconds", true, role("duration_seconds = 60")),
		profile("duration_seconds not a number", "duration_seconds", true, role("duration_seconds = abc")),
		profile("role_session_name with a space", "role_session_name", true, role("role_session_name = a b")),
		profile("external_id with a space", "external_id", true, role("external_id = a b")),
		profile("chained profile role of 2 h", "1 hour limit", true, "[profile p]\nrole_arn = "+f.deep.ARN+
			"\nsource_profile = q\nexternal_id = ext-42\nduration_seconds = 7200\n[profile q]\nrole_arn = "+f.reader.ARN+"\nsource_profile = src\n").
			withArgs(`profile "p": duration_seconds: 2h0m0s exceeds the 1 hour limit`),
		profile("source_profile loop", "source_profile", true, "[profile p]\nrole_arn = "+f.reader.ARN+"\nsource_profile = q\n[profile q]\nrole_arn = "+f.reader.ARN+"\nsource_profile = p\n"),
		profile("region not a region", "region", true, role("region = eu-west1")),

		// CLI flags.
		flag("unknown flag", "unknown flag: --role-arnn", "env", "--role-arnn", "x"),
		flag("unknown command", `unknown command "evn"`, "evn"),
		flag("two arguments to whoami", `unexpected argument "y"`, "whoami", "x", "y"),
		flag("argument to whoami that is no profile", `profile "x" is not in the shared config files`, "whoami", "x"),
		flag("--debug not a boolean", `"--debug" flag`, "--debug=maybe", "env"),
		flag("--duration not a duration", `"--duration" flag`, "env", "--duration", "forever"),
		flag("--duration of 0 s", `"--duration" flag`, "env", "--duration", "0"),
		flag("--duration negative", `"--duration" flag`, "env", "--duration", "-1h"),
		flag("--duration of 10 min", "--duration:", append([]string{"env", "--role-arn", f.reader.ARN, "--duration", "10m"}, alice()...)...),
		flag("--session-token-duration of 37 h", "--session-token-duration", append([]string{"env", "--session-token-duration", "37h"}, alice()...)...),
		flag("--session-token-duration twice", "--session-token-duration given 2 times", append([]string{"env", "--session-token-duration", "1h", "--session-token-duration", "2h"}, alice()...)...),
		flag("--format unknown", `"--format" flag`, "env", "--format", "xml"),
		flag("serve --format github", `"--format" flag`, "serve", "--format", "github"),
		flag("--region typo", "--region:", "env", "--access-key", f.alice.AccessKeyID, "--sts-endpoint", f.srv.URL, "--region", "us-east1", "--role-arn", f.reader.ARN),
		flag("--region in capitals", "--region:", "env", "--access-key", f.alice.AccessKeyID, "--sts-endpoint", f.srv.URL, "--region", "EU-WEST-1", "--role-arn", f.reader.ARN),
		flag("--role-arn a role name", "--role-arn:", append([]string{"env", "--role-arn", "admin"}, alice()...)...),
		flag("--role-arn a user ARN", "--role-arn:", append([]string{"env", "--role-arn", f.alice.ARN}, alice()...)...),
		flag("--role-session-name too short", "--role-session-name:", append([]string{"env", "--role-arn", f.reader.ARN, "--role-session-name", "x"}, alice()...)...),
		flag("--external-id with a space", "--external-id:", append([]string{"env", "--role-arn", f.reader.ARN, "--external-id", "a b"}, alice()...)...),
		flag("--external-id without a role", "--external-id needs --role-arn", append([]string{"env", "--external-id", "x-1"}, alice()...)...),
		flag("--role-session-name per role, miscounted", "given 2 times for 1 roles", append([]string{"env", "--role-arn", f.reader.ARN,
			"--role-session-name", "a1", "--role-session-name", "b2"}, alice()...)...),
		flag("--duration of 2 h for a chained role", "--duration (for the 2nd --role-arn): 2h0m0s exceeds the 1 hour limit", append([]string{"env",
			"--role-arn", f.reader.ARN, "--role-arn", f.deep.ARN, "--duration", "2h"}, alice()...)...),
		flag("--duration of 2 h over an MFA session", "use --duration 1h, or --clamp-durations", append([]string{"env", "--session-token-duration", "12h",
			"--mfa-serial", serial, "--mfa-token", "123456", "--role-arn", f.admin.ARN, "--duration", "2h"}, alice()...)...),
		flagEnv("default profile's MFA device without a code source", `profile "default": mfa_serial: names MFA device`,
			[]string{"AWS_CONFIG_FILE=" + defaultMFA, "AWS_SHARED_CREDENTIALS_FILE=" + creds}, "env", "--sts-endpoint", f.srv.URL),
		flag("--mfa-token of five digits", "six digits", append([]string{"env", "--mfa-serial", serial, "--mfa-token", "12345", "--role-arn", f.admin.ARN}, alice()...)...),
		flag("--mfa-token of letters", "six digits", append([]string{"env", "--mfa-serial", serial, "--mfa-token", "abcdef", "--role-arn", f.admin.ARN}, alice()...)...),
		flag("--mfa-token without a device", "--mfa-token needs --mfa-serial", append([]string{"env", "--mfa-token", "123456", "--role-arn", f.admin.ARN}, alice()...)...),
		flag("--mfa-serial not a device", "--mfa-serial:", append([]string{"env", "--mfa-serial", "nope", "--mfa-token", "123456"}, alice()...)...),
		flag("--mfa-totp-secret-env empty", "DUMMY_EMPTY is empty", append([]string{"env", "--mfa-serial", serial, "--mfa-totp-secret-env", "DUMMY_EMPTY"}, alice()...)...),
		flag("--mfa-token and --mfa-totp-secret-env", "mfa-token", "env", "--mfa-token", "123456", "--mfa-totp-secret-env", "X"),
		flag("--access-key and --profile", "access-key", "env", "--access-key", f.alice.AccessKeyID, "--profile", "dev"),
		flag("--no-cache and --cache-dir", "no-cache", "env", "--no-cache", "--cache-dir", "/tmp"),
		flag("--secret-key without --access-key", "need --access-key", "env", "--secret-key", "-"),
		flagEnv("--access-key without a secret", "--access-key needs a secret key", []string{envSecretKey + "="}, "env", "--access-key", f.alice.AccessKeyID, "--sts-endpoint", f.srv.URL),
		flag("--access-key too short", "--access-key", "env", "--access-key", "AKIA1", "--sts-endpoint", f.srv.URL),
		flag("--access-key of 129", "--access-key", "env", "--access-key", "AKIA"+strings.Repeat("A", 125), "--sts-endpoint", f.srv.URL),
		flagEnv("--secret-key with a NUL", "--secret-key", []string{envSecretKey + "=" + f.alice.SecretAccessKey + "\x00"}, append([]string{"env"}, alice()...)...),
		flagEnv("--secret-key of 129 bytes", "--secret-key", []string{envSecretKey + "=" + strings.Repeat("s", 129)}, append([]string{"env"}, alice()...)...),
		flagEnv("--session-token of 10 MB", "--session-token", []string{envSessionToken + "=" + strings.Repeat("t", 10<<20)}, append([]string{"env"}, alice()...)...),
		flagEnv("--session-token with a NUL", "--session-token", []string{envSessionToken + "=a\x00b"}, append([]string{"env"}, alice()...)...),
		flag("--sts-endpoint in clear text", "--sts-endpoint:", "env", "--access-key", f.alice.AccessKeyID, "--sts-endpoint", "http://sts.example.com"),
		flag("--sts-endpoint not a URL", "--sts-endpoint:", "env", "--access-key", f.alice.AccessKeyID, "--sts-endpoint", "sts.local"),
		flag("--profile with a space", "--profile:", "env", "--profile", "my profile", "--sts-endpoint", f.srv.URL),
		flag("serve --addr public", "--addr", append([]string{"serve", "--addr", "0.0.0.0:1", "--role-arn", f.reader.ARN}, alice()...)...),
		flag("serve --addr without a port", "--addr", append([]string{"serve", "--addr", "localhost", "--role-arn", f.reader.ARN}, alice()...)...),
		flag("serve --addr a LAN address", "--addr", append([]string{"serve", "--addr", "10.1.2.3:8080", "--role-arn", f.reader.ARN}, alice()...)...),
		flag("exec with an argument before -- that is no profile", `"x y" is not a profile name`, "exec", "x y", "--", "true"),
		flag("serve --addr a busy port", "--addr: listen tcp "+busy.Addr().String(), append([]string{"serve", "--addr", busy.Addr().String(),
			"--mfa-serial", serial, "--mfa-token", "123456", "--role-arn", f.admin.ARN}, alice()...)...),
		flag("sts-server --users with a wrong type", "--users", "sts-server", "--users", badUsers),
		flag("sts-server --users with an unknown principal", `principal "alcie"`, "sts-server", "--users", unknownPrincipal),
		flag("sts-server --addr on every interface", "--addr", "sts-server", "--addr", "0.0.0.0:4566"),
		flag("sts-server --addr a LAN address", "--addr", "sts-server", "--addr", "10.1.2.3:4566"),
		flag("console --console-duration of 5 min", "--console-duration:", append([]string{"console", "--print", "--federation-endpoint",
			f.srv.FederationURL(), "--role-arn", f.reader.ARN, "--console-duration", "5m"}, alice()...)...),
		flag("console --destination not https", "--destination:", append([]string{"console", "--print", "--federation-endpoint",
			f.srv.FederationURL(), "--role-arn", f.reader.ARN, "--destination", "ftp://x/"}, alice()...)...),
		flag("console --federation-endpoint in clear text", "--federation-endpoint:", append([]string{"console", "--print", "--federation-endpoint",
			"http://signin.example.com/federation", "--role-arn", f.reader.ARN}, alice()...)...),
		flag("console --federation-name too short", "--federation-name:", append([]string{"console", "--print", "--federation-endpoint",
			f.srv.FederationURL(), "--federation-name", "a"}, alice()...)...),
		flag("console --federation-policy not JSON", "--federation-policy:", append([]string{"console", "--print", "--federation-endpoint",
			f.srv.FederationURL(), "--federation-policy", "{"}, alice()...)...),
		flag("console --console-region not a region", "--console-region:", append([]string{"console", "--print", "--federation-endpoint",
			f.srv.FederationURL(), "--role-arn", f.reader.ARN, "--console-region", "moon"}, alice()...)...),

		// Cache files.
		cache("entry not JSON", write("not json at all")),
		cache("entry truncated", func(t *testing.T, file string) {
			data, err := os.ReadFile(file)
			require.NoError(t, err)
			require.NoError(t, os.WriteFile(file, data[:len(data)/2], 0o600))
		}),
		cache("entry empty", write("")),
		cache("entry of another version", edit(`"version":1`, `"version":99`)),
		cache("entry without a session token", func(t *testing.T, file string) {
			data, err := os.ReadFile(file)
			require.NoError(t, err)
			i := strings.Index(string(data), `"sessionToken":"`) + len(`"sessionToken":"`)
			j := i + strings.Index(string(data[i:]), `"`)
			require.NoError(t, os.WriteFile(file, append(append([]byte{}, data[:i]...), data[j:]...), 0o600))
		}),
		cache("entry expired", func(t *testing.T, file string) {
			data, err := os.ReadFile(file)
			require.NoError(t, err)
			i := strings.Index(string(data), `"expiration":"`) + len(`"expiration":"`)
			j := i + strings.Index(string(data[i:]), `"`)
			past := time.Now().Add(-time.Hour).UTC().Format(time.RFC3339)
			require.NoError(t, os.WriteFile(file, []byte(string(data[:i])+past+string(data[j:])), 0o600))
		}),
		cache("entry readable by others", func(t *testing.T, file string) { require.NoError(t, os.Chmod(file, 0o644)) }),
		cache("entry with an unknown field", edit(`{`, `{"extra":1,`)),
		{kind: "cache", name: "cache directory is a file", want: "credential cache", try: func(t *testing.T) outcome {
			r := f.run(t, nil, "", append([]string{"env", "--cache-dir", notDir, "--role-arn", f.reader.ARN}, alice()...)...)
			assert.Contains(t, r.stderr, notDir)
			assert.Contains(t, r.stderr, "--no-cache")
			return outcome{text: r.stderr, invalid: r.code != 0}
		}},
		{kind: "cache", name: "cache directory under a file", want: "credential cache", try: func(t *testing.T) outcome {
			r := f.run(t, nil, "", append([]string{"env", "--cache-dir", filepath.Join(notDir, "sub"), "--role-arn", f.reader.ARN}, alice()...)...)
			return outcome{text: r.stderr, invalid: r.code != 0}
		}},
	}
	counts := map[string]int{}
	for _, tt := range tests {
		counts[tt.kind]++
	}
	t.Logf("bad inputs: %d (%d library options, %d profiles, %d CLI flags, %d cache files)",
		len(tests), counts["option"], counts["profile"], counts["flag"], counts["cache"])
	require.GreaterOrEqual(t, len(tests), 60)

	// Sequential: each case checks that the server saw nothing.
	for _, tt := range tests {
		t.Run(tt.kind+"/"+tt.name, func(t *testing.T) {
			f.srv.ResetRequests()
			out := tt.try(t)
			text := out.text
			reqs := f.srv.Requests()
			if tt.repair {
				return
			}
			require.NotEmpty(t, text, "the input was accepted")
			assert.Contains(t, text, tt.want, "the error names what is wrong")
			if tt.invalid {
				assert.True(t, out.invalid, "got %q, want ErrInvalidInput or exit status 2", text)
			}
			for _, r := range reqs {
				t.Errorf("the input reached STS: %s (%s)", r.Action, r.ErrorCode)
			}
			assert.LessOrEqual(t, strings.Count(strings.TrimSpace(text), "\n"), 2, "got %q, want one line and a hint", text)
			switch {
			case out.err == nil: // the CLI's own stderr
				speaksFlags(t, text)
			case tt.cli != nil:
				f.srv.ResetRequests()
				r := tt.cli(t, tt.cliArgs...)
				assert.NotZero(t, r.code, "the CLI accepted it")
				if tt.invalid {
					assert.Equal(t, exitUsage, r.code, "stderr: %s", r.stderr)
				}
				assert.Contains(t, r.stderr, tt.cliWant, "the CLI's error names the flag or profile key typed")
				speaksFlags(t, r.stderr)
				assert.Empty(t, f.srv.Requests(), "the CLI's input reached STS")
			default: // no flag gives this input: the CLI's words for the error
				assert.True(t, tt.kind == "option", "a %s case needs its CLI form", tt.kind)
				speaksFlags(t, oneLine(out.err))
			}
		})
	}
}
