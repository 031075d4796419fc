package main

import (
	"context"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/awssession/awssession/ststest"
)

// benchCLI is an environment for in-process runs of the command: a fake
// STS with alice, her MFA device and role Admin (requires MFA), empty
// shared config files and a private cache.
type benchCLI struct {
	env  []string
	args []string // MFA + role session flags
	key  string   // alice's access key ID
}

func newBenchCLI(b *testing.B) *benchCLI {
	b.Helper()
	srv := ststest.NewServer(b)
	alice := srv.AddUser("alice")
	dev := srv.AddMFADevice("alice")
	role := srv.AddRole("Admin", ststest.Trust{Principals: []string{alice.ARN}, RequireMFA: true})
	dir := b.TempDir()
	configFile, credsFile := filepath.Join(dir, "config"), filepath.Join(dir, "credentials")
	for _, p := range []string{configFile, credsFile} {
		if err := os.WriteFile(p, nil, 0o600); err != nil {
			b.Fatal(err)
		}
	}
	return &benchCLI{
		env: []string{
			"HOME=" + dir,
			"AWS_CONFIG_FILE=" + configFile,
			"AWS_SHARED_CREDENTIALS_FILE=" + credsFile,
			envSecretKey + "=" + alice.SecretAccessKey,
			"MFA_SEED=" + dev.Secret,
			envCacheDir + "=" + filepath.Join(dir, "cache"),
		},
		args: []string{"--access-key", alice.AccessKeyID, "--region", "us-east-1", "--sts-endpoint", srv.URL,
			"--mfa-serial", dev.SerialNumber, "--mfa-totp-secret-env", "MFA_SEED", "--role-arn", role.ARN},
		key: alice.AccessKeyID,
	}
}

func (bc *benchCLI) run(b *testing.B, args ...string) {
	var out strings.Builder
	c := newCLI(strings.NewReader(""), &out, io.Discard, bc.env)
	if code := c.run(context.Background(), args); code != 0 {
		b.Fatalf("awssession %s: exit status %d", strings.Join(args, " "), code)
	}
}

// BenchmarkEnvWarmCache is "awssession env" for an MFA + role session
// whose credentials are in the file cache: the work after main starts,
// without process start-up (see scripts/bench-cli.sh for that).
func BenchmarkEnvWarmCache(b *testing.B) {
	bc := newBenchCLI(b)
	args := append([]string{"env", "--silent"}, bc.args...)
	bc.run(b, args...) // fills the cache: one AssumeRole with an MFA code
	b.ReportAllocs()
	for b.Loop() {
		bc.run(b, args...)
	}
}

// BenchmarkEnvStatic is "awssession env" with static keys and no cache:
// no STS call at all.
func BenchmarkEnvStatic(b *testing.B) {
	bc := newBenchCLI(b)
	args := []string{"env", "--silent", "--access-key", bc.key, "--region", "us-east-1", "--no-cache"}
	b.ReportAllocs()
	for b.Loop() {
		bc.run(b, args...)
	}
}
