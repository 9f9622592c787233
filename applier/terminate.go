package applier

import (
	"context"
	"errors"
	"log/slog"
	"time"
)

// terminatePoll is how often a running sync asks the store whether someone
// asked it to stop (/terminate, gitwave terminate).
const terminatePoll = time.Second

// TerminatedError is the cause of a sync stopped on request.
type TerminatedError struct {
	// By names who asked.
	By string
}

// Error says who terminated the sync.
func (e *TerminatedError) Error() string {
	if e.By == "" {
		return "terminated on request"
	}
	return "terminated by " + e.By
}

// watchTerminate returns a context that is cancelled, with a
// *TerminatedError as its cause, once the store records a request to stop
// sync id, and a function that stops watching. The sync then stops at its
// next safe point: between objects, or in a wait.
func (m *Manager) watchTerminate(ctx context.Context, id int64) (context.Context, func()) {
	if m.opts.Store == nil || id == 0 {
		return ctx, func() {}
	}
	ctx, cancel := context.WithCancelCause(ctx)
	done := make(chan struct{})
	go func() {
		for {
			select {
			case <-ctx.Done():
				return
			case <-done:
				return
			case <-time.After(terminatePoll):
			}
			by, requested, err := m.opts.Store.TerminateRequested(ctx, id)
			if err != nil && ctx.Err() == nil {
				slog.Warn("poll terminate request", "sync", id, "cluster", m.opts.Cluster, "err", err)
			}
			if requested {
				cancel(&TerminatedError{By: by})
				return
			}
		}
	}()
	return ctx, func() { close(done); cancel(nil) }
}

// terminatedBy returns the TerminatedError that stopped ctx, if any.
func terminatedBy(ctx context.Context) (*TerminatedError, bool) {
	var te *TerminatedError
	ok := errors.As(context.Cause(ctx), &te)
	return te, ok
}
