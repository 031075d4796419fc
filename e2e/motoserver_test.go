//go:build linux

package e2e

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/awssession/awssession/internal/poll"
)

const (
	// requireEnv makes a missing moto_server or AWS CLI a failure instead
	// of a skip; CI sets it.
	requireEnv = "AWSSESSION_REQUIRE_MOTO"
	// awsCLI is Debian's AWS CLI v2 (package awscli); "aws" on PATH may be
	// another version.
	awsCLI = "/usr/bin/aws"
	// motoStartTimeout bounds the wait for moto_server to answer.
	motoStartTimeout = 20 * time.Second
)

// requireTool returns the path of a program the tests need. When it is
// missing the test skips, or fails when AWSSESSION_REQUIRE_MOTO=1.
func requireTool(t *testing.T, name, install string) string {
	t.Helper()
	path, err := exec.LookPath(name)
	if err == nil {
		return path
	}
	if os.Getenv(requireEnv) == "1" {
		t.Fatalf("%s: %v; %s=1 requires it (%s)", name, err, requireEnv, install)
	}
	t.Skipf("%s not found: %s to run the end-to-end tests (%s=1 makes this a failure)", name, install, requireEnv)
	return ""
}

// motoServer is a moto_server process on a loopback port.
type motoServer struct {
	// URL is the endpoint of every service, e.g. http://127.0.0.1:41234.
	URL string
}

// startMoto starts moto_server on a free loopback port and waits until it
// answers. t.Cleanup stops it (its whole process group: moto_server may be
// a pyenv shim in front of Python) and, when the test failed, logs its
// output.
func startMoto(t *testing.T) *motoServer {
	t.Helper()
	bin := requireTool(t, "moto_server", "pip install 'moto[server]'")
	var lastErr error
	for attempt := 0; attempt < 3; attempt++ {
		m, err := tryStartMoto(t, bin)
		if err == nil {
			return m
		}
		lastErr = err // most likely another process took the port
	}
	t.Fatalf("start moto_server: %v", lastErr)
	return nil
}

func tryStartMoto(t *testing.T, bin string) (*motoServer, error) {
	port, err := freePort()
	if err != nil {
		return nil, err
	}
	out := &lockedBuffer{}
	cmd := exec.Command(bin, "-H", "127.0.0.1", "-p", port)
	cmd.Stdout, cmd.Stderr = out, out
	// Its own process group, to kill the shim and Python together; and
	// killed with the test binary should that die before t.Cleanup runs.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	exited := make(chan struct{})
	go func() { _ = cmd.Wait(); close(exited) }()
	stop := func() {
		_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
		<-exited
	}

	url := "http://127.0.0.1:" + port
	if err := waitForMoto(url, exited); err != nil {
		stop()
		return nil, fmt.Errorf("%w; its output:\n%s", err, out.String())
	}
	t.Cleanup(func() {
		stop()
		if t.Failed() {
			t.Logf("moto_server output:\n%s", out.String())
		}
	})
	return &motoServer{URL: url}, nil
}

func freePort() (string, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer l.Close()
	_, port, err := net.SplitHostPort(l.Addr().String())
	return port, err
}

// waitForMoto polls GET /moto-api/ until it answers 200, the process exits
// or motoStartTimeout passes.
func waitForMoto(url string, exited <-chan struct{}) error {
	client := &http.Client{Timeout: time.Second}
	err := poll.Until(motoStartTimeout, 100*time.Millisecond, func() (bool, error) {
		select {
		case <-exited:
			return false, fmt.Errorf("moto_server exited before answering on %s", url)
		default:
		}
		resp, err := client.Get(url + "/moto-api/")
		if err != nil {
			return false, nil
		}
		resp.Body.Close()
		return resp.StatusCode == http.StatusOK, nil
	})
	if errors.Is(err, poll.ErrTimeout) {
		return fmt.Errorf("moto_server did not answer on %s within %v", url, motoStartTimeout)
	}
	return err
}

// setAuth turns moto's IAM authentication on or off for every later
// request. Off (moto's default), moto accepts any keys and signature; on,
// it checks signatures, access keys, the session tokens of its assumed-role
// credentials, identity policies and the principals of trust policies.
// The setting is global to the server, so tests that change it must not
// run in parallel.
func (m *motoServer) setAuth(t *testing.T, on bool) {
	t.Helper()
	// The body is the number of requests moto serves before it starts
	// checking: 0 checks from now on, inf never.
	count := "inf"
	if on {
		count = "0"
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, m.URL+"/moto-api/reset-auth", strings.NewReader(count))
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("set moto auth %s: %v", count, err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("set moto auth %s: got status %d, want 200", count, resp.StatusCode)
	}
}

// lockedBuffer collects a process's output while tests may read it.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}
