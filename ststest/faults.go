package ststest

import (
	"net/http"
	"time"
)

// Fault makes the server misbehave for the next Count matching requests,
// before it authenticates them: delay them by Latency, then, if Status is
// set, answer with that status and an STS error. Faulted requests are
// recorded like any other.
type Fault struct {
	// Action limits the fault to one operation; "" matches every request.
	Action string
	// Count is how many requests the fault applies to; less than 1 means 1.
	Count int
	// Status is the HTTP status to answer with; 0 lets the request go on
	// after the delay.
	Status int
	// Code and Message are the STS error sent with Status.
	Code, Message string
	// Latency delays the response. The delay ends early when the client
	// gives up (its context deadline) or the server closes.
	Latency time.Duration
}

// Throttle returns a fault that answers the next n requests with
// Throttling (400), which the SDK's standard retryer retries.
func Throttle(n int) Fault {
	return Fault{Count: n, Status: http.StatusBadRequest, Code: "Throttling", Message: "Rate exceeded"}
}

// ServerError returns a fault that answers the next n requests with
// InternalFailure (500), which the SDK's standard retryer retries.
func ServerError(n int) Fault {
	return Fault{Count: n, Status: http.StatusInternalServerError, Code: "InternalFailure",
		Message: "The request processing has failed because of an unknown error, exception or failure."}
}

// Unavailable returns a fault that answers the next n requests with
// ServiceUnavailable (503), which the SDK's standard retryer retries.
func Unavailable(n int) Fault {
	return Fault{Count: n, Status: http.StatusServiceUnavailable, Code: "ServiceUnavailable",
		Message: "The request has failed due to a temporary failure of the server."}
}

// Latency returns a fault that delays the next n requests by d and then
// serves them normally.
func Latency(n int, d time.Duration) Fault { return Fault{Count: n, Latency: d} }

// ForAction returns a copy of f limited to requests for action.
func (f Fault) ForAction(action string) Fault {
	f.Action = action
	return f
}

// InjectFault queues f. Faults apply in the order injected; a request
// takes the first queued fault that matches its Action.
func (s *Server) InjectFault(f Fault) {
	if f.Count < 1 {
		f.Count = 1
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults = append(s.faults, &f)
}

// ClearFaults removes every queued fault.
func (s *Server) ClearFaults() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults = nil
}

// takeFault consumes one use of the first fault matching action.
func (s *Server) takeFault(action string) (Fault, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for i, f := range s.faults {
		if f.Action != "" && f.Action != action {
			continue
		}
		f.Count--
		if f.Count == 0 {
			s.faults = append(s.faults[:i:i], s.faults[i+1:]...)
		}
		return *f, true
	}
	return Fault{}, false
}
