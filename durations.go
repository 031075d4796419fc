package awssession

// DurationPolicy says what CreateSession does with a role duration that STS
// would refuse: more than 1 h for a chained role (a role assumed with
// temporary credentials: another role's, or GetSessionToken's).
type DurationPolicy int

const (
	// RefuseDurations makes CreateSession return an [ErrInvalidInput] error
	// that names the hop and the limit. It is the default: a session that
	// silently ends hours before the caller planned is worse than an error.
	RefuseDurations DurationPolicy = iota
	// ClampDurations lowers the duration to the limit and logs why at info
	// level.
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
