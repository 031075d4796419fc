package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"sync"
)

// sessionLogger is the session's logger: the run's debug log with
// --debug, nothing with --silent, else notes: info and warning lines (the
// wait for a fresh MFA code) as one "awssession: ..." line each, without
// the attributes a debug log has.
func (c *cli) sessionLogger() *slog.Logger {
	if c.debug || c.silent {
		return c.logger()
	}
	return slog.New(&noteHandler{w: c.stderr, mu: new(sync.Mutex)})
}

// noteHandler prints records at info level and above as notes. It is
// safe for concurrent use.
type noteHandler struct {
	w  io.Writer
	mu *sync.Mutex
}

func (h *noteHandler) Enabled(_ context.Context, l slog.Level) bool { return l >= slog.LevelInfo }

func (h *noteHandler) Handle(_ context.Context, r slog.Record) error {
	line := r.Message
	r.Attrs(func(a slog.Attr) bool {
		if a.Key == "error" {
			line += ": " + a.Value.String()
		}
		return true
	})
	h.mu.Lock()
	defer h.mu.Unlock()
	_, err := fmt.Fprintf(h.w, "awssession: %s\n", line)
	return err
}

func (h *noteHandler) WithAttrs([]slog.Attr) slog.Handler { return h }
func (h *noteHandler) WithGroup(string) slog.Handler      { return h }
