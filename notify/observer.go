package notify

import (
	"context"
	"encoding/json"
	"log/slog"
	"sync"

	"github.com/gitwave/gitwave/planner"
	"github.com/gitwave/gitwave/store"
)

// History gives the last sync of an app on a cluster; *store.Store is one.
type History interface {
	History(ctx context.Context, app, cluster string, limit int) ([]store.SyncRecord, error)
}

// StatusNotifier is the reconcile loop's StatusObserver: it turns each
// status change of an app × cluster into the AppState the Engine
// observes. Its Engine may be swapped while it runs (Swap), when the
// ConfigMap read from the default branch changes; without one it
// observes nothing.
type StatusNotifier struct {
	// History gives the last sync's revision for operationState; nil
	// leaves it to the desired revision.
	History History
	// Logger defaults to slog.Default().
	Logger *slog.Logger

	mu     sync.Mutex
	engine *Engine
	apps   map[string]*planner.App // the last Application seen, by scope
}

// Swap makes e the engine that observes from now on and returns the one
// it replaces (nil at first); the caller drains and closes that one.
func (n *StatusNotifier) Swap(e *Engine) *Engine {
	n.mu.Lock()
	defer n.mu.Unlock()
	old := n.engine
	n.engine = e
	return old
}

// Engine is the engine observing now, nil when none is configured yet.
func (n *StatusNotifier) Engine() *Engine {
	n.mu.Lock()
	defer n.mu.Unlock()
	return n.engine
}

// ObserveStatus hands the change to the engine. app may be nil (a
// repository that was never read this run): the Application last seen for
// the app × cluster stands in, and without one nothing is sent, since the
// subscriptions are its annotations.
func (n *StatusNotifier) ObserveStatus(ctx context.Context, app *planner.App, prev, cur store.AppStatus) {
	e := n.Engine()
	if e == nil {
		return
	}
	scope := cur.Repo + "/" + cur.App + "@" + cur.Cluster
	n.mu.Lock()
	if app != nil {
		if n.apps == nil {
			n.apps = map[string]*planner.App{}
		}
		n.apps[scope] = app
	} else {
		app = n.apps[scope]
	}
	n.mu.Unlock()
	if app == nil {
		return
	}
	p := n.state(ctx, app, prev)
	if prev.App == "" {
		p = AppState{}
	}
	e.Observe(ctx, p, n.state(ctx, app, cur))
}

// state is st as notifications see it, with app's manifest.
func (n *StatusNotifier) state(ctx context.Context, app *planner.App, st store.AppStatus) AppState {
	s := AppState{
		Repo: st.Repo, App: st.App, Cluster: st.Cluster, Server: app.Cluster.Server, Project: st.Project,
		Sync: st.Sync, Health: st.Health, DesiredRevision: st.DesiredRevision, DeployedRevision: st.DeployedRevision,
		Metadata: map[string]any{"name": app.Name, "labels": anyMap(app.Labels), "annotations": anyMap(app.Annotations)},
		Spec:     n.spec(app),
	}
	if ls := st.LastSync; ls.Result != "" {
		s.LastSync = &SyncRun{Result: ls.Result, StartedAt: ls.StartedAt, FinishedAt: ls.FinishedAt, Message: ls.Message,
			Revision: n.lastRevision(ctx, st)}
	}
	return s
}

// spec is the Application's spec as JSON sees it; an app whose spec does
// not encode gets an empty one (destination is set from the cluster).
func (n *StatusNotifier) spec(app *planner.App) map[string]any {
	var spec map[string]any
	b, err := json.Marshal(app.Spec)
	if err == nil {
		err = json.Unmarshal(b, &spec)
	}
	if err != nil {
		n.logger().Warn("notifications: application spec", "app", app.Name, "error", err)
	}
	return spec
}

// lastRevision is the revision of the history's newest sync when it is
// the status's last sync; otherwise (a refusal the loop recorded itself, a
// sync just starting) empty, which means the desired revision.
func (n *StatusNotifier) lastRevision(ctx context.Context, st store.AppStatus) string {
	if n.History == nil || st.LastSync.Result == store.PhaseRunning {
		return ""
	}
	recs, err := n.History.History(ctx, st.App, st.Cluster, 1)
	if err != nil {
		n.logger().Warn("notifications: read history", "app", st.App, "cluster", st.Cluster, "error", err)
		return ""
	}
	if len(recs) == 1 && recs[0].StartedAt.Equal(st.LastSync.StartedAt) {
		return recs[0].Revision
	}
	return ""
}

func (n *StatusNotifier) logger() *slog.Logger {
	if n.Logger != nil {
		return n.Logger
	}
	return slog.Default()
}

func anyMap(m map[string]string) map[string]any {
	out := make(map[string]any, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}
