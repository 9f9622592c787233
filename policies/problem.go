package policies

import (
	"fmt"
	"io"
)

// Severity says whether a Problem stops a policy file from being used.
type Severity string

const (
	// SeverityError marks a malformed line. A file with one is not loaded:
	// no grants apply until it is fixed.
	SeverityError Severity = "error"
	// SeverityWarning marks a well-formed line that has no effect in gitwave,
	// such as an Argo CD grant on projects or on an action gitwave never asks
	// for. The file still loads.
	SeverityWarning Severity = "warning"
)

// Problem is one thing wrong with one line of a policy file. Line is 1-based;
// Line 0 is a problem with the options, such as an undefined default role,
// and sorts after every line.
type Problem struct {
	Line     int
	Text     string // the line as written
	Message  string
	Severity Severity
}

// String formats the problem as "line N: severity: message".
func (p Problem) String() string {
	if p.Line == 0 {
		return fmt.Sprintf("policy.default: %s: %s", p.Severity, p.Message)
	}
	return fmt.Sprintf("line %d: %s: %s", p.Line, p.Severity, p.Message)
}

// MalformedError is returned by Load for a policy file with at least one
// malformed line. Problems holds only the errors, in line order.
type MalformedError struct {
	File     string
	Problems []Problem
}

// Error names the file and the first malformed line.
func (e *MalformedError) Error() string {
	first := e.Problems[0]
	where := fmt.Sprintf(" at line %d", first.Line)
	if first.Line == 0 {
		where = ""
	}
	msg := fmt.Sprintf("policy file %s is malformed%s: %s", e.File, where, first.Message)
	if more := len(e.Problems) - 1; more > 0 {
		msg += fmt.Sprintf(" (and %d more %s)", more, plural(more, "problem", "problems"))
	}
	return msg
}

// WriteProblems writes problems as a compiler would, one per entry:
// "FILE:LINE: severity: message" followed by the offending line, indented.
func WriteProblems(w io.Writer, file string, problems []Problem) error {
	for _, p := range problems {
		var err error
		if p.Line == 0 {
			_, err = fmt.Fprintf(w, "%s: %s: %s\n", file, p.Severity, p.Message)
		} else {
			_, err = fmt.Fprintf(w, "%s:%d: %s: %s\n\t%s\n", file, p.Line, p.Severity, p.Message, p.Text)
		}
		if err != nil {
			return fmt.Errorf("write problems of %s: %w", file, err)
		}
	}
	return nil
}

// HasErrors reports whether any problem is an error rather than a warning.
func HasErrors(problems []Problem) bool {
	for _, p := range problems {
		if p.Severity == SeverityError {
			return true
		}
	}
	return false
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}
