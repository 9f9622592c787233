package reconcile

import (
	"testing"
	"time"
)

// TestBackoffSchedule keeps the failed-sync schedule of an automated app:
// 10 s doubling to 10 min.
func TestBackoffSchedule(t *testing.T) {
	for attempts, want := range map[int]time.Duration{
		0: 10 * time.Second, 1: 10 * time.Second, 2: 20 * time.Second, 6: 320 * time.Second,
		7: 10 * time.Minute, 100: 10 * time.Minute,
	} {
		if got := Backoff(attempts); got != want {
			t.Errorf("Backoff(%d) = %s, want %s", attempts, got, want)
		}
	}
}
