package awssession

import (
	"errors"
	"fmt"
)

// Sentinel errors. Match them with [errors.Is].
var (
	// ErrInvalidInput reports an option or value that cannot work. The
	// concrete error is an [*InputError] naming the field.
	ErrInvalidInput = errors.New("invalid input")
	// ErrConflictingOptions reports options that cannot be used together.
	// Errors matching it also match ErrInvalidInput.
	ErrConflictingOptions = errors.New("conflicting options")
	// ErrMFATokenUsed is returned by a [StaticToken] provider asked for a
	// second code: STS accepts each code once, so sending it again would
	// only fail.
	ErrMFATokenUsed = errors.New("MFA token code already used")
	// ErrMFAFailed reports that STS rejected an MFA code or serial. The
	// concrete error is an [*MFAError].
	ErrMFAFailed = errors.New("MFA authentication failed")
)

// InputError describes one invalid input. It never holds a secret value.
type InputError struct {
	// Field names the option or parameter, e.g. "AssumeRole[1].RoleARN".
	Field string
	// Reason says what is wrong and, where it helps, what to do.
	Reason string

	conflict bool
}

func (e *InputError) Error() string {
	kind := "invalid input"
	if e.conflict {
		kind = "conflicting options"
	}
	return fmt.Sprintf("awssession: %s: %s: %s", kind, e.Field, e.Reason)
}

// Is reports whether target is [ErrInvalidInput], or [ErrConflictingOptions]
// for a conflict.
func (e *InputError) Is(target error) bool {
	return target == ErrInvalidInput || (e.conflict && target == ErrConflictingOptions)
}

func invalid(field, format string, args ...any) *InputError {
	return &InputError{Field: field, Reason: fmt.Sprintf(format, args...)}
}

func conflict(field, format string, args ...any) *InputError {
	return &InputError{Field: field, Reason: fmt.Sprintf(format, args...), conflict: true}
}

// MFAError reports an MFA code or device that STS refused. It unwraps to
// both [ErrMFAFailed] and the STS error, so errors.As with
// smithy.APIError still finds the STS code and message.
type MFAError struct {
	// SerialNumber is the MFA device that was used.
	SerialNumber string
	// Hint names the likely cause.
	Hint string
	// Err is the STS error.
	Err error
}

func (e *MFAError) Error() string {
	return fmt.Sprintf("MFA with %s refused (%s): %v", e.SerialNumber, e.Hint, e.Err)
}

// Unwrap returns [ErrMFAFailed] and the STS error.
func (e *MFAError) Unwrap() []error { return []error{ErrMFAFailed, e.Err} }
