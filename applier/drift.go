package applier

import (
	"context"
	"fmt"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/gitwave/gitwave/planner"
)

// Drift reports whether the live cluster differs from the app's desired
// objects, and the changes that differ. It is built for a cron that checks
// every app on every cluster: live objects come from watch caches keyed by
// the gitwave.dev/app label, a desired object whose fields all hold the same
// values live is taken as in sync without a request, and only the objects
// that look different get a server-side dry-run Diff. With nothing changed,
// a check after the first costs no API request. Objects labelled for the
// app but not desired (extraneous) count as drift.
func (m *Manager) Drift(ctx context.Context, app *planner.App, objects []*planner.Object) (bool, []planner.Change, error) {
	where := fmt.Sprintf("drift %s on %s", app.Name, m.opts.Cluster)
	var suspects []*planner.Object
	desired := map[planner.ResourceKey]bool{}
	seenInformers := map[any]bool{}
	var extraneous []*planner.Object
	for _, o := range objects {
		if o.Hook || o.Phase == planner.PhaseSkip {
			continue
		}
		u, rm, err := m.prepare(ctx, app, o)
		if err != nil {
			suspects = append(suspects, o)
			continue
		}
		key := planner.KeyOf(u)
		desired[key] = true
		inf, err := m.cache.informer(ctx, rm.Resource)
		if err != nil {
			return false, nil, fmt.Errorf("%s: %w", where, err)
		}
		live := m.cache.get(inf, key.Namespace, key.Name)
		if !m.looksInSync(app, key, u, live) {
			suspects = append(suspects, o)
		}
		if !seenInformers[inf] {
			seenInformers[inf] = true
			for _, l := range m.cache.byApp(inf, app.Name) {
				extraneous = append(extraneous, extraneousObject(app, l))
			}
		}
	}
	var removed []*planner.Object
	for _, o := range extraneous {
		if o != nil && !desired[o.Key] {
			removed = append(removed, o)
		}
	}
	if len(suspects) == 0 && len(removed) == 0 {
		return false, nil, nil
	}
	changes, err := m.suspectChanges(ctx, app, suspects, removed)
	if err != nil {
		return false, nil, fmt.Errorf("%s: %w", where, err)
	}
	return len(changes) > 0, changes, nil
}

// extraneousObject returns a cached object owned by app as a planner
// object, or nil when its tracking id names another app.
func extraneousObject(app *planner.App, live *unstructured.Unstructured) *planner.Object {
	if !ownedBy(live, app.Name) {
		return nil
	}
	n := normalize(live)
	o, err := planner.NewObject(n, "", 0)
	if err != nil {
		return &planner.Object{Key: planner.KeyOf(live), Version: live.GetAPIVersion(), Phase: planner.PhaseSync, Manifest: n}
	}
	return o
}

// looksInSync reports whether every field of the desired object holds the
// same value live, after the app's ignoreDifferences; fields the server
// added do not matter. False may be a false alarm (a quantity written
// another way), which the dry-run diff then settles.
func (m *Manager) looksInSync(app *planner.App, key planner.ResourceKey, desired, live *unstructured.Unstructured) bool {
	if live == nil || !ownedBy(live, app.Name) {
		return false
	}
	d, l := normalize(desired), normalize(live)
	applyIgnoreRules(app.Spec.IgnoreDifferences, key, live, d, l)
	return subset(d.Object, l.Object)
}

// subset reports whether want's fields all hold the same values in have.
// Lists must have the same length, item by item.
func subset(want, have any) bool {
	switch w := want.(type) {
	case map[string]any:
		h, ok := have.(map[string]any)
		if !ok {
			return false
		}
		for k, v := range w {
			hv, ok := h[k]
			if !ok {
				if v == nil {
					continue
				}
				return false
			}
			if !subset(v, hv) {
				return false
			}
		}
		return true
	case []any:
		h, ok := have.([]any)
		if !ok || len(h) != len(w) {
			return false
		}
		for i := range w {
			if !subset(w[i], h[i]) {
				return false
			}
		}
		return true
	default:
		return mustJSON(want) == mustJSON(have)
	}
}

// suspectChanges dry-run diffs the suspect objects and lists the removed
// ones; unchanged objects are left out.
func (m *Manager) suspectChanges(ctx context.Context, app *planner.App, suspects, removed []*planner.Object) ([]planner.Change, error) {
	diffs, err := m.liveDiffs(ctx, app, suspects, DiffOptions{})
	if err != nil {
		return nil, err
	}
	before, after := append([]*planner.Object(nil), removed...), []*planner.Object(nil)
	for _, d := range diffs {
		after = append(after, withManifest(d.desired, d.key, d.after))
		if d.before != nil {
			before = append(before, withManifest(d.desired, d.key, d.before))
		}
	}
	all, err := planner.DiffObjects(before, after)
	if err != nil {
		return nil, err
	}
	changes := all[:0]
	for _, c := range all {
		if c.Action != planner.ActionUnchanged {
			changes = append(changes, c)
		}
	}
	return changes, nil
}
