package ststest_test

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/awssession/awssession/ststest"
)

// post sends an STS Query request as a raw HTTP request with host as its
// Host header, and returns the status and body.
func post(t *testing.T, srv *ststest.Server, host, body string) (int, string) {
	t.Helper()
	req, err := http.NewRequest("POST", srv.URL+"/", strings.NewReader(body))
	require.NoError(t, err)
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if host != "" {
		req.Host = host
	}
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return resp.StatusCode, string(b)
}

// TestServerRefusesForeignHosts: a page whose DNS name was rebound to
// 127.0.0.1 sends its own name as Host; the server answers only loopback
// names and addresses (and its listen address), so that page cannot
// read a web identity token or a user's session.
func TestServerRefusesForeignHosts(t *testing.T) {
	t.Parallel()
	srv := ststest.NewServer(t)
	u, err := url.Parse(srv.URL)
	require.NoError(t, err)
	const action = "Action=AssumeRoleWithWebIdentity&Version=2011-06-15"
	for _, host := range []string{"rebind.example.invalid", "rebind.example.invalid:" + u.Port(), "127.0.0.1.nip.io", "app.localhost"} {
		status, body := post(t, srv, host, action)
		assert.Equal(t, http.StatusForbidden, status, "Host %s", host)
		assert.Contains(t, body, "<Code>AccessDenied</Code>")
	}
	for _, host := range []string{"", "localhost:" + u.Port(), "[::1]:" + u.Port(), "127.0.0.1"} {
		status, body := post(t, srv, host, action)
		assert.NotEqual(t, http.StatusForbidden, status, "Host %q: %s", host, body)
	}
	reqs := srv.Requests()
	require.NotEmpty(t, reqs)
	assert.Equal(t, http.StatusForbidden, reqs[0].Status, "a refused request is recorded")
	assert.Equal(t, "AccessDenied", reqs[0].ErrorCode)
}

// TestServerCapsRequestBodies: a body over 256 KiB is refused with 413,
// whether its length is announced or not, and the server goes on serving.
func TestServerCapsRequestBodies(t *testing.T) {
	t.Parallel()
	srv := ststest.NewServer(t)
	alice := srv.AddUser("alice")
	big := "Action=GetCallerIdentity&Version=2011-06-15&Pad=" + strings.Repeat("x", 300<<10)
	status, body := post(t, srv, "", big)
	assert.Equal(t, http.StatusRequestEntityTooLarge, status)
	assert.Contains(t, body, "<Code>RequestEntityTooLarge</Code>")

	// Chunked: no Content-Length to refuse up front.
	req, err := http.NewRequest("POST", srv.URL+"/", io.MultiReader(strings.NewReader(big)))
	require.NoError(t, err)
	req.ContentLength = -1
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, http.StatusRequestEntityTooLarge, resp.StatusCode)

	// A SAML-sized parameter (100,000 characters) is no problem.
	status, _ = post(t, srv, "", "Action=AssumeRoleWithSAML&Version=2011-06-15&SAMLAssertion="+strings.Repeat("A", 100000))
	assert.NotEqual(t, http.StatusRequestEntityTooLarge, status)
	_, err = clientFor(srv, alice).GetCallerIdentity(context.Background(), &sts.GetCallerIdentityInput{})
	require.NoError(t, err)
}

// TestServerClosesSlowBodies: a client that announces a body and sends
// part of it is cut off after the read timeout (10 s) instead of holding
// the connection for ever.
func TestServerClosesSlowBodies(t *testing.T) {
	t.Parallel()
	srv := ststest.NewServer(t)
	u, err := url.Parse(srv.URL)
	require.NoError(t, err)
	conn, err := net.Dial("tcp", u.Host)
	require.NoError(t, err)
	defer conn.Close()
	_, err = fmt.Fprintf(conn, "POST / HTTP/1.1\r\nHost: %s\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 1000\r\n\r\nAction=Get", u.Host)
	require.NoError(t, err)
	require.NoError(t, conn.SetReadDeadline(time.Now().Add(30*time.Second))) // a bound for a hang, not a timing assertion
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err == nil {
		resp.Body.Close()
		assert.Equal(t, http.StatusBadRequest, resp.StatusCode, "the slow body is refused")
		return
	}
	var ne net.Error
	if assert.ErrorAs(t, err, &ne) {
		assert.False(t, ne.Timeout(), "the server kept the connection open for 30 s")
	}
}
