package notify

import (
	"io"
	"log/slog"
	"sync"
	"testing"
	"time"
)

// recordingClock fires every wait at once and records its length.
type recordingClock struct {
	mu    sync.Mutex
	waits []time.Duration
}

func (c *recordingClock) Now() time.Time { return time.Now() }

func (c *recordingClock) After(d time.Duration) <-chan time.Time {
	c.mu.Lock()
	c.waits = append(c.waits, d)
	c.mu.Unlock()
	ch := make(chan time.Time, 1)
	ch <- time.Now()
	return ch
}

// TestDeliverBacksOffOnTheInjectedClock retries a webhook answering 5xx
// with an hour's backoff: the waits run on the engine's clock, so the
// delivery ends at once, and they double as before.
func TestDeliverBacksOffOnTheInjectedClock(t *testing.T) {
	hook := newFakeHTTP(t, "", 500, 502)
	clock := &recordingClock{}
	e, err := New(webhookConfig(t, hook.URL), Options{Ledger: openStore(t), Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
		StatusURL: "https://gitwave.example/status", Backoff: time.Hour, Timeout: 2 * time.Second, Clock: clock})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(e.Close)
	e.Observe(t.Context(), AppState{}, paymentService(subscribe("on-sync-failed.deploys", "")))
	drain(t, e) // fails after 10 s if a wait ran on the wall clock

	if n := len(hook.requests()); n != 3 {
		t.Fatalf("webhook got %d requests; want 3 (two 5xx answers retried, then 200)", n)
	}
	clock.mu.Lock()
	defer clock.mu.Unlock()
	if len(clock.waits) != 2 || clock.waits[0] != time.Hour || clock.waits[1] != 2*time.Hour {
		t.Errorf("waited %v on the clock; want [1h0m0s 2h0m0s]", clock.waits)
	}
}
