// Package backoff is gitwave's one exponential backoff: delays that grow
// by a factor up to a cap, computed by k8s.io/apimachinery's wait.Backoff,
// and waits that run on an injectable Clock so that tests control time.
// Every retry and poll loop of applier, notify and store waits through it,
// and the retry schedules of bot and reconcile are computed by it.
package backoff

import (
	"context"
	"math"
	"time"

	"k8s.io/apimachinery/pkg/util/wait"
)

// Clock tells the time and waits. Tests replace it to run backoffs
// instantly or step by step.
type Clock interface {
	// Now returns the current time.
	Now() time.Time
	// After returns a channel that receives once d has passed.
	After(d time.Duration) <-chan time.Time
}

// Wall is the real clock.
var Wall Clock = wallClock{}

type wallClock struct{}

func (wallClock) Now() time.Time                         { return time.Now() }
func (wallClock) After(d time.Duration) <-chan time.Time { return time.After(d) }

// Schedule is a sequence of delays: First, then each delay times Factor,
// never more than Max.
type Schedule struct {
	// First is the first delay.
	First time.Duration
	// Factor multiplies each delay to give the next; below 1 means 1
	// (constant delays).
	Factor float64
	// Max caps every delay, the first included; zero means no cap.
	Max time.Duration
}

// forever is a delay past which a schedule without a cap stops growing.
const forever = 100 * 365 * 24 * time.Hour

// steps returns the apimachinery Backoff that yields s's delays.
func (s Schedule) steps() wait.Backoff {
	return wait.Backoff{Duration: s.First, Factor: max(s.Factor, 1), Cap: s.Max, Steps: math.MaxInt32}
}

// capped applies Max to d and keeps an overflowed delay at the longest
// time.Duration.
func (s Schedule) capped(d time.Duration) time.Duration {
	if d < 0 {
		d = math.MaxInt64
	}
	if s.Max > 0 {
		return min(d, s.Max)
	}
	return d
}

// Delay returns the delay after failure number n, counted from 0:
// First × Factorⁿ, capped at Max.
func (s Schedule) Delay(n int) time.Duration {
	b := s.steps()
	d := b.Step()
	for i := 0; i < n; i++ {
		switch {
		case b.Steps == 0: // capped: every later delay is the cap
			return s.capped(b.Duration)
		case d < 0 || d > forever:
			return s.capped(math.MaxInt64)
		}
		d = b.Step()
	}
	return s.capped(d)
}

// Start begins a run of waits on clock along s.
func (s Schedule) Start(clock Clock) *Backoff {
	if clock == nil {
		clock = Wall
	}
	return &Backoff{clock: clock, schedule: s, steps: s.steps()}
}

// Backoff is one run of growing waits. It is not safe for concurrent use.
type Backoff struct {
	clock    Clock
	schedule Schedule
	steps    wait.Backoff
}

// Next returns the next delay and moves past it without waiting.
func (b *Backoff) Next() time.Duration {
	return b.schedule.capped(b.steps.Step())
}

// Wait waits the next delay on the clock. It returns ctx.Err() when ctx
// ends first.
func (b *Backoff) Wait(ctx context.Context) error {
	d := b.Next()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-b.clock.After(d):
		return nil
	}
}

// Timer moves past the next delay and returns a channel that receives once
// it has passed on the clock: Wait for a select that also waits on other
// events.
func (b *Backoff) Timer() <-chan time.Time { return b.clock.After(b.Next()) }

// Now returns the time on the run's clock.
func (b *Backoff) Now() time.Time { return b.clock.Now() }
