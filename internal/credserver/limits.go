package credserver

import (
	"net"
	"net/http"
	"sync"
	"time"
)

// limits bound what clients can hold of a server: without them a client
// (any local process can connect) keeps idle keep-alive connections open
// for ever, and a few dozen of them exhaust the process's file
// descriptors, starving every real request and the session's own STS
// calls.
type limits struct {
	// ReadHeaderTimeout bounds reading a request's headers,
	// ReadTimeout the whole request, IdleTimeout the wait for the next
	// request on a keep-alive connection. There is no write timeout: a
	// response can wait for an MFA code typed on the terminal.
	ReadHeaderTimeout, ReadTimeout, IdleTimeout time.Duration
	// MaxConns is how many connections are open at once; more wait in
	// the kernel's accept queue, holding no descriptor of ours.
	MaxConns int
	// WarnEvery is the least time between two warnings logged; the ones
	// in between are counted in the next.
	WarnEvery time.Duration
	Now       func() time.Time
	// ConnState, when set, is told each connection's state changes
	// (tests wait for a connection to be accepted with it).
	ConnState func(net.Conn, http.ConnState)
}

// maxHeaderBytes bounds a request's headers: a client sends a token of
// 43 characters and a few standard headers.
const maxHeaderBytes = 16 << 10

func defaultLimits() limits {
	return limits{ReadHeaderTimeout: 5 * time.Second, ReadTimeout: 10 * time.Second, IdleTimeout: 30 * time.Second,
		MaxConns: 32, WarnEvery: 10 * time.Second, Now: time.Now}
}

// server returns the HTTP server of h with the limits l. It closes each
// connection after its response: a client asks for credentials once per
// session refresh (minutes to hours), and an idle keep-alive connection in
// each client's pool would hold one of the MaxConns slots while others
// wait.
func (l limits) server(h http.Handler) *http.Server {
	srv := &http.Server{Handler: h, ReadHeaderTimeout: l.ReadHeaderTimeout, ReadTimeout: l.ReadTimeout,
		IdleTimeout: l.IdleTimeout, MaxHeaderBytes: maxHeaderBytes, ConnState: l.ConnState}
	srv.SetKeepAlivesEnabled(false)
	return srv
}

// limitListener returns ln accepting at most n connections at a time
// (golang.org/x/net/netutil.LimitListener, in 40 lines instead of a
// module). full is called each time Accept has to wait for a slot.
func limitListener(ln net.Listener, n int, full func()) net.Listener {
	return &limited{Listener: ln, slots: make(chan struct{}, n), done: make(chan struct{}), full: full}
}

type limited struct {
	net.Listener
	slots     chan struct{}
	done      chan struct{}
	closeOnce sync.Once
	full      func()
}

func (l *limited) Accept() (net.Conn, error) {
	select {
	case l.slots <- struct{}{}:
	default:
		l.full()
		select {
		case l.slots <- struct{}{}:
		case <-l.done:
			return nil, net.ErrClosed
		}
	}
	c, err := l.Listener.Accept()
	if err != nil {
		<-l.slots
		return nil, err
	}
	return &limitedConn{Conn: c, release: sync.OnceFunc(func() { <-l.slots })}, nil
}

func (l *limited) Close() error {
	l.closeOnce.Do(func() { close(l.done) })
	return l.Listener.Close()
}

// limitedConn gives its slot back when closed.
type limitedConn struct {
	net.Conn
	release func()
}

func (c *limitedConn) Close() error {
	err := c.Conn.Close()
	c.release()
	return err
}

// warnLimiter lets one warning through per interval and counts the rest.
// It is safe for concurrent use.
type warnLimiter struct {
	every time.Duration
	now   func() time.Time

	mu      sync.Mutex
	next    time.Time
	dropped int
}

// allow reports whether a warning may be logged now and, if so, how many
// were held back since the last one.
func (w *warnLimiter) allow() (ok bool, dropped int) {
	w.mu.Lock()
	defer w.mu.Unlock()
	t := w.now()
	if t.Before(w.next) {
		w.dropped++
		return false, 0
	}
	dropped, w.dropped, w.next = w.dropped, 0, t.Add(w.every)
	return true, dropped
}
