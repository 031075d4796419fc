package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// BenchmarkList is "awssession list" over shared files as large as people
// make them: 3,000 IAM Identity Center profiles (what "sso populate"
// writes for a big organisation) and a 600-deep source_profile chain, each
// profile planned with the file backend's keyring and the cache. It
// measures the work after main starts, not process start-up.
func BenchmarkList(b *testing.B) {
	for _, bc := range []struct {
		name   string
		config func(n int) string
		n      int
	}{
		{"profiles=3000", ssoProfiles, 3000},
		{"chain=600", roleChain, 600},
	} {
		b.Run(bc.name, func(b *testing.B) {
			dir := b.TempDir()
			configFile := filepath.Join(dir, "config")
			if err := os.WriteFile(configFile, []byte(bc.config(bc.n)), 0o600); err != nil {
				b.Fatal(err)
			}
			env := []string{"HOME=" + dir, "AWS_CONFIG_FILE=" + configFile,
				"AWS_SHARED_CREDENTIALS_FILE=" + filepath.Join(dir, "credentials"),
				envCacheDir + "=" + filepath.Join(dir, "cache"),
				envKeyringBackend + "=file", envKeyringFileDir + "=" + filepath.Join(dir, "keyring"),
				envKeyringPassphrase + "=correct horse"}
			for b.Loop() {
				var out strings.Builder
				c := newCLI(strings.NewReader(""), &out, io.Discard, env)
				if code := c.run(context.Background(), []string{"list"}); code != 0 {
					b.Fatalf("awssession list: exit status %d", code)
				}
				if got := strings.Count(out.String(), "\n"); got != bc.n+1 {
					b.Fatalf("got %d lines, want %d", got, bc.n+1)
				}
			}
		})
	}
}

// ssoProfiles is a config file of n profiles on one IAM Identity Center
// session, as "sso populate" writes them.
func ssoProfiles(n int) string {
	var sb strings.Builder
	sb.WriteString("[sso-session corp]\nsso_start_url = https://corp.invalid/start\nsso_region = eu-west-1\nsso_registration_scopes = sso:account:access\n")
	for i := range n {
		fmt.Fprintf(&sb, "\n[profile acct%04d-Admin]\nsso_session = corp\nsso_account_id = %012d\nsso_role_name = Admin\nregion = eu-west-1\nawssession_generated = corp\n", i, 100000000000+i)
	}
	return sb.String()
}

// roleChain is a config file of n profiles, each a role on the one before,
// the first holding keys.
func roleChain(n int) string {
	var sb strings.Builder
	sb.WriteString("[profile p0]\naws_access_key_id = AKIAIOSFODNN7EXAMPLE\naws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY\nregion = us-east-1\n")
	for i := 1; i < n; i++ {
		fmt.Fprintf(&sb, "\n[profile p%d]\nrole_arn = arn:aws:iam::123456789012:role/r%d\nsource_profile = p%d\n", i, i, i-1)
	}
	return sb.String()
}
