package notify

import (
	"context"
	"fmt"
	"time"

	"github.com/argoproj/notifications-engine/pkg/services"

	"github.com/gitwave/gitwave/backoff"
)

// delivery is one rendered notification for one destination.
type delivery struct {
	scope, key, trigger string
	dest                services.Destination
	notification        services.Notification
}

// enqueue hands d to the workers without waiting: when the queue is full,
// d is dropped and its claim released, so a later pass sends it.
func (e *Engine) enqueue(ctx context.Context, d delivery) {
	e.pending.Add(1)
	select {
	case e.queue <- d:
	default:
		e.pending.Done()
		e.metrics.count(d.dest.Service, "dropped")
		e.release(ctx, d)
		e.log.Warn("notification dropped: the delivery queue is full", "app", d.scope, "trigger", d.trigger, "service", d.dest.Service)
	}
}

// work delivers queued notifications until ctx ends.
func (e *Engine) work(ctx context.Context) {
	defer e.workers.Done()
	for {
		select {
		case <-ctx.Done():
			return
		case d := <-e.queue:
			e.deliver(ctx, d)
			e.pending.Done()
		}
	}
}

// deliver sends d, retrying what can succeed later (5xx, 429, timeouts,
// network errors) with doubling backoff.
func (e *Engine) deliver(ctx context.Context, d delivery) {
	s, ok := e.senders[d.dest.Service]
	if !ok {
		e.fail(ctx, d, fmt.Errorf("notification service %q is not configured", d.dest.Service))
		return
	}
	var err error
	pause := backoff.Schedule{First: e.opts.Backoff, Factor: 2}.Start(e.opts.Clock)
	for attempt := 1; attempt <= e.opts.Attempts; attempt++ {
		actx, cancel := context.WithTimeout(ctx, e.opts.Timeout)
		err = s.send(actx, d.notification, d.dest)
		cancel()
		if err == nil {
			e.metrics.count(d.dest.Service, "sent")
			if err := e.opts.Ledger.ConfirmNotification(context.WithoutCancel(ctx), d.scope, d.key); err != nil {
				e.log.Warn("record notification sent", "app", d.scope, "trigger", d.trigger, "error", err)
			}
			e.log.Info("notification sent", "app", d.scope, "trigger", d.trigger, "service", d.dest.Service, "recipient", d.dest.Recipient)
			return
		}
		if !isRetryable(err) || attempt == e.opts.Attempts {
			break
		}
		e.metrics.count(d.dest.Service, "retried")
		if err := pause.Wait(ctx); err != nil {
			e.fail(context.Background(), d, err)
			return
		}
	}
	e.fail(ctx, d, err)
}

// fail logs and counts a notification that was not delivered and releases
// its claim, as Argo CD forgets a failed send.
func (e *Engine) fail(ctx context.Context, d delivery, err error) {
	e.metrics.count(d.dest.Service, "failed")
	e.release(ctx, d)
	e.log.Warn("notification failed", "app", d.scope, "trigger", d.trigger, "service", d.dest.Service,
		"recipient", d.dest.Recipient, "error", e.cfg.redact.err(err))
}

func (e *Engine) release(ctx context.Context, d delivery) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	defer cancel()
	if err := e.opts.Ledger.ReleaseNotification(ctx, d.scope, d.key); err != nil {
		e.log.Warn("forget notification", "app", d.scope, "trigger", d.trigger, "error", err)
	}
}
