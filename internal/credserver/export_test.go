package credserver

import "time"

// SetGrace shortens how long Close waits, for tests.
func SetGrace(s *Server, d time.Duration) { s.grace = d }
