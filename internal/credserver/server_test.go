package credserver_test

import (
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/credentials/endpointcreds"
	"github.com/awssession/awssession"
	"github.com/awssession/awssession/internal/credserver"
	"github.com/awssession/awssession/ststest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// session returns a role session against a fresh ststest.
func session(t *testing.T, opts ...ststest.ServerOption) (*ststest.Server, aws.Config) {
	t.Helper()
	srv := ststest.NewServer(t, opts...)
	alice := srv.AddUser("alice")
	role := srv.AddRole("Admin", ststest.Trust{Principals: []string{alice.ARN}})
	dir := t.TempDir()
	for _, f := range []string{"config", "credentials"} {
		require.NoError(t, os.WriteFile(filepath.Join(dir, f), nil, 0o600))
	}
	cfg, err := awssession.CreateSession(context.Background(),
		awssession.WithStaticCredentials(alice.AccessKeyID, alice.SecretAccessKey, ""),
		awssession.WithAssumeRole(awssession.AssumeRole{RoleARN: role.ARN}),
		awssession.WithRegion("us-east-1"), awssession.WithSTSEndpoint(srv.URL),
		awssession.WithSharedConfigFiles([]string{filepath.Join(dir, "config")}, []string{filepath.Join(dir, "credentials")}))
	require.NoError(t, err)
	return srv, cfg
}

func start(t *testing.T, p aws.CredentialsProvider) *credserver.Server {
	t.Helper()
	s, err := credserver.Start("", p, nil)
	require.NoError(t, err)
	t.Cleanup(func() { _ = s.Close() })
	return s
}

// The SDK's own container credentials provider reads what the server sends.
func TestSDKReadsServedCredentials(t *testing.T) {
	srv, cfg := session(t)
	s := start(t, cfg.Credentials)
	p := endpointcreds.New(s.URL, func(o *endpointcreds.Options) { o.AuthorizationToken = s.Token() })
	got, err := p.Retrieve(context.Background())
	require.NoError(t, err)
	want, err := cfg.Credentials.Retrieve(context.Background())
	require.NoError(t, err)
	assert.Equal(t, want.AccessKeyID, got.AccessKeyID)
	assert.Equal(t, want.SecretAccessKey, got.SecretAccessKey)
	assert.Equal(t, want.SessionToken, got.SessionToken)
	assert.True(t, got.CanExpire)
	assert.WithinDuration(t, want.Expires, got.Expires, time.Second)
	assert.Equal(t, 1, srv.CountRequests("AssumeRole"))
	assert.Len(t, s.Env(), 2)
}

// countingProvider counts Retrieve calls.
type countingProvider struct{ n atomic.Int32 }

func (c *countingProvider) Retrieve(context.Context) (aws.Credentials, error) {
	c.n.Add(1)
	return aws.Credentials{AccessKeyID: "ASIAX", SecretAccessKey: "s", SessionToken: "t"}, nil
}

// otherFirstChar is token with its first character changed: a wrong token
// of the right length. (Prefixing "x" is the real token when that is
// already its first character, one time in 64.)
func otherFirstChar(token string) string {
	if token[0] == 'x' {
		return "y" + token[1:]
	}
	return "x" + token[1:]
}

func TestRefusedRequests(t *testing.T) {
	p := &countingProvider{}
	s := start(t, p)
	tests := []struct {
		name, method, path, host, token string
		want                            int
	}{
		{"no token", "GET", "/credentials", "", "-", http.StatusUnauthorized},
		{"wrong token", "GET", "/credentials", "", otherFirstChar(s.Token()), http.StatusUnauthorized},
		{"token prefix", "GET", "/credentials", "", s.Token()[:10], http.StatusUnauthorized},
		{"foreign Host (DNS rebinding)", "GET", "/credentials", "attacker.example.com", "", http.StatusForbidden},
		{"loopback-looking name", "GET", "/credentials", "127.0.0.1.nip.io", "", http.StatusForbidden},
		{"POST", "POST", "/credentials", "", "", http.StatusMethodNotAllowed},
		{"other path", "GET", "/", "", "", http.StatusNotFound},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req, err := http.NewRequest(tt.method, s.URL[:len(s.URL)-len("/credentials")]+tt.path, nil)
			require.NoError(t, err)
			switch tt.token {
			case "":
				req.Header.Set("Authorization", s.Token())
			case "-":
			default:
				req.Header.Set("Authorization", tt.token)
			}
			if tt.host != "" {
				req.Host = tt.host
			}
			resp, err := http.DefaultClient.Do(req)
			require.NoError(t, err)
			defer resp.Body.Close()
			assert.Equal(t, tt.want, resp.StatusCode)
			var body map[string]string
			require.NoError(t, json.NewDecoder(resp.Body).Decode(&body))
			assert.NotContains(t, body["message"], s.Token())
		})
	}
	assert.Zero(t, p.n.Load(), "no refused request reached the credentials")
	for _, host := range []string{"localhost", "127.0.0.1", "[::1]"} {
		req, _ := http.NewRequest("GET", s.URL, nil)
		req.Host = host
		req.Header.Set("Authorization", s.Token())
		resp, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		resp.Body.Close()
		assert.Equal(t, http.StatusOK, resp.StatusCode, "Host %s", host)
	}
}

func TestStartRefusesNonLoopback(t *testing.T) {
	for _, addr := range []string{"0.0.0.0:0", ":0", "192.0.2.1:0", "example.com:80"} {
		_, err := credserver.Start(addr, &countingProvider{}, nil)
		require.ErrorIs(t, err, credserver.ErrNotLoopback, addr)
	}
}

// Many clients asking at once while the session is cold make one STS call.
func TestConcurrentRequestsOneSTSCall(t *testing.T) {
	srv, cfg := session(t)
	s := start(t, cfg.Credentials)
	var wg sync.WaitGroup
	keys := make([]string, 50)
	for i := range keys {
		wg.Go(func() {
			p := endpointcreds.New(s.URL, func(o *endpointcreds.Options) { o.AuthorizationToken = s.Token() })
			c, err := p.Retrieve(context.Background())
			assert.NoError(t, err)
			keys[i] = c.AccessKeyID
		})
	}
	wg.Wait()
	assert.Equal(t, 1, srv.CountRequests("AssumeRole"))
	for _, k := range keys {
		assert.Equal(t, keys[0], k)
	}
}

// A refresh that fails is reported to the client as an error (the SDK's
// client retries the 500 twice, hence three faults), and the server serves
// again once STS recovers.
func TestRefreshFailureThenRecovery(t *testing.T) {
	srv, cfg := session(t)
	s := start(t, cfg.Credentials)
	srv.InjectFault(ststest.Fault{Count: 3, Status: 403, Code: "AccessDenied", Message: "no"})
	p := endpointcreds.New(s.URL, func(o *endpointcreds.Options) { o.AuthorizationToken = s.Token() })
	_, err := p.Retrieve(context.Background())
	require.Error(t, err)
	assert.NotContains(t, err.Error(), s.Token())
	_, err = p.Retrieve(context.Background())
	require.NoError(t, err)
}

// A client that dialed a connection and never sent a request on it (an
// HTTP client's pool after a burst) must not make Close fail: serve and
// exec --server return Close's error as their own.
func TestCloseWithAnUnusedConnection(t *testing.T) {
	lim := credserver.DefaultLimits()
	accepted := make(chan struct{}, 1)
	lim.ConnState = func(_ net.Conn, s http.ConnState) {
		if s == http.StateNew {
			accepted <- struct{}{}
		}
	}
	srv, err := credserver.StartWithLimits(credentials.NewStaticCredentialsProvider("AKIAEXAMPLE", "secret", ""), nil, lim)
	require.NoError(t, err)
	credserver.SetGrace(srv, 50*time.Millisecond)
	u, err := url.Parse(srv.URL)
	require.NoError(t, err)
	conn, err := net.Dial("tcp", u.Host)
	require.NoError(t, err)
	defer conn.Close()
	<-accepted // the server holds it now

	require.NoError(t, srv.Close())
	require.NoError(t, conn.SetReadDeadline(time.Now().Add(5*time.Second)))
	_, err = conn.Read(make([]byte, 1))
	assert.ErrorIs(t, err, io.EOF, "the idle connection is closed")
}
