package credserver_test

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"net/url"
	"os"
	"os/exec"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// hogSwitch makes the test binary a local attacker: it holds hogConns
// idle connections to the address it names (never a byte sent), opens a
// new one for each the server closes, and prints "ready" once all are
// open. It runs until killed.
const (
	hogSwitch = "CREDSERVER_TEST_HOG"
	hogConns  = 1000
)

func TestMain(m *testing.M) {
	if addr := os.Getenv(hogSwitch); addr != "" {
		os.Exit(hog(addr))
	}
	os.Exit(m.Run())
}

func hog(addr string) int {
	closed := make(chan struct{}, hogConns)
	dial := func() error {
		c, err := net.Dial("tcp", addr)
		if err != nil {
			return err
		}
		go func() {
			_, _ = io.Copy(io.Discard, c)
			_ = c.Close()
			closed <- struct{}{}
		}()
		return nil
	}
	for range hogConns {
		if err := dial(); err != nil {
			fmt.Println(err)
			return 1
		}
	}
	fmt.Println("ready")
	for range closed {
		if err := dial(); err != nil {
			return 0 // the server is gone
		}
	}
	return 0
}

// TestIdleConnectionsOfAnotherProcess: another process holds 1,000 idle
// connections to the server (and reopens each one closed); requests with
// the token are still served, every one. They used to wait behind the
// idle connections, each holding one of the 32 slots for 5 s; then, once
// idle ones were dropped for new ones, a request could be dropped before
// its client had written it when the slots turned over faster than that.
func TestIdleConnectionsOfAnotherProcess(t *testing.T) {
	s := start(t, &countingProvider{})
	u, err := url.Parse(s.URL)
	require.NoError(t, err)
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), hogSwitch+"="+u.Host)
	out, err := cmd.StdoutPipe()
	require.NoError(t, err)
	require.NoError(t, cmd.Start())
	exited := make(chan struct{})
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		<-exited
	})
	go func() { _ = cmd.Wait(); close(exited) }()
	ready := make(chan string, 1)
	go func() {
		line, _ := bufio.NewReader(out).ReadString('\n')
		ready <- line
	}()
	select {
	case line := <-ready:
		require.Equal(t, "ready\n", line, "the second process could not open its connections")
	case <-time.After(30 * time.Second): // a bound for a hang, not a timing assertion
		t.Fatal("the second process never opened its connections")
	}

	// Eight clients at once, as the processes of a build would ask.
	errs := make(chan error, 8)
	for range 8 {
		go func() { errs <- getWithToken(s, 20*time.Second) }()
	}
	for i := range 8 {
		require.NoError(t, <-errs, "request %d with the token was not served", i+1)
	}
	select {
	case <-exited:
		t.Fatal("the second process stopped holding its connections")
	default:
	}
}
