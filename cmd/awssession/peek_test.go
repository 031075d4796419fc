package main

import (
	"encoding/pem"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestEnvProfileWarmCacheLoadsNoConfig: a profile session on a warm cache
// is served without loading the shared config, so without parsing
// AWS_CA_BUNDLE (5 ms per run on corporate machines). The bundle is made
// unparseable after the first run: the second still works, and --debug,
// which always builds the whole session, shows the SDK would have failed.
func TestEnvProfileWarmCacheLoadsNoConfig(t *testing.T) {
	f := newFixture(t)
	cfgFile, credFile := filepath.Join(f.dir, "config"), filepath.Join(f.dir, "credentials")
	require.NoError(t, os.WriteFile(cfgFile, []byte("[profile dev]\nregion = ap-northeast-1\n"), 0o600))
	require.NoError(t, os.WriteFile(credFile, []byte("[dev]\naws_access_key_id = "+f.alice.AccessKeyID+
		"\naws_secret_access_key = "+f.alice.SecretAccessKey+"\n"), 0o600))
	old := time.Now().Add(-time.Hour) // files left alone a while: see stampSettle
	for _, p := range []string{cfgFile, credFile} {
		require.NoError(t, os.Chtimes(p, old, old))
	}
	bundle := filepath.Join(t.TempDir(), "ca.pem")
	tls := httptest.NewTLSServer(http.NotFoundHandler())
	defer tls.Close()
	require.NoError(t, os.WriteFile(bundle, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: tls.Certificate().Raw}), 0o600))
	t.Setenv("AWS_CA_BUNDLE", bundle) // the SDK reads the process environment

	args := []string{"env", "--format", "json", "--profile", "dev", "--sts-endpoint", f.srv.URL, "--role-arn", f.reader.ARN}
	first := f.run(t, nil, "", args...)
	require.Equal(t, 0, first.code, "stderr: %s", first.stderr)
	require.Equal(t, 1, f.srv.CountRequests("AssumeRole"))

	require.NoError(t, os.WriteFile(bundle, []byte("not a certificate"), 0o600))
	second := f.run(t, nil, "", args...)
	require.Equal(t, 0, second.code, "stderr: %s", second.stderr)
	assert.Equal(t, jsonField(t, first.stdout, "AWS_ACCESS_KEY_ID"), jsonField(t, second.stdout, "AWS_ACCESS_KEY_ID"))
	assert.Equal(t, "ap-northeast-1", jsonField(t, second.stdout, "AWS_REGION"), "the profile's region, from the stamp")
	assert.Equal(t, 1, f.srv.CountRequests("AssumeRole"), "no STS call on a warm cache")

	debug := f.run(t, nil, "", append(args, "--debug")...)
	assert.NotEqual(t, 0, debug.code, "--debug loads the config, and the bundle no longer parses")
	assert.Contains(t, debug.stderr, "CA bundle")
}
