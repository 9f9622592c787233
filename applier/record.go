package applier

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/gitwave/gitwave/applier/record"
	"github.com/gitwave/gitwave/planner"
)

// Recorder is what Sync needs from the store: a guarded sync record and the
// app's inventory on the cluster. Its values are the record package's, which
// *store.Store implements it with, so that applier never imports the store.
type Recorder interface {
	// BeginSync records a running sync and returns its id; it fails when
	// the app already has a sync running on the cluster.
	BeginSync(ctx context.Context, rec SyncRecord) (int64, error)
	// ResumeSync continues the Running sync of the same revision, trigger
	// and initiator that a stopped worker left, or begins one.
	ResumeSync(ctx context.Context, rec SyncRecord) (int64, bool, error)
	// HookSucceeded records that a hook of Running sync id ran to success
	// in the current attempt; SucceededHooks lists them for a resumed sync,
	// and ClearHooks forgets them as a retry begins.
	HookSucceeded(ctx context.Context, id int64, hook string) error
	SucceededHooks(ctx context.Context, id int64) ([]string, error)
	ClearHooks(ctx context.Context, id int64) error
	// HeartbeatSync tells the store the sync is still alive.
	HeartbeatSync(ctx context.Context, id int64) error
	// FinishSync records the end of a sync with every object's outcome.
	FinishSync(ctx context.Context, id int64, phase, message string, objects []ObjectResult) error
	// Inventory returns the objects the app's last sync left on the cluster.
	Inventory(ctx context.Context, app, cluster string) (revision string, entries []InventoryEntry, err error)
	// SaveInventory replaces the app's inventory on the cluster.
	SaveInventory(ctx context.Context, app, cluster, revision string, entries []InventoryEntry) error
	// TerminateRequested reports whether, and by whom, a running sync was
	// asked to stop.
	TerminateRequested(ctx context.Context, id int64) (by string, requested bool, err error)
	// LastResult returns the newest record of the app on the cluster, or
	// an error wrapping record.ErrNotFound when it has none.
	LastResult(ctx context.Context, app, cluster string) (SyncRecord, error)
}

// SyncRecord is one sync as a Recorder keeps it.
type SyncRecord = record.Sync

// ObjectResult is one object's outcome in a sync record.
type ObjectResult = record.ObjectResult

// InventoryEntry is one object of an app's inventory.
type InventoryEntry = record.InventoryEntry

// finishTimeout bounds the store writes at the end of a sync; they run even
// when the sync's context was cancelled, so a terminated sync is recorded.
const finishTimeout = 30 * time.Second

// beginRecord records a running sync and starts its heartbeat. Without a
// store, or for a dry run, it records nothing. A resumed sync also gets the
// hooks its stopped worker ran to success, which it does not run again.
func (m *Manager) beginRecord(ctx context.Context, req SyncRequest, start time.Time) (int64, map[string]bool, func(), error) {
	if m.opts.Store == nil || req.DryRun {
		return 0, nil, func() {}, nil
	}
	rec := SyncRecord{
		App: req.App.Name, Cluster: m.opts.Cluster, Project: req.App.Project, Revision: req.Revision, Sources: req.Sources,
		Trigger: req.Trigger, Initiator: req.Initiator, StartedAt: start, Phase: string(SyncRunning),
	}
	var id int64
	var hooks map[string]bool
	var err error
	if req.Resume {
		var resumed bool
		if id, resumed, err = m.opts.Store.ResumeSync(ctx, rec); resumed {
			hooks, err = m.hooksDone(ctx, id)
			slog.Info("resuming the sync a stopped worker left", "app", req.App.Name, "cluster", m.opts.Cluster, "sync", id, "hooksDone", len(hooks))
		}
	} else {
		id, err = m.opts.Store.BeginSync(ctx, rec)
	}
	if err != nil {
		return 0, nil, nil, fmt.Errorf("record sync start: %w", err)
	}
	done := make(chan struct{})
	stopped := make(chan struct{})
	go func() {
		defer close(stopped)
		for {
			select {
			case <-done:
				return
			case <-ctx.Done():
				return
			case <-time.After(heartbeatEvery):
				if err := m.opts.Store.HeartbeatSync(ctx, id); err != nil {
					slog.Warn("sync heartbeat", "app", req.App.Name, "cluster", m.opts.Cluster, "err", err)
				}
			}
		}
	}()
	return id, hooks, func() { close(done); <-stopped }, nil
}

// finishRecord records the end of a sync and the inventory it leaves: on
// success what it applied (and kept), otherwise the previous inventory plus
// what it applied, so that a later prune still finds everything gitwave put
// on the cluster.
func (m *Manager) finishRecord(ctx context.Context, r *run, id int64) error {
	if m.opts.Store == nil || r.req.DryRun {
		return nil
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), finishTimeout)
	defer cancel()
	app, res := r.req.App, r.res
	revision := r.req.Revision
	entries := make(map[planner.ResourceKey]InventoryEntry, len(r.applied))
	if res.Phase != SyncSucceeded {
		prevRev, prev, err := m.opts.Store.Inventory(ctx, app.Name, m.opts.Cluster)
		if err != nil {
			return fmt.Errorf("read inventory: %w", err)
		}
		revision = prevRev
		for _, e := range prev {
			entries[planner.ResourceKey{Group: e.Group, Kind: e.Kind, Namespace: e.Namespace, Name: e.Name}] = e
		}
	}
	maps.Copy(entries, r.applied)
	list := slices.SortedFunc(maps.Values(entries), compareEntries)
	var errs []error
	if err := m.opts.Store.SaveInventory(ctx, app.Name, m.opts.Cluster, revision, list); err != nil {
		errs = append(errs, fmt.Errorf("save inventory: %w", err))
	}
	if err := m.opts.Store.FinishSync(ctx, id, string(res.Phase), res.Message, objectResults(res)); err != nil {
		errs = append(errs, fmt.Errorf("record sync end: %w", err))
	}
	return errors.Join(errs...)
}

// objectResults converts a result's outcomes into store records.
func objectResults(res *Result) []ObjectResult {
	outs := res.Outcomes()
	list := make([]ObjectResult, len(outs))
	for i, o := range outs {
		_, version, found := strings.Cut(o.Version, "/")
		if !found {
			version = o.Version
		}
		list[i] = ObjectResult{Group: o.Key.Group, Version: version, Kind: o.Key.Kind, Namespace: o.Key.Namespace,
			Name: o.Key.Name, SyncPhase: string(o.Phase), Wave: o.Wave, Action: o.Action,
			Health: string(o.Health.Status), Message: o.Message}
	}
	return list
}

func compareEntries(a, b InventoryEntry) int {
	return cmp.Or(cmp.Compare(a.Group, b.Group), cmp.Compare(a.Kind, b.Kind),
		cmp.Compare(a.Namespace, b.Namespace), cmp.Compare(a.Name, b.Name))
}
