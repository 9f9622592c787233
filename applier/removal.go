package applier

import (
	"context"
	"errors"
	"fmt"

	"github.com/gitwave/gitwave/applier/record"
	"github.com/gitwave/gitwave/planner"
)

// RemoveRequest asks RemoveApp to finish an app that the repository no
// longer produces for this cluster.
type RemoveRequest struct {
	// App names the removed app.
	App string
	// Revision is the revision that no longer produces it; recorded.
	Revision string
	// Initiator is recorded as who removed it; default "gitwave".
	Initiator string
	// Cascade deletes the app's objects, as Argo CD does for an
	// Application with the resources finalizer; without it they are
	// orphaned: left on the cluster, unmanaged.
	Cascade bool
	// Background deletes with background propagation (the finalizer's
	// /background form); the zero value waits for dependents (foreground).
	Background bool
}

// Removal is what RemoveApp did.
type Removal struct {
	// ID is the history record, 0 when nothing was recorded.
	ID int64
	// Phase is Deleted, Orphaned, Failed or Terminated; empty when the app
	// was never deployed on the cluster and nothing was done.
	Phase SyncPhase
	// AlreadyDone is true when an earlier call removed the app: nothing
	// was done this time, and Phase and ID are the earlier record's.
	AlreadyDone bool
	Message     string
	// Objects are the outcomes: deleted, kept or orphaned.
	Objects []ObjectOutcome
}

// The removal phases, as history records them.
const (
	SyncDeleted  SyncPhase = "Deleted"
	SyncOrphaned SyncPhase = "Orphaned"
)

// triggerRemoved is the trigger a removal is recorded with.
const triggerRemoved = "removed"

// RemoveApp deletes (Cascade) or orphans the objects of the app's
// inventory on this cluster and records it in history. It is idempotent: an
// app already Deleted or Orphaned there is left alone, and so is an app
// never deployed there. A failed or terminated deletion keeps what is left
// in the inventory, so that the next call resumes it. Errors name the app,
// the cluster and the object.
func (m *Manager) RemoveApp(ctx context.Context, req RemoveRequest, progress func(Event)) (*Removal, error) {
	where := fmt.Sprintf("remove app %s from cluster %s", req.App, m.opts.Cluster)
	if m.opts.Store == nil {
		return nil, fmt.Errorf("%s: no store, so no inventory of what the app deployed", where)
	}
	revision, entries, err := m.opts.Store.Inventory(ctx, req.App, m.opts.Cluster)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", where, err)
	}
	last, err := m.opts.Store.LastResult(ctx, req.App, m.opts.Cluster)
	switch {
	case errors.Is(err, record.ErrNotFound) && len(entries) == 0:
		return &Removal{Message: "never deployed on this cluster: nothing to remove"}, nil
	case err != nil && !errors.Is(err, record.ErrNotFound):
		return nil, fmt.Errorf("%s: %w", where, err)
	case last.Phase == string(SyncDeleted) || last.Phase == string(SyncOrphaned):
		return &Removal{ID: last.ID, Phase: SyncPhase(last.Phase), AlreadyDone: true, Message: last.Message}, nil
	}
	initiator := req.Initiator
	if initiator == "" {
		initiator = "gitwave"
	}
	id, err := m.opts.Store.BeginSync(ctx, SyncRecord{App: req.App, Cluster: m.opts.Cluster, Revision: req.Revision,
		Trigger: triggerRemoved, Initiator: initiator, StartedAt: m.opts.Clock.Now()})
	if err != nil {
		return nil, fmt.Errorf("%s: record start: %w", where, err)
	}
	rm := &Removal{ID: id}
	if !req.Cascade {
		rm.Phase = SyncOrphaned
		rm.Message = fmt.Sprintf("removed from Git without the resources finalizer: its %d objects stay on the cluster, unmanaged", len(entries))
		rm.Objects = orphanedOutcomes(entries)
		return rm, m.finishRemoval(ctx, where, req.App, rm, revision, entries)
	}
	wctx, stopWatch := m.watchTerminate(ctx, id)
	defer stopWatch()
	outs, delErr := m.Delete(wctx, DeleteRequest{App: req.App, Objects: entries, Background: req.Background}, progress)
	rm.Objects = outs
	left := remaining(entries, outs, delErr != nil)
	rm.Phase, rm.Message = removalPhase(wctx, outs, delErr, req.Background)
	err = m.finishRemoval(ctx, where, req.App, rm, revision, left)
	return rm, errors.Join(delErr, err)
}

// removalPhase turns a deletion's outcome into a phase and message.
func removalPhase(ctx context.Context, outs []ObjectOutcome, err error, background bool) (SyncPhase, string) {
	deleted, kept := 0, 0
	for _, o := range outs {
		switch o.Action {
		case ActionDeleted:
			deleted++
		case ActionKept:
			kept++
		}
	}
	propagation := "foreground"
	if background {
		propagation = "background"
	}
	switch {
	case err == nil:
		return SyncDeleted, fmt.Sprintf("removed from Git with the resources finalizer: %d objects deleted in reverse wave order (%s propagation), %d kept", deleted, propagation, kept)
	case ctx.Err() != nil:
		if te, ok := terminatedBy(ctx); ok {
			return SyncTerminated, fmt.Sprintf("%s after deleting %d objects: %v", te.Error(), deleted, err)
		}
		return SyncTerminated, fmt.Sprintf("terminated after deleting %d objects: %v", deleted, err)
	}
	return SyncFailed, fmt.Sprintf("deletion failed after deleting %d objects: %v", deleted, err)
}

// remaining is the inventory a deletion leaves: nothing when it finished
// (kept objects are no longer the app's), else every entry not deleted.
func remaining(entries []InventoryEntry, outs []ObjectOutcome, failed bool) []InventoryEntry {
	if !failed {
		return nil
	}
	gone := map[planner.ResourceKey]bool{}
	for _, o := range outs {
		if o.Action == ActionDeleted {
			gone[o.Key] = true
		}
	}
	var left []InventoryEntry
	for _, e := range entries {
		if !gone[planner.ResourceKey{Group: e.Group, Kind: e.Kind, Namespace: e.Namespace, Name: e.Name}] {
			left = append(left, e)
		}
	}
	return left
}

// orphanedOutcomes lists an inventory as orphaned objects.
func orphanedOutcomes(entries []InventoryEntry) []ObjectOutcome {
	outs := make([]ObjectOutcome, len(entries))
	for i, e := range entries {
		version := e.Version
		if e.Group != "" {
			version = e.Group + "/" + e.Version
		}
		outs[i] = ObjectOutcome{Key: planner.ResourceKey{Group: e.Group, Kind: e.Kind, Namespace: e.Namespace, Name: e.Name},
			Version: version, Phase: planner.PhaseSync, Action: ActionOrphaned, Health: Health{Status: Unknown}}
	}
	return outs
}

// finishRemoval records a removal's end and the inventory it leaves, even
// when ctx was cancelled.
func (m *Manager) finishRemoval(ctx context.Context, where, app string, rm *Removal, revision string, inventory []InventoryEntry) error {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), finishTimeout)
	defer cancel()
	var errs []error
	if rm.Phase != SyncOrphaned {
		if err := m.opts.Store.SaveInventory(ctx, app, m.opts.Cluster, revision, inventory); err != nil {
			errs = append(errs, fmt.Errorf("%s: save inventory: %w", where, err))
		}
	}
	res := &Result{Pruned: rm.Objects}
	if err := m.opts.Store.FinishSync(ctx, rm.ID, string(rm.Phase), rm.Message, objectResults(res)); err != nil {
		errs = append(errs, fmt.Errorf("%s: record end: %w", where, err))
	}
	return errors.Join(errs...)
}
