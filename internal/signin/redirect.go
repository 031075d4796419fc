package signin

import (
	"context"
	"fmt"
	"html"
	"net"
	"net/http"
	"strconv"
	"time"
)

// redirect is the loopback listener an authorization code comes back to.
// It is bound before the browser opens, so the URL printed or opened
// always has a listener behind it.
type redirect struct {
	ln   net.Listener
	port int
}

// callbackPath is the path AWS expects of a loopback redirect URI.
const callbackPath = "/oauth/callback"

func listenRedirect() (*redirect, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("listen for the sign-in redirect on 127.0.0.1: %w", err)
	}
	return &redirect{ln: ln, port: ln.Addr().(*net.TCPAddr).Port}, nil
}

// uri is the redirect URI to register and send.
func (r *redirect) uri() string {
	return "http://127.0.0.1:" + strconv.Itoa(r.port) + callbackPath
}

// wait serves the listener until the browser brings a code for state (or
// an error), then closes it. Requests for other paths, or with another
// state (a page that tries to inject its own code), are refused and do
// not end the wait.
func (r *redirect) wait(ctx context.Context, state string) (string, error) {
	type result struct {
		code string
		err  error
	}
	done := make(chan result, 1)
	srv := &http.Server{ReadHeaderTimeout: 10 * time.Second, Handler: http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		q := req.URL.Query()
		switch {
		case req.URL.Path != callbackPath || q.Get("state") != state:
			http.Error(w, "not the sign-in this listener waits for", http.StatusBadRequest)
			return
		case q.Get("error") != "":
			page(w, "Sign-in failed: "+q.Get("error")+" "+q.Get("error_description")+". Return to your terminal.")
			select {
			case done <- result{err: fmt.Errorf("sign-in refused: %s %s", q.Get("error"), q.Get("error_description"))}:
			default:
			}
		case q.Get("code") == "":
			http.Error(w, "no code", http.StatusBadRequest)
		default:
			page(w, "Signed in. You can close this tab and return to your terminal.")
			select {
			case done <- result{code: q.Get("code")}:
			default:
			}
		}
	})}
	go func() { _ = srv.Serve(r.ln) }()
	defer func() {
		// Let the page that answered the browser reach it (Close would cut
		// it off: the person saw a connection error instead of "Signed
		// in"), then stop.
		ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 2*time.Second)
		defer cancel()
		if srv.Shutdown(ctx) != nil {
			_ = srv.Close()
		}
	}()
	select {
	case res := <-done:
		return res.code, res.err
	case <-ctx.Done():
		return "", fmt.Errorf("waiting for the browser's sign-in: %w", ctx.Err())
	}
}

// close releases the listener when no wait took it over.
func (r *redirect) close() { _ = r.ln.Close() }

func page(w http.ResponseWriter, text string) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	_, _ = fmt.Fprintf(w, "<!doctype html><title>awssession</title><p>%s</p>", html.EscapeString(text))
}
