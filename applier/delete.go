package applier

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"golang.org/x/sync/errgroup"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/gitwave/gitwave/planner"
)

// Actions of an app's deletion.
const (
	// ActionDeleted is an object deleted with its app.
	ActionDeleted = "deleted"
	// ActionKept is an object its app's deletion left on the cluster
	// (Prune=false, Delete=false, a CRD, another app's object).
	ActionKept = "kept"
	// ActionOrphaned is an object left running, unmanaged, because its
	// app was removed without the resources finalizer.
	ActionOrphaned = "orphaned"
)

// helmResourcePolicy is Helm's annotation that keeps an object when its
// release goes; Argo CD honours "keep" on deletion too.
const helmResourcePolicy = "helm.sh/resource-policy"

// DeleteRequest asks Delete to remove an app's objects from the cluster.
type DeleteRequest struct {
	// App names the app; only objects carrying its tracking id are deleted.
	App string
	// Objects is the app's inventory from its last sync on the cluster.
	Objects []InventoryEntry
	// Background deletes with background propagation: each object goes at
	// once and the garbage collector removes its dependents later. The
	// zero value is foreground: an object is gone only once its dependents
	// (a Deployment's ReplicaSets and Pods) are.
	Background bool
}

// deleteCandidate is an inventory object read live, with its wave.
type deleteCandidate struct {
	obj *planner.Object
	rm  *meta.RESTMapping
	out ObjectOutcome
}

// Delete removes an app's objects: in reverse sync order, the last wave
// first, each wave deleted in parallel and waited for until gone before
// the next. Objects marked Prune=false or Delete=false, with
// helm.sh/resource-policy: keep, CustomResourceDefinitions (deleting one
// deletes every resource of its kind, whoever owns it) and objects whose
// tracking id names another app are kept. Objects already gone are left
// out. Cancelling ctx stops between waves. The outcomes list deleted and
// kept objects; the error names the app, the cluster and the object.
func (m *Manager) Delete(ctx context.Context, req DeleteRequest, progress func(Event)) ([]ObjectOutcome, error) {
	where := fmt.Sprintf("delete app %s on cluster %s", req.App, m.opts.Cluster)
	var outcomes []ObjectOutcome
	var doomed []deleteCandidate
	for _, e := range req.Objects {
		c, keep, err := m.deleteCandidate(ctx, req.App, e)
		if err != nil {
			return outcomes, fmt.Errorf("%s: %w", where, err)
		}
		switch {
		case c == nil:
		case keep != "":
			c.out.Action, c.out.Message = ActionKept, keep
			outcomes = append(outcomes, c.out)
		default:
			doomed = append(doomed, *c)
		}
	}
	policy := metav1.DeletePropagationForeground
	if req.Background {
		policy = metav1.DeletePropagationBackground
	}
	for _, wave := range deleteWaves(doomed) {
		if err := ctx.Err(); err != nil {
			return outcomes, fmt.Errorf("%s: stopped before wave %d: %w", where, wave[0].obj.Wave, context.Cause(ctx))
		}
		done, err := m.deleteWave(ctx, req.App, wave, policy, progress)
		outcomes = append(outcomes, done...)
		if err != nil {
			return outcomes, fmt.Errorf("%s: wave %d: %w", where, wave[0].obj.Wave, err)
		}
	}
	return outcomes, nil
}

// deleteCandidate reads the live object of an inventory entry. It returns
// nil when the object is gone, and a reason to keep it when it must stay.
func (m *Manager) deleteCandidate(ctx context.Context, app string, e InventoryEntry) (*deleteCandidate, string, error) {
	key := planner.ResourceKey{Group: e.Group, Kind: e.Kind, Namespace: e.Namespace, Name: e.Name}
	rm, err := m.mapping(ctx, schema.GroupVersionKind{Group: e.Group, Version: e.Version, Kind: e.Kind})
	if meta.IsNoMatchError(err) {
		return nil, "", nil // its CRD is gone, and the object with it
	}
	if err != nil {
		return nil, "", fmt.Errorf("%s: %w", key, err)
	}
	live, err := m.getLive(ctx, rm, key)
	if err != nil {
		return nil, "", fmt.Errorf("%s: read live object: %w", key, err)
	}
	if live == nil {
		return nil, "", nil
	}
	o, err := planner.NewObject(live, "", 0)
	if err != nil {
		o = &planner.Object{Key: key, Version: live.GetAPIVersion(), Phase: planner.PhaseSync, Manifest: live}
	}
	c := &deleteCandidate{obj: o, rm: rm, out: ObjectOutcome{Key: key, Version: live.GetAPIVersion(), Phase: o.Phase, Wave: o.Wave, Health: Assess(live)}}
	switch {
	case !ownedBy(live, app):
		return c, fmt.Sprintf("tracking id %q does not name app %s: left alone", live.GetAnnotations()[AnnotationTrackingID], app), nil
	case o.HasSyncOption(optPruneFalse):
		return c, "Prune=false: kept", nil
	case o.HasSyncOption("Delete=false"):
		return c, "Delete=false: kept", nil
	case live.GetAnnotations()[helmResourcePolicy] == "keep":
		return c, helmResourcePolicy + ": keep: kept", nil
	case key.Group == "apiextensions.k8s.io" && key.Kind == "CustomResourceDefinition":
		return c, "a CustomResourceDefinition is never deleted with its app: deleting it deletes every resource of its kind", nil
	}
	return c, "", nil
}

// deleteWaves groups candidates by wave, highest wave first, each group in
// reverse sync order.
func deleteWaves(cs []deleteCandidate) [][]deleteCandidate {
	slices.SortStableFunc(cs, func(a, b deleteCandidate) int { return planner.CompareObjects(b.obj, a.obj) })
	var groups [][]deleteCandidate
	for i, c := range cs {
		if i == 0 || cs[i-1].obj.Wave != c.obj.Wave {
			groups = append(groups, nil)
		}
		groups[len(groups)-1] = append(groups[len(groups)-1], c)
	}
	return groups
}

// deleteWave deletes one wave's objects in parallel and waits until they
// are gone.
func (m *Manager) deleteWave(ctx context.Context, app string, wave []deleteCandidate, policy metav1.DeletionPropagation, progress func(Event)) ([]ObjectOutcome, error) {
	outs := make([]ObjectOutcome, len(wave))
	errs := make([]error, len(wave))
	var g errgroup.Group
	g.SetLimit(m.opts.Concurrency)
	for i, c := range wave {
		g.Go(func() error {
			outs[i], errs[i] = m.deleteOne(ctx, c, policy)
			if errs[i] == nil && progress != nil {
				progress(Event{Type: EventDeleted, App: app, Cluster: m.opts.Cluster, Phase: c.obj.Phase, Wave: c.obj.Wave, Key: c.out.Key, Action: ActionDeleted})
			}
			return nil
		})
	}
	_ = g.Wait()
	return outs, errors.Join(errs...)
}

// deleteOne deletes an object with policy and waits until it is gone.
func (m *Manager) deleteOne(ctx context.Context, c deleteCandidate, policy metav1.DeletionPropagation) (ObjectOutcome, error) {
	out := c.out
	err := m.resource(c.rm, out.Key.Namespace).Delete(ctx, out.Key.Name, metav1.DeleteOptions{PropagationPolicy: &policy})
	if err != nil && !apierrors.IsNotFound(err) {
		out.Action, out.Message = ActionFailed, err.Error()
		return out, fmt.Errorf("%s: delete: %w", out.Key, err)
	}
	if err := m.waitGone(ctx, c.rm, out.Key, m.deleteTimeout()); err != nil {
		out.Action, out.Message = ActionFailed, err.Error()
		return out, err
	}
	out.Action, out.Health = ActionDeleted, Health{Status: Missing}
	return out, nil
}

// deleteTimeout bounds the wait for one wave's deletion.
func (m *Manager) deleteTimeout() time.Duration { return m.opts.WaitTimeout }
