package reconcile

import (
	"context"
	"sync"
	"time"

	"github.com/gitwave/gitwave/applier"
	"github.com/gitwave/gitwave/planner"
	"github.com/gitwave/gitwave/store"
)

// History is what the reconciler reads of past syncs.
type History interface {
	LastSucceeded(ctx context.Context, app, cluster string, skip int) (store.SyncRecord, error)
	Pins(ctx context.Context, app string) ([]store.Pin, error)
}

// SourceFunc returns the repository at a revision, as the planner reads it.
type SourceFunc func(ctx context.Context, revision string) (planner.Source, error)

// Reconciler diffs, syncs and heals apps on a fleet of clusters.
type Reconciler struct {
	// Planner renders apps; its chart cache is shared by every call.
	Planner *planner.Planner
	// Fleet holds one applier per configured cluster.
	Fleet *applier.Fleet
	// History gives deployed revisions and rollback pins; nil means no
	// history (drift then has nothing to compare).
	History History
	// Source opens the repository at a revision, for drift checks of an
	// app at the revision it was deployed from.
	Source SourceFunc
	// Projects gives the trusted AppProjects every sync is checked
	// against; nil reads them from the revision being synced (the CLI's
	// choice: its user is trusted). The bot reads them from the default
	// branch, never from a pull request.
	Projects ProjectsFunc
	// Status keeps the loop's per app × cluster status (Converge); nil
	// makes Converge fail.
	Status StatusStore
	// Observer hears status changes; nil hears nothing.
	Observer StatusObserver
	// RemoveApp replaces Remove for an app the default branch no longer
	// produces (tests); nil removes it with Remove.
	RemoveApp RemoveAppFunc
	// Now is the loop's clock (retries and backoff); nil is time.Now.
	Now func() time.Time

	mu   sync.Mutex
	invs map[string]*inventoryAt
	// plans are the loop's renders of apps reading only the served
	// repository, kept across passes (Reconciler.plan).
	plans map[planKey]planEntry
}

// maxRevisions bounds the revisions a Reconciler keeps discovered.
const maxRevisions = 32

// inventoryAt is a repository revision with its discovered apps.
type inventoryAt struct {
	src planner.Source
	inv *planner.Inventory
}

// at returns the repository at rev with its apps, discovered once per
// revision.
func (r *Reconciler) at(ctx context.Context, rev string) (*inventoryAt, error) {
	r.mu.Lock()
	if ia, ok := r.invs[rev]; ok {
		r.mu.Unlock()
		return ia, nil
	}
	r.mu.Unlock()
	src, err := r.Source(ctx, rev)
	if err != nil {
		return nil, err
	}
	inv, err := r.Planner.Discover(ctx, src)
	if err != nil {
		return nil, err
	}
	ia := &inventoryAt{src: src, inv: inv}
	r.mu.Lock()
	if r.invs == nil || len(r.invs) >= maxRevisions {
		// A long-running server reads a new revision per merge; start
		// over rather than keep every revision it ever read.
		r.invs = map[string]*inventoryAt{}
	}
	r.invs[rev] = ia
	r.mu.Unlock()
	return ia, nil
}

// manager returns the applier of a cluster, or nil when the cluster is not
// configured.
func (r *Reconciler) manager(cluster string) *applier.Manager {
	if r.Fleet == nil {
		return nil
	}
	return r.Fleet.Manager(cluster)
}
