package applier

import (
	"context"
	"fmt"
	"log/slog"
	"slices"

	"github.com/gitwave/gitwave/planner"
)

// hookID names a hook of a sync the same way in every replica: its phase,
// wave and resource, with the generateName of a hook that has no name.
func hookID(o *planner.Object) string {
	key := o.Key
	if name := o.Manifest.GetName(); name == "" {
		key.Name = o.Manifest.GetGenerateName() + "*"
	}
	return fmt.Sprintf("%s/%d/%s", o.Phase, o.Wave, key)
}

// hooksDone reads the hooks a stopped worker ran to success in sync id.
func (m *Manager) hooksDone(ctx context.Context, id int64) (map[string]bool, error) {
	hooks, err := m.opts.Store.SucceededHooks(ctx, id)
	if err != nil {
		return nil, err
	}
	done := make(map[string]bool, len(hooks))
	for _, h := range hooks {
		done[h] = true
	}
	return done, nil
}

// hookSucceeded records in the store that o ran to success in this attempt,
// so that a replica resuming the sync after this worker stops does not run
// it again. A record that cannot be written is logged: the sync goes on,
// and a resumed sync would run the hook again, as it did before.
func (r *run) hookSucceeded(ctx context.Context, o *planner.Object) {
	if r.m.opts.Store == nil || r.id == 0 || r.req.DryRun {
		return
	}
	if err := r.m.opts.Store.HookSucceeded(ctx, r.id, hookID(o)); err != nil {
		slog.Warn("record a finished hook", "app", r.req.App.Name, "cluster", r.m.opts.Cluster, "hook", hookID(o), "err", err)
	}
}

// skipDone reports whether o is a hook that the worker which began this
// resumed sync already ran to success, and if so records it as such in out
// and applies its HookSucceeded delete policy (the worker may have stopped
// before deleting it). Argo CD's resumed operation does the same from its
// operation state: a finished hook is not run twice (a migration, say).
func (r *run) skipDone(ctx context.Context, o *planner.Object, out *ObjectOutcome) bool {
	if !o.Hook || !r.hooksDone[hookID(o)] {
		return false
	}
	out.Action, out.Health = ActionHookSucceeded, Health{Status: Healthy}
	out.Message = "succeeded before the sync was resumed; not run again"
	r.emit(Event{Type: EventHookDone, Phase: o.Phase, Wave: o.Wave, Key: out.Key, Action: out.Action, Health: out.Health, Message: out.Message})
	if !slices.Contains(o.DeletePolicies, policyHookSucceeded) || o.Manifest.GetName() == "" {
		return true
	}
	u, rm, err := r.m.prepare(ctx, r.req.App, o)
	if err == nil {
		_, err = r.m.deleteObject(ctx, rm, planner.KeyOf(u))
	}
	if err != nil {
		out.Message += "; " + policyHookSucceeded + " delete policy: " + err.Error()
	}
	return true
}

// retrying begins a retry: like Argo CD's retried operation it runs every
// hook again, so the hooks the last attempt (or a stopped worker) finished
// are forgotten, here and in the store.
func (r *run) retrying(ctx context.Context) {
	r.hooksDone = nil
	if r.m.opts.Store == nil || r.id == 0 {
		return
	}
	if err := r.m.opts.Store.ClearHooks(ctx, r.id); err != nil {
		slog.Warn("forget the finished hooks before a retry", "app", r.req.App.Name, "cluster", r.m.opts.Cluster, "err", err)
	}
}
