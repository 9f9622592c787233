package ui

import (
	"regexp"
	"strings"

	"github.com/gitwave/gitwave/store"
)

// The store keeps no Secret data, but the messages it keeps are the
// clusters' and hooks' own words, and an API server's validation error
// quotes the value it refused ("data[password]: Invalid value: \"…\"").
// The page never shows such a value.
var (
	invalidValue = regexp.MustCompile(`(Invalid value: )("(?:[^"\\]|\\.)*"|\S+)`)
	quoted       = regexp.MustCompile(`"(?:[^"\\]|\\.)*"`)
)

// masked replaces a hidden value.
const masked = `"***"`

// redact hides the values that validation errors quote in msg and, in a
// message about a Secret, every quoted string.
func redact(msg string) string {
	if strings.Contains(msg, "Invalid value") {
		msg = invalidValue.ReplaceAllString(msg, "${1}"+masked)
	}
	if strings.Contains(msg, "Secret") {
		msg = quoted.ReplaceAllString(msg, masked)
	}
	return msg
}

// redactObject hides every quoted string but the object's own name in the
// message about a Secret, whose fields are all values worth hiding.
func redactObject(o store.ObjectResult) string {
	if o.Kind != "Secret" {
		return redact(o.Message)
	}
	msg := invalidValue.ReplaceAllString(o.Message, "${1}"+masked)
	return quoted.ReplaceAllStringFunc(msg, func(q string) string {
		if q == `"`+o.Name+`"` {
			return q
		}
		return masked
	})
}
