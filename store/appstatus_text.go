package store

import (
	"fmt"
	"time"
)

// Summary is the last sync as one table cell: "Succeeded 2026-01-02T15:04:05Z"
// (when it finished, or started while it runs), or "-" for none.
func (ls LastSync) Summary() string {
	if ls.Result == "" {
		return "-"
	}
	when := ls.FinishedAt
	if when.IsZero() {
		when = ls.StartedAt
	}
	return ls.Result + " " + when.UTC().Format(time.RFC3339)
}

// RetrySummary is when the next retry runs and which attempt it is, or "-"
// when none is due.
func (st AppStatus) RetrySummary() string {
	if st.NextRetry.IsZero() {
		return "-"
	}
	return fmt.Sprintf("%s (attempt %d)", st.NextRetry.UTC().Format(time.RFC3339), st.Attempts+1)
}

// Reason is why the status is Unknown, else the last sync's message.
func (st AppStatus) Reason() string {
	if st.UnknownReason != "" {
		return st.UnknownReason
	}
	return st.LastSync.Message
}
