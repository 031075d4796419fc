package awssession_test

import (
	"context"
	"encoding/pem"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/awssession/awssession"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// settle backdates files as if they were written an hour ago: a plan stamp
// records only files left alone for a few seconds.
func settle(t testing.TB, paths ...string) {
	t.Helper()
	old := time.Now().Add(-time.Hour)
	for _, p := range paths {
		require.NoError(t, os.Chtimes(p, old, old))
	}
}

// profileSession is a profile "dev" (keys and region in the config file,
// no credentials file) with a role on top and a file cache: a session
// whose plan only the shared config can tell.
type profileSession struct {
	f                 *fixture
	cfgPath, credPath string
	cache             *awssession.FileCache
	opts              []awssession.Option
}

func newProfileSession(t *testing.T) *profileSession {
	t.Helper()
	f := newFixture(t)
	p := &profileSession{f: f, cfgPath: filepath.Join(f.configDir, "config"),
		credPath: filepath.Join(f.configDir, "credentials"), cache: newFileCache(t)}
	p.writeConfig(t, "eu-west-1")
	settle(t, p.cfgPath)
	p.opts = []awssession.Option{awssession.WithSTSEndpoint(f.srv.URL), awssession.WithProfile("dev"),
		awssession.WithAssumeRole(awssession.AssumeRole{RoleARN: f.open.ARN}), awssession.WithCache(p.cache),
		awssession.WithConfigOptions(config.WithSharedConfigFiles([]string{p.cfgPath}),
			config.WithSharedCredentialsFiles([]string{p.credPath}))}
	return p
}

func (p *profileSession) writeConfig(t *testing.T, region string) {
	t.Helper()
	text := "[profile dev]\nregion = " + region + "\naws_access_key_id = " + p.f.alice.AccessKeyID +
		"\naws_secret_access_key = " + p.f.alice.SecretAccessKey + "\n"
	require.NoError(t, os.WriteFile(p.cfgPath, []byte(text), 0o600))
}

func (p *profileSession) peek(t *testing.T, opts ...awssession.Option) (awssession.PeekedSession, bool) {
	t.Helper()
	s, ok, err := awssession.PeekSession(context.Background(), append(p.opts, opts...)...)
	require.NoError(t, err)
	return s, ok
}

func TestPeekSessionProfileWarmCache(t *testing.T) {
	p := newProfileSession(t)
	_, ok := p.peek(t)
	require.False(t, ok, "nothing cached yet")

	sessionCredentials(t, p.opts...) // fills the cache and leaves the plan stamp
	p.f.srv.ResetRequests()
	want := sessionCredentials(t, p.opts...) // a second process's first Retrieve
	got, ok := p.peek(t)
	require.True(t, ok, "warm cache, files and environment unchanged")
	assert.Equal(t, want, got.Credentials, "what CreateSession's first Retrieve gives")
	assert.Equal(t, "eu-west-1", got.Region, "the profile's region")
	assert.Empty(t, p.f.srv.Requests())

	// The stamp holds no secret: paths, sizes, times and a cache key.
	entries, err := os.ReadDir(p.cache.Dir())
	require.NoError(t, err)
	var stamps int
	for _, e := range entries {
		if !strings.HasPrefix(e.Name(), "plan-") {
			continue
		}
		stamps++
		b, err := os.ReadFile(filepath.Join(p.cache.Dir(), e.Name()))
		require.NoError(t, err)
		assert.NotContains(t, string(b), p.f.alice.SecretAccessKey)
		assert.NotContains(t, string(b), want.SessionToken)
		assert.NotContains(t, string(b), want.SecretAccessKey)
	}
	assert.Equal(t, 1, stamps, "plan stamps in the cache")
}

// TestPeekSessionLoadsNoConfig proves the warm peek never runs
// config.LoadDefaultConfig: with the CA bundle it names now unparseable,
// CreateSession fails and PeekSession still answers.
func TestPeekSessionLoadsNoConfig(t *testing.T) {
	p := newProfileSession(t)
	bundle := filepath.Join(t.TempDir(), "ca.pem")
	tls := httptest.NewTLSServer(http.NotFoundHandler())
	defer tls.Close()
	require.NoError(t, os.WriteFile(bundle, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: tls.Certificate().Raw}), 0o600))
	t.Setenv("AWS_CA_BUNDLE", bundle)
	sessionCredentials(t, p.opts...)

	require.NoError(t, os.WriteFile(bundle, []byte("not a certificate"), 0o600))
	_, err := awssession.CreateSession(context.Background(), p.opts...)
	require.Error(t, err, "CreateSession parses the bundle")
	_, ok := p.peek(t)
	assert.True(t, ok, "PeekSession does not")
}

// TestPeekSessionSeesChanges changes one input of a warm session at a time:
// each must make PeekSession decline, so that CreateSession decides anew.
func TestPeekSessionSeesChanges(t *testing.T) {
	for _, tc := range []struct {
		name   string
		change func(t *testing.T, p *profileSession) []awssession.Option
		hit    bool
	}{
		{"nothing changed", func(*testing.T, *profileSession) []awssession.Option { return nil }, true},
		{"config edited", func(t *testing.T, p *profileSession) []awssession.Option {
			p.writeConfig(t, "eu-central-1")
			settle(t, p.cfgPath)
			return nil
		}, false},
		{"config edited to the same size, modification time put back", func(t *testing.T, p *profileSession) []awssession.Option {
			fi, err := os.Stat(p.cfgPath)
			require.NoError(t, err)
			p.writeConfig(t, "eu-west-2") // as long as eu-west-1
			require.NoError(t, os.Chtimes(p.cfgPath, fi.ModTime(), fi.ModTime()))
			fi2, err := os.Stat(p.cfgPath)
			require.NoError(t, err)
			require.Equal(t, fi.Size(), fi2.Size())
			return nil
		}, false},
		{"credentials file created", func(t *testing.T, p *profileSession) []awssession.Option {
			require.NoError(t, os.WriteFile(p.credPath, []byte("[dev]\n"), 0o600))
			settle(t, p.credPath)
			return nil
		}, false},
		{"AWS_REGION set", func(t *testing.T, _ *profileSession) []awssession.Option {
			t.Setenv("AWS_REGION", "ap-south-1")
			return nil
		}, false},
		{"AWS_PROFILE set", func(t *testing.T, _ *profileSession) []awssession.Option {
			t.Setenv("AWS_PROFILE", "other")
			return nil
		}, false},
		{"another role hop", func(*testing.T, *profileSession) []awssession.Option {
			return []awssession.Option{awssession.WithAssumeRole(awssession.AssumeRole{RoleARN: "arn:aws:iam::123456789012:role/Open", RoleSessionName: "peek"})}
		}, false},
		{"WithRegion", func(*testing.T, *profileSession) []awssession.Option {
			return []awssession.Option{awssession.WithRegion("us-west-2")}
		}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := newProfileSession(t)
			sessionCredentials(t, p.opts...)
			extra := tc.change(t, p)
			_, ok := p.peek(t, extra...)
			assert.Equal(t, tc.hit, ok, "peek answered")
		})
	}
}

// A shared file written just now may be written again within the file
// system's timestamp granularity, unseen: no stamp records it until it has
// been left alone.
func TestPeekSessionWaitsForFilesToSettle(t *testing.T) {
	p := newProfileSession(t)
	p.writeConfig(t, "eu-west-1") // now, not settled
	sessionCredentials(t, p.opts...)
	_, ok := p.peek(t)
	require.False(t, ok, "no stamp for a file changed just now")

	settle(t, p.cfgPath)
	p.f.srv.ResetRequests()
	sessionCredentials(t, p.opts...) // a cache hit that leaves the stamp
	assert.Empty(t, p.f.srv.Requests())
	_, ok = p.peek(t)
	assert.True(t, ok, "stamped once the file settled")
}

func TestPeekSessionDefaultChain(t *testing.T) {
	f := newFixture(t)
	t.Setenv("AWS_ACCESS_KEY_ID", f.alice.AccessKeyID)
	t.Setenv("AWS_SECRET_ACCESS_KEY", f.alice.SecretAccessKey)
	t.Setenv("AWS_REGION", "ca-central-1")
	cache := newFileCache(t)
	opts := []awssession.Option{awssession.WithSTSEndpoint(f.srv.URL), awssession.WithCache(cache),
		awssession.WithAssumeRole(awssession.AssumeRole{RoleARN: f.open.ARN})}
	want := sessionCredentials(t, opts...)
	got, ok, err := awssession.PeekSession(context.Background(), opts...)
	require.NoError(t, err)
	require.True(t, ok)
	assert.Equal(t, "ca-central-1", got.Region, "the environment's region")
	assert.Equal(t, want.AccessKeyID, got.Credentials.AccessKeyID)

	t.Setenv("AWS_ACCESS_KEY_ID", "AKIAOTHERKEY00000000")
	_, ok, err = awssession.PeekSession(context.Background(), opts...)
	require.NoError(t, err)
	assert.False(t, ok, "other keys in the environment")
}
