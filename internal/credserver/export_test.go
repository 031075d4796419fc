package credserver

import (
	"log/slog"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
)

// SetGrace shortens how long Close waits, for tests.
func SetGrace(s *Server, d time.Duration) { s.grace = d }

// Limits are the server's limits, for tests to set.
type Limits = limits

// DefaultLimits returns the limits Start uses.
func DefaultLimits() Limits { return defaultLimits() }

// StartWithLimits is Start on 127.0.0.1:0 with lim.
func StartWithLimits(provider aws.CredentialsProvider, log *slog.Logger, lim Limits) (*Server, error) {
	ln, err := Listen("")
	if err != nil {
		return nil, err
	}
	return start(ln, provider, log, lim)
}
