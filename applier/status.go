package applier

import (
	"context"
	"fmt"
	"time"

	"k8s.io/apimachinery/pkg/api/meta"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/gitwave/gitwave/planner"
)

// LiveStatus is an app's sync and health on its cluster.
type LiveStatus struct {
	// Drifted is true when the live objects differ from the desired ones
	// (OutOfSync); Changes are what a sync would change.
	Drifted bool
	Changes []planner.Change
	// Health is the worst health of the app's objects, as Argo CD
	// aggregates it; Healthy for an app with no objects.
	Health Health
}

// probeTimeout bounds the reachability probe of a cluster whose watch
// broke.
const probeTimeout = 5 * time.Second

// Status compares the app's desired objects with the live ones and
// assesses their health, from the watch caches: with nothing changed and
// the cluster's watches healthy, it makes no API request (see Drift).
// After a watch broke (the cluster went away) it first probes the cluster,
// so that a stale cache is never reported as the live state; an
// unreachable cluster is an error.
func (m *Manager) Status(ctx context.Context, app *planner.App, objects []*planner.Object) (LiveStatus, error) {
	if err := m.Reachable(ctx); err != nil {
		return LiveStatus{}, err
	}
	drifted, changes, err := m.Drift(ctx, app, objects)
	if err != nil {
		return LiveStatus{}, err
	}
	h, err := m.cachedHealth(ctx, app, objects)
	if err != nil {
		return LiveStatus{}, fmt.Errorf("health of %s on %s: %w", app.Name, m.opts.Cluster, err)
	}
	return LiveStatus{Drifted: drifted, Changes: changes, Health: h}, nil
}

// Reachable reports whether the cluster answers. It makes a request only
// when a watch broke since the last successful probe; otherwise the watches
// themselves are the proof.
func (m *Manager) Reachable(ctx context.Context) error {
	if !m.cache.watchFailed.Load() {
		return nil
	}
	return m.Probe(ctx)
}

// Probe asks the cluster whether it is ready (one request), and clears the
// mark a broken watch left when it is.
func (m *Manager) Probe(ctx context.Context) error {
	pctx, cancel := context.WithTimeout(ctx, probeTimeout)
	defer cancel()
	if err := m.dc.RESTClient().Get().AbsPath("/readyz").Do(pctx).Error(); err != nil {
		return fmt.Errorf("cluster %s unreachable: %w", m.opts.Cluster, err)
	}
	m.cache.watchFailed.Store(false)
	return nil
}

// cachedHealth is the worst health of the app's objects as the watch
// caches hold them; an object not there, or owned by another app, is
// Missing.
func (m *Manager) cachedHealth(ctx context.Context, app *planner.App, objects []*planner.Object) (Health, error) {
	worst := Health{Status: Healthy}
	for _, o := range objects {
		if o.Hook || o.Phase == planner.PhaseSkip {
			continue
		}
		h := Health{Status: Missing, Message: fmt.Sprintf("%s does not exist", o.Key)}
		live, err := m.cachedObject(ctx, app, o)
		if err != nil {
			return Health{}, err
		}
		if live != nil && ownedBy(live, app.Name) {
			h = Assess(live)
			if h.Message != "" {
				h.Message = o.Key.String() + ": " + h.Message
			}
		}
		if worse(h.Status, worst.Status) {
			worst = h
		}
	}
	return worst, nil
}

// cachedObject returns the live object of o from the watch cache, or nil.
// A kind the cluster does not serve (its CRD is not applied yet) has no
// object: it is not waited for, as a sync's mapping would be.
func (m *Manager) cachedObject(ctx context.Context, app *planner.App, o *planner.Object) (*unstructured.Unstructured, error) {
	gvk := o.Manifest.GroupVersionKind()
	rm, err := m.mapper.RESTMapping(gvk.GroupKind(), gvk.Version)
	if meta.IsNoMatchError(err) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("%s: resolve kind %s: %w", o.Key, gvk, err)
	}
	inf, err := m.cache.informer(ctx, rm.Resource)
	if err != nil {
		return nil, err
	}
	ns := ""
	if rm.Scope.Name() == meta.RESTScopeNameNamespace {
		ns = cmpOr(o.Manifest.GetNamespace(), app.Namespace)
	}
	return m.cache.get(inf, ns, o.Manifest.GetName()), nil
}

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// healthOrder ranks statuses from best to worst, as Argo CD aggregates an
// app's health.
var healthOrder = map[HealthStatus]int{Healthy: 0, Suspended: 1, Progressing: 2, Missing: 3, Degraded: 4, Unknown: 5}

// worse reports whether a is worse than b.
func worse(a, b HealthStatus) bool { return healthOrder[a] > healthOrder[b] }
