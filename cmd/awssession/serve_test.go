package main

import (
	"bufio"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/awssession/awssession/internal/credserver"
	"github.com/awssession/awssession/internal/poll"
	"github.com/awssession/awssession/ststest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// credentialsDoc is the server's answer, as SDKs read it.
type credentialsDoc struct {
	AccessKeyID     string `json:"AccessKeyId"`
	SecretAccessKey string `json:"SecretAccessKey"`
	Token           string `json:"Token"`
	Expiration      string `json:"Expiration"`
}

// httpGet asks url for credentials with token (none when "") and the Host
// header host (the URL's when ""), as an SDK would, and returns the status
// and, on 200, the document.
func httpGet(url, token, host string) (int, credentialsDoc, error) {
	var doc credentialsDoc
	req, err := http.NewRequest(http.MethodGet, url, nil)
	if err != nil {
		return 0, doc, err
	}
	if token != "" {
		req.Header.Set("Authorization", token)
	}
	if host != "" {
		req.Host = host
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, doc, err
	}
	defer resp.Body.Close()
	if resp.StatusCode == http.StatusOK {
		err = json.NewDecoder(resp.Body).Decode(&doc)
	}
	return resp.StatusCode, doc, err
}

// startServe runs serve with args and returns it with the variables it
// printed, evaluated by bash over a shell that has competing ones.
func (f *fixture) startServe(t *testing.T, args ...string) (*background, map[string]string) {
	t.Helper()
	b, out := f.startServeRaw(t, args...)
	return b, evalBash(t, out, "AWS_PROFILE=dev", "AWS_ACCESS_KEY_ID=AKIAOLD", "AWS_SESSION_TOKEN=old")
}

// startServeRaw runs serve with args and returns it and what it printed,
// once it did.
func (f *fixture) startServeRaw(t *testing.T, args ...string) (*background, string) {
	t.Helper()
	b := f.start(t, strings.NewReader(""), nil, append([]string{"serve"}, args...)...)
	require.NoError(t, poll.Until(30*time.Second, 20*time.Millisecond, func() (bool, error) {
		return strings.Contains(b.stdout.String(), credserver.EnvAuthToken), b.ended()
	}), "stderr: %s", b.stderr.String())
	return b, b.stdout.String()
}

// TestServe uses serve as a client in another shell would, from the
// printed lines alone: refused requests, served ones, concurrent requests
// during a refresh (one STS call), and a clean stop.
func TestServe(t *testing.T) {
	t.Parallel()
	// STS's clock runs 10 s behind: the role keys it hands out expire 52 s
	// from now, inside the session's 1 min refresh window, so every use
	// refreshes them until the clock is put right (below).
	clock := ststest.NewClock(time.Now().Add(-10 * time.Second))
	f := newFixture(t, ststest.WithRoleCredentialLifetime(roleLifetime), ststest.WithClock(clock.Now))
	b, vars := f.startServe(t, f.aliceArgs("--debug", "--role-arn", f.reader.ARN)...)
	uri, token := vars[credserver.EnvFullURI], vars[credserver.EnvAuthToken]
	require.Regexp(t, `^http://127\.0\.0\.1:[0-9]+/credentials$`, uri)
	require.Regexp(t, `^[A-Za-z0-9_-]{43}$`, token)
	assert.Equal(t, "eu-west-1", vars["AWS_REGION"])
	for _, name := range []string{"AWS_PROFILE", "AWS_ACCESS_KEY_ID", "AWS_SESSION_TOKEN"} {
		_, ok := vars[name]
		assert.False(t, ok, "%s is still set after eval", name)
	}

	refused := []struct {
		name, token, host string
		status            int
	}{
		{"no token", "", "", http.StatusUnauthorized},
		{"wrong token", wrongToken(token), "", http.StatusUnauthorized},
		{"foreign Host", token, "attacker.example:80", http.StatusForbidden},
	}
	for _, tt := range refused {
		status, _, err := httpGet(uri, tt.token, tt.host)
		require.NoError(t, err, tt.name)
		assert.Equal(t, tt.status, status, tt.name)
	}
	status, first, err := httpGet(uri, token, "")
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, status)
	assert.Regexp(t, `^ASIA`, first.AccessKeyID)
	assert.NotEmpty(t, first.SecretAccessKey)
	assert.NotEmpty(t, first.Token)
	_, err = time.Parse(time.RFC3339, first.Expiration)
	assert.NoError(t, err, "Expiration %q", first.Expiration)

	// The key handed out is stale (see the clock above); with STS's clock
	// put ahead, the next key is good for minutes, and 16 concurrent
	// requests get it from one AssumeRole.
	before := f.srv.CountRequests("AssumeRole")
	clock.Set(time.Now().Add(5 * time.Minute))
	docs := make([]credentialsDoc, 16)
	var wg sync.WaitGroup
	for i := range docs {
		wg.Go(func() {
			status, doc, err := httpGet(uri, token, "")
			assert.NoError(t, err)
			assert.Equal(t, http.StatusOK, status)
			docs[i] = doc
		})
	}
	wg.Wait()
	assert.Equal(t, before+1, f.srv.CountRequests("AssumeRole"), "got %d AssumeRole calls for 16 requests, want 1", f.srv.CountRequests("AssumeRole")-before)
	assert.NotEqual(t, first.AccessKeyID, docs[0].AccessKeyID)
	for _, d := range docs {
		assert.Equal(t, docs[0].AccessKeyID, d.AccessKeyID)
	}

	b.cancel()
	require.Equal(t, 0, b.wait(t, 10*time.Second), "stderr: %s", b.stderr.String())
	stderr := b.stderr.String()
	// Three refusals within 10 s: one warning (the server rate-limits them).
	assert.Equal(t, 1, strings.Count(stderr, "credential request refused"), "stderr: %s", stderr)
	assert.Contains(t, stderr, "credentials served")
	for _, s := range []string{token, first.SecretAccessKey, first.Token, docs[0].SecretAccessKey, docs[0].Token, f.alice.SecretAccessKey} {
		assert.NotContains(t, stderr, s)
	}
	_, _, err = httpGet(uri, token, "")
	assert.Error(t, err, "the server still answers after serve ended")
}

// TestServeFormats prints the variables for each shell and as JSON.
func TestServeFormats(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	for _, tt := range []struct{ format, want string }{
		{"fish", "set -gx " + credserver.EnvAuthToken + " '"},
		{"powershell", "$Env:" + credserver.EnvFullURI + " = 'http://127.0.0.1:"},
		{"dotenv", credserver.EnvFullURI + `='http://127.0.0.1:`},
		{"json", `"` + credserver.EnvAuthToken + `": "`},
	} {
		t.Run(tt.format, func(t *testing.T) {
			b, _ := f.startServeRaw(t, append([]string{"--format", tt.format}, f.aliceArgs("--role-arn", f.reader.ARN)...)...)
			b.cancel()
			require.Equal(t, 0, b.wait(t, 10*time.Second), "stderr: %s", b.stderr.String())
			assert.Contains(t, b.stdout.String(), tt.want)
		})
	}
}

// TestServeSignals runs serve as a process: SIGINT and SIGTERM stop it
// with status 0.
func TestServeSignals(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	for _, sig := range []syscall.Signal{syscall.SIGINT, syscall.SIGTERM} {
		t.Run(sig.String(), func(t *testing.T) {
			t.Parallel()
			cmd := f.cliProcess(t, append([]string{"serve"}, f.aliceArgs("--role-arn", f.reader.ARN)...)...)
			var stderr syncBuffer
			cmd.Stderr = &stderr
			out, err := cmd.StdoutPipe()
			require.NoError(t, err)
			require.NoError(t, cmd.Start())
			lines := bufio.NewScanner(out)
			printed := false
			for !printed && lines.Scan() {
				printed = strings.Contains(lines.Text(), credserver.EnvAuthToken)
			}
			require.True(t, printed, "serve printed no token; stderr: %s", stderr.String())
			require.NoError(t, cmd.Process.Signal(sig))
			go func() { _, _ = io.Copy(io.Discard, out) }()
			require.NoError(t, cmd.Wait(), "stderr: %s", stderr.String())
			assert.Contains(t, stderr.String(), "serving the session on http://127.0.0.1:")
		})
	}
}

// wrongToken returns token with its last character changed.
func wrongToken(token string) string {
	last := "A"
	if strings.HasSuffix(token, last) {
		last = "B"
	}
	return token[:len(token)-1] + last
}

// TestServeProfileArgument: serve takes a profile as its argument, as
// exec, env and every other session command do; with --profile too, the
// two must agree.
func TestServeProfileArgument(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	f.readerProfiles(t)
	cmd := f.cliProcess(t, "serve", "reader", "--sts-endpoint", f.srv.URL)
	var stderr syncBuffer
	cmd.Stderr = &stderr
	out, err := cmd.StdoutPipe()
	require.NoError(t, err)
	require.NoError(t, cmd.Start())
	printed := ""
	for lines := bufio.NewScanner(out); lines.Scan(); {
		if printed += lines.Text() + "\n"; strings.Contains(lines.Text(), credserver.EnvAuthToken) {
			break
		}
	}
	vars := evalBash(t, printed)
	require.NotEmpty(t, vars[credserver.EnvAuthToken], "stdout: %s; stderr: %s", printed, stderr.String())
	status, doc, err := httpGet(vars[credserver.EnvFullURI], vars[credserver.EnvAuthToken], "")
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, status)
	assert.Regexp(t, `^ASIA`, doc.AccessKeyID)
	assert.Equal(t, 1, f.srv.CountRequests("AssumeRole"), "the profile's role")
	require.NoError(t, cmd.Process.Signal(syscall.SIGTERM))
	go func() { _, _ = io.Copy(io.Discard, out) }()
	require.NoError(t, cmd.Wait(), "stderr: %s", stderr.String())

	r := f.binary(t, nil, "", "serve", "reader", "--profile", "base")
	assert.Equal(t, exitUsage, r.code)
	assert.Contains(t, r.stderr, `profile "reader" given as an argument and --profile "base"`)
}
