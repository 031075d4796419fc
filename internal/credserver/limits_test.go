package credserver_test

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/awssession/awssession/internal/credserver"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// bound is how long a test waits for something that must happen: a bound
// for a hang, never a timing assertion.
const bound = 10 * time.Second

// records is a slog handler that keeps every record and signals each
// warning.
type records struct {
	mu   sync.Mutex
	all  []slog.Record
	seen chan string
}

func newRecords() *records { return &records{seen: make(chan string, 100)} }

func (r *records) Enabled(context.Context, slog.Level) bool { return true }
func (r *records) WithAttrs([]slog.Attr) slog.Handler       { return r }
func (r *records) WithGroup(string) slog.Handler            { return r }
func (r *records) Handle(_ context.Context, rec slog.Record) error {
	r.mu.Lock()
	r.all = append(r.all, rec)
	r.mu.Unlock()
	if rec.Level < slog.LevelWarn {
		return nil
	}
	select {
	case r.seen <- rec.Message:
	default:
	}
	return nil
}

// warnings returns the warnings logged, each with its "suppressed" count.
func (r *records) warnings() map[string][]int64 {
	r.mu.Lock()
	defer r.mu.Unlock()
	got := map[string][]int64{}
	for _, rec := range r.all {
		if rec.Level != slog.LevelWarn {
			continue
		}
		var n int64
		rec.Attrs(func(a slog.Attr) bool {
			if a.Key == "suppressed" {
				n = a.Value.Int64()
			}
			return true
		})
		got[rec.Message] = append(got[rec.Message], n)
	}
	return got
}

// startLimited starts a server with lim and returns it and its log.
func startLimited(t *testing.T, lim credserver.Limits) (*credserver.Server, *records) {
	t.Helper()
	log := newRecords()
	s, err := credserver.StartWithLimits(&countingProvider{}, slog.New(log), lim)
	require.NoError(t, err)
	credserver.SetGrace(s, 0)
	t.Cleanup(func() { _ = s.Close() })
	return s, log
}

// dialAndGet opens a connection to s and makes one keep-alive request on
// it.
func dialAndGet(t *testing.T, s *credserver.Server) *bufio.Reader {
	t.Helper()
	u, err := url.Parse(s.URL)
	require.NoError(t, err)
	conn, err := net.Dial("tcp", u.Host)
	require.NoError(t, err)
	t.Cleanup(func() { _ = conn.Close() })
	require.NoError(t, conn.SetDeadline(time.Now().Add(bound)))
	req, err := http.NewRequest("GET", s.URL, nil)
	require.NoError(t, err)
	req.Header.Set("Authorization", s.Token())
	require.NoError(t, req.Write(conn))
	br := bufio.NewReader(conn)
	resp, err := http.ReadResponse(br, req)
	require.NoError(t, err)
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	require.Equal(t, http.StatusOK, resp.StatusCode)
	return br
}

// A connection is closed after its response (no idle keep-alive
// connections), and one on which nothing is ever sent is closed too.
func TestIdleConnectionsAreClosed(t *testing.T) {
	lim := credserver.DefaultLimits()
	lim.IdleTimeout, lim.ReadHeaderTimeout = 20*time.Millisecond, 20*time.Millisecond
	s, _ := startLimited(t, lim)

	br := dialAndGet(t, s)
	_, err := br.ReadByte()
	assert.ErrorIs(t, err, io.EOF, "the connection is closed after the response")

	u, err := url.Parse(s.URL)
	require.NoError(t, err)
	silent, err := net.Dial("tcp", u.Host)
	require.NoError(t, err)
	defer silent.Close()
	require.NoError(t, silent.SetReadDeadline(time.Now().Add(bound)))
	_, err = silent.Read(make([]byte, 1))
	assert.ErrorIs(t, err, io.EOF, "the silent connection is closed")
}

// getWithToken makes one request with the token on a new connection.
func getWithToken(s *credserver.Server, timeout time.Duration) error {
	client := &http.Client{Timeout: timeout, Transport: &http.Transport{DisableKeepAlives: true}}
	req, err := http.NewRequest("GET", s.URL, nil)
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", s.Token())
	resp, err := client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("status %d", resp.StatusCode)
	}
	return nil
}

// Beyond MaxConns, a new connection takes the slot of the oldest one that
// sent no request: a request with the token is served while others hold
// every slot idle.
func TestConnectionCapDropsTheOldestIdle(t *testing.T) {
	lim := credserver.DefaultLimits()
	lim.MaxConns = 2
	s, log := startLimited(t, lim)
	u, err := url.Parse(s.URL)
	require.NoError(t, err)
	var held []net.Conn
	for range 2 {
		c, err := net.Dial("tcp", u.Host) // and never a request
		require.NoError(t, err)
		defer c.Close()
		held = append(held, c)
	}
	require.NoError(t, getWithToken(s, bound), "a request with the token was not served while two idle connections were held")
	require.NoError(t, held[0].SetReadDeadline(time.Now().Add(bound)))
	_, err = held[0].Read(make([]byte, 1))
	assert.ErrorIs(t, err, io.EOF, "the oldest idle connection was dropped")
	select {
	case msg := <-log.seen:
		assert.Contains(t, msg, "dropped the oldest connection")
	case <-time.After(bound):
		t.Fatal("no warning about the connection limit")
	}
}

// blockingProvider answers each Retrieve once release is closed, and says
// when one starts.
type blockingProvider struct {
	started chan struct{}
	release chan struct{}
}

func (b *blockingProvider) Retrieve(ctx context.Context) (aws.Credentials, error) {
	b.started <- struct{}{}
	select {
	case <-b.release:
	case <-ctx.Done():
	}
	return aws.Credentials{AccessKeyID: "ASIAX", SecretAccessKey: "s", SessionToken: "t"}, nil
}

// A connection whose request is being served (waiting for an MFA code, say)
// is never dropped: when every slot serves one, a new connection waits,
// with a warning, until a slot frees.
func TestConnectionCapWaitsWhileAllServe(t *testing.T) {
	lim := credserver.DefaultLimits()
	lim.MaxConns = 2
	p := &blockingProvider{started: make(chan struct{}, 3), release: make(chan struct{})}
	log := newRecords()
	s, err := credserver.StartWithLimits(p, slog.New(log), lim)
	require.NoError(t, err)
	credserver.SetGrace(s, 0)
	t.Cleanup(func() { _ = s.Close() })

	results := make(chan error, 3)
	for range 2 {
		go func() { results <- getWithToken(s, bound) }()
		select {
		case <-p.started:
		case <-time.After(bound):
			t.Fatal("a request was not served")
		}
	}
	go func() { results <- getWithToken(s, bound) }()
	select {
	case msg := <-log.seen:
		require.Contains(t, msg, "every connection serves a request")
	case <-time.After(bound):
		t.Fatal("no warning with every slot serving")
	}
	select {
	case <-p.started:
		t.Fatal("a third request was served while two were being served")
	default:
	}
	close(p.release)
	for range 3 {
		select {
		case err := <-results:
			assert.NoError(t, err)
		case <-time.After(bound):
			t.Fatal("a request was never answered")
		}
	}
}

// A flood of refused requests logs one warning per interval; the next one
// counts those held back.
func TestRefusedRequestWarningsAreRateLimited(t *testing.T) {
	var mu sync.Mutex
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	lim := credserver.DefaultLimits()
	lim.WarnEvery = time.Minute
	lim.Now = func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	s, log := startLimited(t, lim)
	refused := func(n int) {
		for range n {
			resp, err := http.Get(s.URL) // no token
			require.NoError(t, err)
			resp.Body.Close()
			require.Equal(t, http.StatusUnauthorized, resp.StatusCode)
		}
	}

	refused(5)
	assert.Equal(t, []int64{0}, log.warnings()["credential request refused"], "one warning for five refusals")
	mu.Lock()
	now = now.Add(time.Minute)
	mu.Unlock()
	refused(1)
	assert.Equal(t, []int64{0, 4}, log.warnings()["credential request refused"], "the next warning counts the four held back")
}

// Listen refuses a busy port before anything else happens.
func TestListenBusyPort(t *testing.T) {
	ln, err := credserver.Listen("")
	require.NoError(t, err)
	defer ln.Close()
	_, err = credserver.Listen(ln.Addr().String())
	require.Error(t, err)
	_, err = credserver.Listen("0.0.0.0:0")
	require.ErrorIs(t, err, credserver.ErrNotLoopback)
}
