package applier

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"golang.org/x/sync/errgroup"
	"k8s.io/apimachinery/pkg/api/meta"
	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/gitwave/gitwave/planner"
)

// pruneCandidate is an object of the previous inventory that is no longer
// desired and still carries this app's tracking id.
type pruneCandidate struct {
	obj *planner.Object
	rm  *meta.RESTMapping
	out ObjectOutcome
}

// prune deletes what the previous inventory holds and this sync did not
// apply: in reverse sync order (the last wave first), PruneLast objects
// after all others, one wave at a time, each waited for until gone. Objects
// marked Prune=false, and all of them when the request does not ask to
// prune, are kept and reported as pruneSkipped; they stay in the inventory.
// Objects whose tracking id names another app are never touched.
func (r *run) prune(ctx context.Context) ([]ObjectOutcome, error) {
	if r.m.opts.Store == nil {
		return nil, nil
	}
	_, old, err := r.m.opts.Store.Inventory(ctx, r.req.App.Name, r.m.opts.Cluster)
	if err != nil {
		return nil, fmt.Errorf("read inventory: %w", err)
	}
	var outcomes []ObjectOutcome
	var now, last []pruneCandidate
	for _, e := range old {
		key := planner.ResourceKey{Group: e.Group, Kind: e.Kind, Namespace: e.Namespace, Name: e.Name}
		if _, desired := r.applied[key]; desired {
			continue
		}
		c, keep, err := r.pruneCandidate(ctx, e, key)
		if err != nil {
			return outcomes, err
		}
		switch {
		case c == nil:
			continue
		case keep != "":
			c.out.Action, c.out.Message = ActionPruneSkipped, keep
			if ownedBy(c.obj.Manifest, r.req.App.Name) {
				r.keep(e)
			}
			outcomes = append(outcomes, c.out)
			r.emit(Event{Type: EventPruned, Key: key, Action: ActionPruneSkipped, Message: keep})
		case hasOption(r.req.App, c.obj, optPruneLast):
			last = append(last, *c)
		default:
			now = append(now, *c)
		}
	}
	for _, group := range append(pruneWaves(now), pruneWaves(last)...) {
		done, err := r.pruneGroup(ctx, group)
		outcomes = append(outcomes, done...)
		if err != nil {
			return outcomes, err
		}
	}
	return outcomes, nil
}

// pruneCandidate reads the live object of an inventory entry. It returns
// nil when the object is gone, and a reason to keep it when it must not be
// pruned.
func (r *run) pruneCandidate(ctx context.Context, e InventoryEntry, key planner.ResourceKey) (*pruneCandidate, string, error) {
	gvk := schema.GroupVersionKind{Group: e.Group, Version: e.Version, Kind: e.Kind}
	rm, err := r.m.mapping(ctx, gvk)
	if meta.IsNoMatchError(err) {
		return nil, "", nil // its CRD is gone, and the object with it
	}
	if err != nil {
		return nil, "", fmt.Errorf("%s: prune: %w", key, err)
	}
	live, err := r.m.getLive(ctx, rm, key)
	if err != nil {
		return nil, "", fmt.Errorf("%s: prune: read live object: %w", key, err)
	}
	if live == nil {
		return nil, "", nil
	}
	o, err := planner.NewObject(live, "", 0)
	if err != nil {
		o = &planner.Object{Key: key, Version: live.GetAPIVersion(), Phase: planner.PhaseSync, Manifest: live}
	}
	c := &pruneCandidate{obj: o, rm: rm, out: ObjectOutcome{Key: key, Version: live.GetAPIVersion(), Phase: o.Phase, Wave: o.Wave, Health: Assess(live)}}
	switch {
	case !ownedBy(live, r.req.App.Name):
		return c, fmt.Sprintf("tracking id %q does not name app %s: left alone", live.GetAnnotations()[AnnotationTrackingID], r.req.App.Name), nil
	case o.HasSyncOption(optPruneFalse):
		return c, "Prune=false: kept", nil
	case !r.req.Prune:
		return c, "extraneous: not in the app any more, and prune is off", nil
	case r.req.DryRun:
		return c, "dry run: would be pruned", nil
	}
	return c, "", nil
}

// pruneWaves groups candidates by wave, highest wave first, each group in
// reverse sync order.
func pruneWaves(cs []pruneCandidate) [][]pruneCandidate {
	slices.SortStableFunc(cs, func(a, b pruneCandidate) int { return planner.CompareObjects(b.obj, a.obj) })
	var groups [][]pruneCandidate
	for i, c := range cs {
		if i == 0 || cs[i-1].obj.Wave != c.obj.Wave {
			groups = append(groups, nil)
		}
		groups[len(groups)-1] = append(groups[len(groups)-1], c)
	}
	return groups
}

// pruneGroup deletes one wave's candidates in parallel and waits until they
// are gone.
func (r *run) pruneGroup(ctx context.Context, group []pruneCandidate) ([]ObjectOutcome, error) {
	outs := make([]ObjectOutcome, len(group))
	errs := make([]error, len(group))
	var g errgroup.Group
	g.SetLimit(r.m.opts.Concurrency)
	for i, c := range group {
		g.Go(func() error {
			outs[i] = c.out
			if ctx.Err() != nil {
				outs[i].Action, errs[i] = ActionNotApplied, ctx.Err()
				return nil
			}
			if _, err := r.m.deleteObject(ctx, c.rm, c.out.Key); err != nil {
				outs[i].Action, outs[i].Message, errs[i] = ActionFailed, err.Error(), err
				return nil
			}
			outs[i].Action, outs[i].Health = ActionPruned, Health{Status: Missing}
			if err := r.m.waitGone(ctx, c.rm, c.out.Key, r.timeout); err != nil {
				outs[i].Message, errs[i] = err.Error(), err
			}
			r.emit(Event{Type: EventPruned, Key: c.out.Key, Action: ActionPruned, Wave: c.obj.Wave})
			return nil
		})
	}
	_ = g.Wait()
	return outs, errors.Join(errs...)
}
