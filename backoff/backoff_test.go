package backoff

import (
	"context"
	"testing"
	"time"
)

func TestScheduleDelay(t *testing.T) {
	tests := []struct {
		name string
		s    Schedule
		want []time.Duration
	}{
		{"converge failed sync: 10s doubling to 10m", Schedule{First: 10 * time.Second, Factor: 2, Max: 10 * time.Minute},
			[]time.Duration{10 * time.Second, 20 * time.Second, 40 * time.Second, 80 * time.Second, 160 * time.Second, 320 * time.Second, 10 * time.Minute, 10 * time.Minute}},
		{"Argo CD retry factor 3", Schedule{First: 5 * time.Second, Factor: 3, Max: time.Minute},
			[]time.Duration{5 * time.Second, 15 * time.Second, 45 * time.Second, time.Minute}},
		{"no cap", Schedule{First: time.Second, Factor: 2},
			[]time.Duration{time.Second, 2 * time.Second, 4 * time.Second, 8 * time.Second}},
		{"first above the cap", Schedule{First: time.Hour, Factor: 2, Max: time.Minute},
			[]time.Duration{time.Minute, time.Minute}},
		{"factor below 1 is constant", Schedule{First: time.Second},
			[]time.Duration{time.Second, time.Second, time.Second}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			run := tt.s.Start(Wall)
			for n, want := range tt.want {
				if got := tt.s.Delay(n); got != want {
					t.Errorf("Delay(%d) = %s, want %s", n, got, want)
				}
				if got := run.Next(); got != want {
					t.Errorf("Next() #%d = %s, want %s", n, got, want)
				}
			}
		})
	}
	if d := (Schedule{First: time.Second, Factor: 2}).Delay(1000); d <= 0 {
		t.Errorf("Delay(1000) without a cap = %s, want a long positive delay", d)
	}
}

// stepClock is a Clock whose After fires at once and records the delay.
type stepClock struct{ waits []time.Duration }

func (c *stepClock) Now() time.Time { return time.Time{} }
func (c *stepClock) After(d time.Duration) <-chan time.Time {
	c.waits = append(c.waits, d)
	ch := make(chan time.Time, 1)
	ch <- time.Time{}
	return ch
}

func TestWaitUsesTheClock(t *testing.T) {
	clock := &stepClock{}
	run := Schedule{First: time.Hour, Factor: 2, Max: 3 * time.Hour}.Start(clock)
	for range 3 {
		if err := run.Wait(t.Context()); err != nil {
			t.Fatal(err)
		}
	}
	want := []time.Duration{time.Hour, 2 * time.Hour, 3 * time.Hour}
	if len(clock.waits) != 3 || clock.waits[0] != want[0] || clock.waits[1] != want[1] || clock.waits[2] != want[2] {
		t.Errorf("waited %v on the clock, want %v", clock.waits, want)
	}
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	if err := (Schedule{First: time.Hour}).Start(Wall).Wait(ctx); err != context.Canceled {
		t.Errorf("Wait on an ended context = %v, want context.Canceled", err)
	}
}
