package ui

import (
	"fmt"
	"strings"
	"time"
)

// short is a revision's first 7 characters, as Git hosts show them.
func short(rev string) string {
	if len(rev) > 7 {
		return rev[:7]
	}
	return rev
}

// stamp is t in UTC, to the second; "" for the zero time.
func stamp(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format("2006-01-02 15:04:05Z")
}

// ago says how long before now t was, coarsely ("3m ago").
func ago(now, t time.Time) string {
	return span(now.Sub(t)) + " ago"
}

// until says how long after now t is ("in 40s"), or "now" when due.
func until(now, t time.Time) string {
	d := t.Sub(now)
	if d <= 0 {
		return "now"
	}
	return "in " + span(d)
}

func span(d time.Duration) string {
	switch {
	case d < 0:
		d = 0
		fallthrough
	case d < time.Minute:
		return fmt.Sprintf("%ds", int(d/time.Second))
	case d < time.Hour:
		return fmt.Sprintf("%dm", int(d/time.Minute))
	case d < 48*time.Hour:
		return fmt.Sprintf("%dh", int(d/time.Hour))
	default:
		return fmt.Sprintf("%dd", int(d/(24*time.Hour)))
	}
}

// statusClass is the CSS class of a sync, health or phase word.
func statusClass(s string) string {
	switch s {
	case "Synced", "Healthy", "Succeeded":
		return "ok"
	case "OutOfSync", "Progressing", "Suspended", "Running":
		return "warn"
	case "Degraded", "Missing", "Failed", "Error", "Refused":
		return "bad"
	default:
		return "unknown"
	}
}

// lower is strings.ToLower, for templates.
func lower(s string) string { return strings.ToLower(s) }
