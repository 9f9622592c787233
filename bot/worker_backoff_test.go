package bot

import (
	"testing"
	"time"
)

// TestRetryDelaySchedule keeps the retry schedule of a failed job: 5 s
// doubling to 5 min.
func TestRetryDelaySchedule(t *testing.T) {
	for attempt, want := range map[int]time.Duration{
		0: 5 * time.Second, 1: 5 * time.Second, 2: 10 * time.Second, 6: 160 * time.Second,
		7: 5 * time.Minute, 1000: 5 * time.Minute,
	} {
		if got := retryDelay(attempt); got != want {
			t.Errorf("retryDelay(%d) = %s, want %s", attempt, got, want)
		}
	}
}
