package awssession

// DurationPolicy says what a session does with a role duration that STS
// would refuse: more than 1 h for a chained role (a role assumed with
// temporary credentials: another role's, or GetSessionToken's), known
// before any call, or more than the role's MaxSessionDuration, which only
// STS knows.
type DurationPolicy int

const (
	// RefuseDurations makes CreateSession return an [ErrInvalidInput] error
	// that names the hop and the chaining limit, and passes STS's refusal
	// of a duration over the role's maximum on to the caller. It is the
	// default: a session that silently ends hours before the caller planned
	// is worse than an error.
	RefuseDurations DurationPolicy = iota
	// ClampDurations lowers a chained role's duration to 1 h before the
	// call, and retries a role STS refused for exceeding its maximum at
	// 1 h (the least any role allows), logging why at info level. A retry
	// with MFA needs a fresh code.
	ClampDurations
)

func (p DurationPolicy) String() string {
	if p == ClampDurations {
		return "clamp"
	}
	return "refuse"
}

func (p DurationPolicy) apply(o *options) { o.durations = p }

// WithDurationPolicy chooses what happens to role durations over the 1 h
// chaining limit; the default is [RefuseDurations]. A DurationPolicy is
// itself an [Option].
func WithDurationPolicy(p DurationPolicy) Option { return p }
