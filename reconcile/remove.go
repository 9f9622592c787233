package reconcile

import (
	"context"
	"fmt"
	"slices"

	"github.com/gitwave/gitwave/applier"
	"github.com/gitwave/gitwave/planner"
)

// The resources finalizers of an Argo CD Application. With any of them,
// deleting the Application deletes its objects; without, they stay.
const (
	// FinalizerResources deletes with foreground propagation, as Argo CD
	// does for its plain form.
	FinalizerResources = "resources-finalizer.argocd.argoproj.io"
	// FinalizerForeground deletes with foreground propagation: each object
	// is gone only when its dependents are.
	FinalizerForeground = FinalizerResources + "/foreground"
	// FinalizerBackground deletes with background propagation: the
	// garbage collector removes dependents afterwards.
	FinalizerBackground = FinalizerResources + "/background"
)

// RemovedApp is an app × cluster that the default branch no longer
// produces.
type RemovedApp struct {
	App, Cluster string
	// Finalizer is the resources finalizer its Application carried at the
	// last revision that produced it (ResourcesFinalizer), or "" for none.
	Finalizer string
	// Revision is the revision that no longer produces it.
	Revision string
}

// RemoveResult says what Remove did.
type RemoveResult struct {
	App, Cluster string
	// Phase is Deleted, Orphaned, Failed or Terminated, or "" when the app
	// was never deployed there.
	Phase applier.SyncPhase
	// AlreadyDone is true when an earlier Remove did the work; this call
	// changed nothing.
	AlreadyDone bool
	// Deleted, Kept and Orphaned count objects: deleted from the cluster,
	// kept by Prune=false and the like, left running unmanaged.
	Deleted, Kept, Orphaned int
	Message                 string
	// ID is the history record.
	ID      int64
	Objects []applier.ObjectOutcome
}

// ResourcesFinalizer returns the resources finalizer an app's Application
// carries, or "" when it has none.
func ResourcesFinalizer(app *planner.App) string {
	for _, f := range app.Finalizers {
		if f == FinalizerResources || f == FinalizerForeground || f == FinalizerBackground {
			return f
		}
	}
	return ""
}

// WillDelete reports whether removing an app with finalizer deletes its
// objects.
func WillDelete(finalizer string) bool {
	return slices.Contains([]string{FinalizerResources, FinalizerForeground, FinalizerBackground}, finalizer)
}

// Remove finishes an app that the default branch no longer produces on a
// cluster, as Argo CD finishes a deleted Application: with the resources
// finalizer, its objects from the inventory of its last sync there are
// deleted in reverse wave order, each wave waited for, Prune=false objects
// kept, and history records Deleted; without it they stay, and history
// records Orphaned. A second call is a no-op that says so.
func (r *Reconciler) Remove(ctx context.Context, app RemovedApp) (*RemoveResult, error) {
	if app.Finalizer != "" && !WillDelete(app.Finalizer) {
		return nil, fmt.Errorf("remove app %s from cluster %s: finalizer %q is not a resources finalizer (want %s or its /foreground or /background form)",
			app.App, app.Cluster, app.Finalizer, FinalizerResources)
	}
	m := r.manager(app.Cluster)
	if m == nil {
		return nil, fmt.Errorf("remove app %s from cluster %s: the cluster is not configured", app.App, app.Cluster)
	}
	rm, err := m.RemoveApp(ctx, applier.RemoveRequest{App: app.App, Revision: app.Revision,
		Cascade: WillDelete(app.Finalizer), Background: app.Finalizer == FinalizerBackground}, nil)
	if rm == nil {
		return nil, err
	}
	res := &RemoveResult{App: app.App, Cluster: app.Cluster, Phase: rm.Phase, AlreadyDone: rm.AlreadyDone,
		Message: rm.Message, ID: rm.ID, Objects: rm.Objects}
	for _, o := range rm.Objects {
		switch o.Action {
		case applier.ActionDeleted:
			res.Deleted++
		case applier.ActionKept:
			res.Kept++
		case applier.ActionOrphaned:
			res.Orphaned++
		}
	}
	return res, err
}

// RemovalFinalizer returns the finalizer that decides what removing app
// (produced by base, not by head) does, as Argo CD would decide it: the
// app's own resources finalizer, unless an Application above it in an app
// of apps is removed too without the finalizer. Argo CD then leaves the
// child Application in place, so its objects stay: the result is "" and
// orphanedBy names that ancestor. An ancestor that head still produces
// prunes the child Application itself, so the child's finalizer decides.
func RemovalFinalizer(app *planner.App, base, head *planner.Inventory) (finalizer, orphanedBy string) {
	for i := len(app.Ancestors) - 1; i >= 0; i-- {
		name := app.Ancestors[i]
		if appNamed(head, name) != nil {
			break
		}
		parent := appNamed(base, name)
		if parent == nil {
			break
		}
		if ResourcesFinalizer(parent) == "" {
			return "", name
		}
	}
	return ResourcesFinalizer(app), ""
}

// appNamed returns an app of inv named name, on any cluster, or nil.
func appNamed(inv *planner.Inventory, name string) *planner.App {
	if inv == nil {
		return nil
	}
	for _, a := range inv.Apps {
		if a.Name == name {
			return a
		}
	}
	return nil
}
