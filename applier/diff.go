package applier

import (
	"context"
	"fmt"

	"golang.org/x/sync/errgroup"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/gitwave/gitwave/planner"
)

// liveDiff is one desired object next to the live object, both normalized.
type liveDiff struct {
	desired       *planner.Object
	key           planner.ResourceKey // with the namespace used
	entry         InventoryEntry
	before, after *unstructured.Unstructured
	// foreign is true when the object exists live without the app's
	// tracking id.
	foreign bool
	// hidden is true when the diff may not show the foreign live object:
	// before is a placeholder and after is the object as rendered.
	hidden bool
}

// changed reports whether applying would change the live object.
func (d liveDiff) changed() bool {
	return d.before == nil || !equalObjects(d.before, d.after)
}

func equalObjects(a, b *unstructured.Unstructured) bool {
	return mustJSON(a.Object) == mustJSON(b.Object)
}

// Diff compares the app's desired objects with the live cluster. Each
// desired object goes through a server-side dry-run apply, so defaulting,
// admission and field ownership are what the API server says; the result
// and the live object are normalized (no managed fields, status or
// server-set metadata) and the app's ignoreDifferences removed from both.
// Objects in the app's inventory that are no longer desired are listed as
// removed. Secret values are masked, and compared only in Secrets the app
// owns. A live object the app does not own and opts.MayRead refuses is not
// shown: the diff says that it exists. Live objects come from the watch
// cache: an object gitwave applied costs one request, its dry run. Hooks
// and Skip objects are not diffed: they have no lasting live state.
func (m *Manager) Diff(ctx context.Context, app *planner.App, objects []*planner.Object, opts DiffOptions) (*planner.AppDiff, error) {
	diffs, err := m.liveDiffs(ctx, app, objects, opts)
	if err != nil {
		return nil, fmt.Errorf("diff %s on %s: %w", app.Name, m.opts.Cluster, err)
	}
	var before, after []*planner.Object
	desired := map[planner.ResourceKey]bool{}
	var notes []string
	for _, d := range diffs {
		desired[d.key] = true
		if d.foreign {
			blindSecretValues(d.before)
		}
		if d.hidden {
			notes = append(notes, d.key.String())
		}
		after = append(after, withManifest(d.desired, d.key, d.after))
		if d.before != nil {
			before = append(before, withManifest(d.desired, d.key, d.before))
		}
	}
	removed, err := m.removedObjects(ctx, app, desired)
	if err != nil {
		return nil, fmt.Errorf("diff %s on %s: %w", app.Name, m.opts.Cluster, err)
	}
	changes, err := planner.DiffObjects(append(before, removed...), after)
	if err != nil {
		return nil, fmt.Errorf("diff %s on %s: %w", app.Name, m.opts.Cluster, err)
	}
	return &planner.AppDiff{App: app.Key(), Status: planner.SummarizeStatus(changes), Changes: changes, After: app,
		Note: hiddenNote(app, notes)}, nil
}

// withManifest returns a copy of o keyed by key and holding u.
func withManifest(o *planner.Object, key planner.ResourceKey, u *unstructured.Unstructured) *planner.Object {
	c := *o
	c.Key, c.Manifest = key, u
	return &c
}

// liveDiffs dry-runs every non-hook object in parallel (bounded) and pairs
// the result with the live object; results are in the order of objects.
func (m *Manager) liveDiffs(ctx context.Context, app *planner.App, objects []*planner.Object, opts DiffOptions) ([]liveDiff, error) {
	var list []*planner.Object
	for _, o := range objects {
		if !o.Hook && o.Phase != planner.PhaseSkip {
			list = append(list, o)
		}
	}
	out := make([]liveDiff, len(list))
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(m.opts.Concurrency)
	for i, o := range list {
		g.Go(func() error {
			d, err := m.diffObject(gctx, app, o, opts)
			out[i] = d
			return err
		})
	}
	return out, g.Wait()
}

// diffObject dry-runs one object. An object whose kind or namespace does
// not exist yet (a CRD or namespace the sync would create first) is
// compared as it was rendered; so is a foreign object opts may not read,
// against a placeholder. The live object comes from the watch cache when
// it holds the version the dry run started from; it is read only when it
// does not (an object another tool created, or a watch lagging behind).
func (m *Manager) diffObject(ctx context.Context, app *planner.App, o *planner.Object, opts DiffOptions) (liveDiff, error) {
	d := liveDiff{desired: o, key: o.Key}
	u, rm, err := m.prepare(ctx, app, o)
	if meta.IsNoMatchError(err) {
		d.after = normalize(o.Manifest)
		return d, nil
	}
	if err != nil {
		return d, err
	}
	d.key, d.entry = planner.KeyOf(u), entryOf(u)
	cached, ok := m.cachedLive(ctx, rm, d.key)
	if !ok {
		if cached, err = m.getLive(ctx, rm, d.key); err != nil {
			return d, fmt.Errorf("%s: read live object: %w", d.key, err)
		}
	}
	if d.hide(cached, app, u, opts) {
		return d, nil
	}
	validation := "Strict"
	if hasOption(app, o, optValidateFalse) {
		validation = "Ignore"
	}
	result, dryErr := m.serverSideApply(ctx, m.resource(rm, d.key.Namespace), u, validation, applyOptions{DryRun: true})
	live := cached
	switch {
	case apierrors.IsNotFound(dryErr) && cached == nil:
		// The namespace does not exist yet, nor does the object.
		result, dryErr = u, nil
	case dryErr == nil && result.GetResourceVersion() == "":
		live = nil // a dry-run create: the object does not exist
	case dryErr != nil || cached == nil || cached.GetResourceVersion() != result.GetResourceVersion():
		if live, err = m.getLive(ctx, rm, d.key); err != nil {
			return d, fmt.Errorf("%s: read live object: %w", d.key, err)
		}
	}
	if d.hide(live, app, u, opts) {
		return d, nil
	}
	if apierrors.IsNotFound(dryErr) && live == nil {
		result, dryErr = u, nil // the cache still held it; the namespace is gone
	}
	if dryErr != nil {
		return d, fmt.Errorf("%s (%s): dry-run apply: %w", d.key, location(o), o.Secrets.RedactError(dryErr))
	}
	d.before, d.after = normalize(live), normalize(result)
	applyIgnoreRules(app.Spec.IgnoreDifferences, d.key, live, d.before, d.after)
	return d, nil
}

// hide marks d foreign when live exists without app's tracking id and, when
// opts may not read it, hidden: a placeholder before u as rendered. It
// reports whether d is hidden.
func (d *liveDiff) hide(live *unstructured.Unstructured, app *planner.App, u *unstructured.Unstructured, opts DiffOptions) bool {
	d.foreign = live != nil && !ownedBy(live, app.Name)
	if d.foreign && !opts.mayRead(d.key) {
		d.hidden, d.before, d.after = true, placeholder(u), normalize(u)
	}
	return d.hidden
}

// unchangedKeys returns, by the objects' own keys, the inventory entries of
// the objects a live diff finds unchanged.
func (m *Manager) unchangedKeys(ctx context.Context, app *planner.App, objects []*planner.Object) (map[planner.ResourceKey]InventoryEntry, error) {
	diffs, err := m.liveDiffs(ctx, app, objects, DiffOptions{})
	if err != nil {
		return nil, err
	}
	out := map[planner.ResourceKey]InventoryEntry{}
	for _, d := range diffs {
		if !d.changed() && d.entry.Name != "" {
			out[d.desired.Key] = d.entry
		}
	}
	return out, nil
}

// removedObjects returns the live objects of the app's inventory that are
// not desired and still carry the app's tracking id, normalized, as the
// watch cache holds them.
func (m *Manager) removedObjects(ctx context.Context, app *planner.App, desired map[planner.ResourceKey]bool) ([]*planner.Object, error) {
	if m.opts.Store == nil {
		return nil, nil
	}
	_, inv, err := m.opts.Store.Inventory(ctx, app.Name, m.opts.Cluster)
	if err != nil {
		return nil, fmt.Errorf("read inventory: %w", err)
	}
	var out []*planner.Object
	for _, e := range inv {
		key := planner.ResourceKey{Group: e.Group, Kind: e.Kind, Namespace: e.Namespace, Name: e.Name}
		if desired[key] {
			continue
		}
		rm, err := m.mapping(ctx, schema.GroupVersionKind{Group: e.Group, Version: e.Version, Kind: e.Kind})
		if meta.IsNoMatchError(err) {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("%s: %w", key, err)
		}
		live, ok := m.cachedLive(ctx, rm, key)
		if !ok {
			if live, err = m.getLive(ctx, rm, key); err != nil {
				return nil, fmt.Errorf("%s: read live object: %w", key, err)
			}
		}
		if live == nil || !ownedBy(live, app.Name) {
			continue
		}
		o, err := planner.NewObject(normalize(live), "", 0)
		if err != nil {
			o = &planner.Object{Key: key, Version: live.GetAPIVersion(), Phase: planner.PhaseSync, Manifest: normalize(live)}
		}
		o.Key = key
		out = append(out, o)
	}
	return out, nil
}
