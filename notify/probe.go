package notify

import (
	"context"
	"fmt"
	"strings"

	"github.com/argoproj/notifications-engine/pkg/services"
)

// Probe is what Engine.Test did for one condition and destination.
type Probe struct {
	// Condition is the trigger's condition index; Holds whether its when
	// expression is true for the app now.
	Condition int
	Holds     bool
	Dest      services.Destination
	// Message is the rendered message; Err what failed (rendering or
	// sending), secrets redacted.
	Message string
	Err     error
}

// Test renders trigger's templates for the app × cluster st and sends them
// at once to the destinations subscribed to trigger (or to, when given),
// whether or not the condition holds and whether or not it was sent
// before, as `argocd admin notifications template notify` does. The
// ledger is neither read nor written.
func (e *Engine) Test(ctx context.Context, trigger string, st AppState, to ...services.Destination) ([]Probe, error) {
	conds, ok := e.cfg.Triggers[trigger]
	if !ok {
		return nil, fmt.Errorf("trigger %q is not configured (known: %s)", trigger, strings.Join(sortedKeys(e.cfg.Triggers), ", "))
	}
	app := st.Application()
	if len(to) == 0 {
		to = e.destinations(app)[trigger]
	}
	if len(to) == 0 {
		return nil, fmt.Errorf("%s is not subscribed to %s: give a recipient or add notifications.argoproj.io/subscribe.%s.SERVICE", st.App, trigger, trigger)
	}
	vars := e.vars(app)
	results, err := e.cfg.triggers.Run(trigger, vars)
	if err != nil {
		return nil, fmt.Errorf("trigger %s: %w", trigger, err)
	}
	var out []Probe
	for i, cr := range results {
		for _, d := range to {
			p := Probe{Condition: i, Holds: cr.Triggered, Dest: d}
			n, err := e.render(vars, conds[i].Send, d)
			if err == nil {
				p.Message = n.Message
				err = e.sendNow(ctx, *n, d)
			}
			p.Err = e.cfg.redact.err(err)
			out = append(out, p)
		}
	}
	return out, nil
}

// sendNow sends one notification within the engine's timeout, once.
func (e *Engine) sendNow(ctx context.Context, n services.Notification, d services.Destination) error {
	s, ok := e.senders[d.Service]
	if !ok {
		return fmt.Errorf("notification service %q is not configured", d.Service)
	}
	ctx, cancel := context.WithTimeout(ctx, e.opts.Timeout)
	defer cancel()
	return s.send(ctx, n, d)
}
