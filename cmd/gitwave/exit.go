package main

import (
	"errors"
	"fmt"
)

// exitError carries the exit status a command wants, for main to use. A nil
// err means the command has already said everything it had to (as `policy
// can` printing "no"), so main exits with code and prints nothing.
type exitError struct {
	code int
	err  error
}

// exitWith wraps err so that gitwave exits with code. Conventions: 1 for a
// negative answer or problems found in the input, 2 for an error that kept
// the command from answering (bad arguments, unreadable or malformed files).
func exitWith(code int, err error) error {
	return &exitError{code: code, err: err}
}

// Error returns the wrapped error's message, or "" for a quiet exit.
func (e *exitError) Error() string {
	if e.err == nil {
		return ""
	}
	return e.err.Error()
}

// Unwrap returns the wrapped error.
func (e *exitError) Unwrap() error { return e.err }

// exitCode returns the exit status for the error a command returned: 0 for
// nil, the code of an *exitError anywhere in the chain, and 2 for any other
// error.
func exitCode(err error) int {
	if err == nil {
		return 0
	}
	var e *exitError
	if errors.As(err, &e) {
		return e.code
	}
	return 2
}

// usageError marks an error in the command line itself: exit status 2.
func usageError(format string, args ...any) error {
	return exitWith(2, fmt.Errorf(format, args...))
}
