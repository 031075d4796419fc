package credserver_test

import (
	"bufio"
	"context"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"sync"
	"testing"
	"time"

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

// Beyond MaxConns, a new connection waits (with one warning) until a held
// one is closed, then is served.
func TestConnectionCap(t *testing.T) {
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
	select { // the server accepted both and waits for a slot
	case msg := <-log.seen:
		require.Contains(t, msg, "connection limit")
	case <-time.After(bound):
		t.Fatal("no connection limit with 2 connections held")
	}

	third := make(chan error, 1)
	go func() {
		client := &http.Client{Timeout: bound}
		req, _ := http.NewRequest("GET", s.URL, nil)
		req.Header.Set("Authorization", s.Token())
		resp, err := client.Do(req)
		if err == nil {
			resp.Body.Close()
		}
		third <- err
	}()
	select {
	case err := <-third:
		t.Fatalf("the third connection was served while two were held (err %v)", err)
	default:
	}
	require.NoError(t, held[0].Close())
	select {
	case err := <-third:
		assert.NoError(t, err, "the third connection is served once a slot frees")
	case <-time.After(bound):
		t.Fatal("the third connection was never served")
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
