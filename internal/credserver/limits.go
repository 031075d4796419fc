package credserver

import (
	"container/list"
	"context"
	"net"
	"net/http"
	"sync"
	"sync/atomic"
	"time"
)

// limits bound what clients can hold of a server: any local process can
// connect, and without them it could keep idle connections open for ever
// (a few dozen exhaust the process's file descriptors) or fill the
// connection slots so that no real request is accepted.
type limits struct {
	// ReadHeaderTimeout bounds reading a request's headers,
	// ReadTimeout the whole request, IdleTimeout the wait for the next
	// request on a keep-alive connection. There is no write timeout: a
	// response can wait for an MFA code typed on the terminal.
	ReadHeaderTimeout, ReadTimeout, IdleTimeout time.Duration
	// MaxConns is how many connections are served at once. A new one
	// beyond it takes the slot of the oldest connection that has not
	// delivered a complete request (see limited); only when every slot
	// serves a request does it wait (and the ones after it in the
	// kernel's accept queue).
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
// each client's pool would hold one of the MaxConns slots. Each
// connection is marked busy (see limitedConn.serving) once its request
// reaches the handler, so that only connections that have not delivered
// one are ever dropped for a new one.
func (l limits) server(h http.Handler) *http.Server {
	srv := &http.Server{ReadHeaderTimeout: l.ReadHeaderTimeout, ReadTimeout: l.ReadTimeout,
		IdleTimeout: l.IdleTimeout, MaxHeaderBytes: maxHeaderBytes, ConnState: l.ConnState,
		ConnContext: func(ctx context.Context, c net.Conn) context.Context { return context.WithValue(ctx, connKey{}, c) },
		Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if c, ok := r.Context().Value(connKey{}).(*limitedConn); ok && !c.serving() {
				return // dropped for a newer connection as the request arrived
			}
			h.ServeHTTP(w, r)
		})}
	srv.SetKeepAlivesEnabled(false)
	return srv
}

// connKey is the context key of a request's connection.
type connKey struct{}

// limitListener returns ln holding at most n connections at a time. When
// all n are taken, Accept drops the oldest connection that has not
// delivered a complete request (an idle client's, or one that sends its
// headers slowly), so that a client that holds many connections and sends
// nothing cannot keep a real request from being accepted; only when all n
// are serving requests does Accept wait. full is called each time Accept
// drops a connection (dropped) or waits.
func limitListener(ln net.Listener, n int, full func(dropped bool)) net.Listener {
	return &limited{Listener: ln, slots: make(chan struct{}, n), done: make(chan struct{}), full: full, conns: list.New()}
}

type limited struct {
	net.Listener
	slots     chan struct{}
	done      chan struct{}
	closeOnce sync.Once
	full      func(dropped bool)

	mu    sync.Mutex
	conns *list.List // of *limitedConn, oldest first
}

// evictGrace is how long a new connection has to send its request before
// it may be dropped for a newer one. Without it a flood of connections
// (another process reopening each one dropped) cycled the slots faster
// than a real client's first write, and dropped it unheard; with it the
// slots turn over at most MaxConns times per evictGrace (320 a second at
// the defaults), so a request queued behind 1,000 idle connections waits
// about 3 s.
const evictGrace = 100 * time.Millisecond

// Accept accepts a connection, then finds it a slot: a connection waits
// for one (the only connection of ours held beyond n) only when every
// slot serves a request, or while the connections it could take a slot
// from are younger than evictGrace.
func (l *limited) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	if err := l.slot(); err != nil {
		_ = c.Close()
		return nil, err
	}
	lc := &limitedConn{Conn: c, l: l, accepted: time.Now()}
	lc.release = sync.OnceFunc(func() {
		l.mu.Lock()
		l.conns.Remove(lc.elem)
		l.mu.Unlock()
		<-l.slots
	})
	l.mu.Lock()
	lc.elem = l.conns.PushBack(lc)
	l.mu.Unlock()
	return lc, nil
}

// slot takes a slot for a new connection, dropping an old one that has
// not delivered a request if it must.
func (l *limited) slot() error {
	warned := false
	for {
		select {
		case l.slots <- struct{}{}:
			return nil
		default:
		}
		victim, wait := l.oldestWaiting(time.Now())
		if victim != nil {
			l.full(true)
			_ = victim.Close() // gives its slot back
			continue
		}
		if wait == 0 && !warned {
			l.full(false)
			warned = true
		}
		taken, err := l.waitSlot(wait)
		if taken || err != nil {
			return err
		}
	}
}

// waitSlot waits for a free slot and takes it, for at most wait (0: for as
// long as it takes).
func (l *limited) waitSlot(wait time.Duration) (taken bool, err error) {
	var timeout <-chan time.Time
	if wait > 0 {
		t := time.NewTimer(wait)
		defer t.Stop()
		timeout = t.C
	}
	select {
	case l.slots <- struct{}{}:
		return true, nil
	case <-timeout:
		return false, nil
	case <-l.done:
		return false, net.ErrClosed
	}
}

// oldestWaiting returns the connection to drop for a new one, marked so
// that its request never reaches the handler, or nil: the oldest that has
// sent nothing (an idle client's; bytes waiting unread count as sent),
// else the oldest whose request has not reached the handler yet (one that
// sends its headers slowly). A connection that has sent its request is
// thus never dropped while another sits idle, however fast idle ones
// arrive, and none is dropped younger than evictGrace: then wait says
// when the first will be old enough.
func (l *limited) oldestWaiting(now time.Time) (victim *limitedConn, wait time.Duration) {
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, silentOnly := range []bool{true, false} {
		for e := l.conns.Front(); e != nil; e = e.Next() {
			c := e.Value.(*limitedConn)
			if c.busy || c.dropped || (silentOnly && c.spoken()) {
				continue
			}
			if age := now.Sub(c.accepted); age < evictGrace {
				return nil, evictGrace - age // the oldest candidate: the others are younger
			}
			c.dropped = true
			return c, 0
		}
	}
	return nil, 0
}

func (l *limited) Close() error {
	l.closeOnce.Do(func() { close(l.done) })
	return l.Listener.Close()
}

// limitedConn gives its slot back when closed.
type limitedConn struct {
	net.Conn
	l       *limited
	elem    *list.Element
	release func()
	// busy: its request reached the handler; dropped: Accept closes it
	// for a newer connection. Both are guarded by l.mu.
	busy, dropped bool
	spoke         atomic.Bool // it has sent bytes
	accepted      time.Time
}

// Read marks c as having spoken once it delivers its first bytes.
func (c *limitedConn) Read(b []byte) (int, error) {
	n, err := c.Conn.Read(b)
	if n > 0 && !c.spoke.Load() {
		c.spoke.Store(true)
	}
	return n, err
}

// spoken reports whether c's client has sent bytes: read by the server,
// or waiting in the socket for its goroutine to run (a flood of new
// connections can come faster than that).
func (c *limitedConn) spoken() bool {
	if c.spoke.Load() {
		return true
	}
	if hasPending(c.Conn) {
		c.spoke.Store(true)
		return true
	}
	return false
}

// serving marks c busy, unless it is being dropped: false then.
func (c *limitedConn) serving() bool {
	c.l.mu.Lock()
	defer c.l.mu.Unlock()
	if c.dropped {
		return false
	}
	c.busy = true
	return true
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
