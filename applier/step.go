package applier

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"golang.org/x/sync/errgroup"

	"github.com/gitwave/gitwave/planner"
)

// foundation reports whether an object must exist before the rest of its
// step can be applied: a Namespace or a CRD.
func foundation(o *planner.Object) bool {
	return o.Key.Group == "" && o.Key.Kind == "Namespace" ||
		o.Key.Group == "apiextensions.k8s.io" && o.Key.Kind == "CustomResourceDefinition"
}

// runStep applies one step and waits for it: the step's Namespaces and CRDs
// first, so that the objects they hold can be applied in the same wave.
func (r *run) runStep(ctx context.Context, s planner.Step, sr *StepResult) error {
	r.emit(Event{Type: EventStepStarted, Phase: s.Phase, Wave: s.Wave, Message: fmt.Sprintf("%d objects", len(s.Objects))})
	var first, rest []int
	for i, o := range s.Objects {
		if foundation(o) {
			first = append(first, i)
		} else {
			rest = append(rest, i)
		}
	}
	for _, batch := range [][]int{first, rest} {
		if len(batch) == 0 {
			continue
		}
		if err := r.runBatch(ctx, s, sr, batch); err != nil {
			return err
		}
	}
	r.emit(Event{Type: EventStepDone, Phase: s.Phase, Wave: s.Wave})
	return nil
}

// runBatch applies the objects at idx in parallel (bounded), then waits for
// all of them to be healthy and settles the hooks among them.
func (r *run) runBatch(ctx context.Context, s planner.Step, sr *StepResult, idx []int) error {
	targets := make([]*waitTarget, len(idx))
	errs := make([]error, len(idx))
	var g errgroup.Group
	g.SetLimit(r.m.opts.Concurrency)
	for n, i := range idx {
		g.Go(func() error {
			if ctx.Err() != nil {
				errs[n] = ctx.Err()
				return nil
			}
			targets[n], errs[n] = r.applyOne(ctx, s.Objects[i], &sr.Objects[i])
			return nil
		})
	}
	_ = g.Wait()
	if err := errors.Join(errs...); err != nil {
		return err
	}
	if r.req.DryRun {
		return nil
	}
	r.emit(Event{Type: EventWaiting, Phase: s.Phase, Wave: s.Wave, Message: fmt.Sprintf("waiting for %d objects to be healthy", len(targets))})
	start := r.m.opts.Clock.Now()
	waitErr := r.m.waitHealthy(ctx, slices.DeleteFunc(slices.Clone(targets), isNil), r.timeout)
	r.res.WaitDuration += r.m.opts.Clock.Now().Sub(start)
	for n, i := range idx {
		out := &sr.Objects[i]
		if targets[n] == nil { // a hook that ran before the sync resumed
			continue
		}
		out.Health = targets[n].health
		if wErr, ok := asWaitError(waitErr); ok {
			if h, bad := wErr.Objects[targets[n].key]; bad {
				out.Health, out.Message = h, h.Message
			}
		}
	}
	hookErr := r.settleHooks(ctx, s, sr, idx, targets)
	return errors.Join(waitErr, hookErr)
}

// applyOne applies one object and returns what to wait for.
func (r *run) applyOne(ctx context.Context, o *planner.Object, out *ObjectOutcome) (*waitTarget, error) {
	app := r.req.App
	if r.skipDone(ctx, o, out) {
		return nil, nil
	}
	if o.Hook {
		if err := r.m.beforeHookCreation(ctx, app, o, r.timeout, r.req.DryRun); err != nil {
			out.Action, out.Message = ActionFailed, err.Error()
			return nil, err
		}
	}
	res, err := r.m.applyObject(ctx, app, o, applyOptions{DryRun: r.req.DryRun})
	if res.key.Name != "" {
		out.Key = res.key
	}
	if err != nil {
		out.Action, out.Message = ActionFailed, err.Error()
		return nil, err
	}
	out.Action = res.action
	out.Health = Assess(res.live)
	if !o.Hook {
		r.keep(entryOf(res.live))
	}
	r.emit(Event{Type: EventObjectApplied, Phase: o.Phase, Wave: o.Wave, Key: res.key, Action: res.action, Health: out.Health})
	return &waitTarget{key: res.key, rm: res.rm, health: out.Health}, nil
}

// isNil reports a batch's object that there is nothing to wait for.
func isNil(t *waitTarget) bool { return t == nil }

func asWaitError(err error) (*WaitError, bool) {
	var w *WaitError
	ok := errors.As(err, &w)
	return w, ok
}
