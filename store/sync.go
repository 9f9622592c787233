package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/gitwave/gitwave/applier/record"
)

// SyncLease is how long a Running sync blocks another sync of the same app
// and cluster without a HeartbeatSync. After it, the sync is considered
// abandoned (its process crashed) and is reported as Error.
const SyncLease = 2 * time.Minute

// abandonedMessage is the message of a sync whose lease ran out.
const abandonedMessage = "abandoned: the gitwave process running this sync stopped sending heartbeats"

// Sync phases.
const (
	PhaseRunning    = "Running"
	PhaseSucceeded  = "Succeeded"
	PhaseFailed     = "Failed"
	PhaseTerminated = "Terminated"
	PhaseError      = "Error"
	// PhaseRefused is an automated sync gitwave would not run: it renders
	// no object and would prune everything the app owns (allowEmpty).
	PhaseRefused = "Refused"
	// PhaseDeleted is an app removed from Git whose Application carried the
	// resources finalizer: its objects were deleted from the cluster.
	PhaseDeleted = "Deleted"
	// PhaseOrphaned is an app removed from Git without the finalizer: its
	// objects stay on the cluster, no longer managed.
	PhaseOrphaned = "Orphaned"
)

// finalPhase reports whether phase ends a sync record.
func finalPhase(phase string) bool {
	switch phase {
	case PhaseSucceeded, PhaseFailed, PhaseTerminated, PhaseError, PhaseRefused, PhaseDeleted, PhaseOrphaned:
		return true
	}
	return false
}

// Sync triggers: what started a sync.
const (
	TriggerMerge    = "merge"
	TriggerCommand  = "command"
	TriggerSelfHeal = "selfheal"
	TriggerRollback = "rollback"
	TriggerCLI      = "cli"
	// TriggerRemoved is an app the default branch no longer produces.
	TriggerRemoved = "removed"
)

// SyncRecord is one sync of one app to one cluster, as history shows it.
// It is applier's record type: the store implements applier's Recorder port.
type SyncRecord = record.Sync

// ObjectResult is what a sync did to one object.
type ObjectResult = record.ObjectResult

// Statements of BeginSync, prepared by Open (see txStatements).
const (
	// sqlExpireSyncs marks Running syncs of (app, cluster) whose lease ran out.
	sqlExpireSyncs = `UPDATE syncs SET phase = ?, message = ?, finished_us = heartbeat_us
		WHERE app = ? AND cluster = ? AND phase = ? AND heartbeat_us <= ?`
	// sqlInsertSync returns no row when (app, cluster) already has a
	// Running sync: the unique index syncs_one_running refuses it.
	sqlInsertSync = `INSERT INTO syncs
		(app, cluster, project, revision, sources, cause, initiator, started_us, heartbeat_us, phase, message, objects)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, '[]')
		ON CONFLICT DO NOTHING RETURNING id`
	sqlRunningSync = `SELECT id, initiator, revision, started_us FROM syncs
		WHERE app = ? AND cluster = ? AND phase = ?`
)

// BeginSync records r as a Running sync and returns its id. It returns
// ErrSyncInProgress when the app already has a Running sync on the cluster
// whose lease is fresh, in this process or in any other sharing the database.
// Trigger may be empty or one of the Trigger constants, in any case.
// A Running sync whose lease ran out is marked Error first. StartedAt defaults
// to now; Phase, FinishedAt and Objects are ignored.
func (s *Store) BeginSync(ctx context.Context, r SyncRecord) (int64, error) {
	if err := normalizeBegin(&r); err != nil {
		return 0, err
	}
	now := s.now()
	if r.StartedAt.IsZero() {
		r.StartedAt = now
	}
	var id int64
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		if _, err := s.exec(ctx, tx, sqlExpireSyncs,
			PhaseError, abandonedMessage, r.App, r.Cluster, PhaseRunning, micros(now.Add(-SyncLease))); err != nil {
			return fmt.Errorf("expire abandoned syncs: %w", err)
		}
		err := s.queryRow(ctx, tx, sqlInsertSync,
			r.App, r.Cluster, r.Project, r.Revision, r.Sources, r.Trigger, r.Initiator,
			micros(r.StartedAt), micros(now), PhaseRunning, r.Message).Scan(&id)
		if errors.Is(err, sql.ErrNoRows) {
			return s.inProgress(ctx, tx, r.App, r.Cluster)
		}
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("begin sync of app %s on cluster %s: %w", r.App, r.Cluster, err)
	}
	return id, nil
}

// inProgress describes the sync that holds (app, cluster), wrapping
// ErrSyncInProgress.
func (s *Store) inProgress(ctx context.Context, tx *sql.Tx, app, cluster string) error {
	var id, started int64
	var initiator, revision string
	err := s.queryRow(ctx, tx, sqlRunningSync, app, cluster, PhaseRunning).Scan(&id, &initiator, &revision, &started)
	if err != nil {
		return ErrSyncInProgress
	}
	return fmt.Errorf("%w (sync %d of revision %q by %q, started %s)",
		ErrSyncInProgress, id, revision, initiator, fromMicros(started).Format(time.RFC3339))
}

// normalizeBegin checks r and spells its Trigger as the Trigger constants
// do, whatever its case ("selfHeal" is "selfheal"). An empty Trigger is
// recorded as empty.
func normalizeBegin(r *SyncRecord) error {
	if r.App == "" || r.Cluster == "" {
		return fmt.Errorf("begin sync: app (%q) and cluster (%q) are required", r.App, r.Cluster)
	}
	for _, known := range []string{"", TriggerMerge, TriggerCommand, TriggerSelfHeal, TriggerRollback, TriggerCLI, TriggerRemoved} {
		if strings.EqualFold(r.Trigger, known) {
			r.Trigger = known
			return nil
		}
	}
	return fmt.Errorf("begin sync of app %s on cluster %s: unknown trigger %q (want merge, command, selfheal, rollback, cli or removed)",
		r.App, r.Cluster, r.Trigger)
}

// HeartbeatSync renews the lease of Running sync id for another SyncLease.
// It returns ErrLeaseLost when the sync is no longer Running (it was finished,
// or abandoned and replaced by another sync), and ErrNotFound for an unknown id.
func (s *Store) HeartbeatSync(ctx context.Context, id int64) error {
	res, err := s.exec(ctx, s.db, `UPDATE syncs SET heartbeat_us = ? WHERE id = ? AND phase = ?`,
		micros(s.now()), id, PhaseRunning)
	if err != nil {
		return fmt.Errorf("heartbeat sync %d: %w", id, err)
	}
	if n, err := res.RowsAffected(); err != nil || n == 1 {
		return err
	}
	var phase string
	err = s.queryRow(ctx, s.db, `SELECT phase FROM syncs WHERE id = ?`, id).Scan(&phase)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return fmt.Errorf("heartbeat sync %d: %w", id, ErrNotFound)
	case err != nil:
		return fmt.Errorf("heartbeat sync %d: %w", id, err)
	}
	return fmt.Errorf("heartbeat sync %d: it is %s: %w", id, phase, ErrLeaseLost)
}

// FinishSync records the outcome of sync id: a final phase (Succeeded,
// Failed, Terminated, Error, Refused, Deleted or Orphaned), a message for people, and what happened to each
// object. A sync that was marked abandoned still gets its real outcome.
func (s *Store) FinishSync(ctx context.Context, id int64, phase, message string, objects []ObjectResult) error {
	if !finalPhase(phase) {
		return fmt.Errorf("finish sync %d: phase %q is not a final phase (want Succeeded, Failed, Terminated, Error, Refused, Deleted or Orphaned)", id, phase)
	}
	if objects == nil {
		objects = []ObjectResult{}
	}
	blob, err := json.Marshal(objects)
	if err != nil {
		return fmt.Errorf("finish sync %d: encode objects: %w", id, err)
	}
	res, err := s.exec(ctx, s.db, `UPDATE syncs SET phase = ?, message = ?, objects = ?, finished_us = ? WHERE id = ?`,
		phase, message, string(blob), micros(s.now()), id)
	if err != nil {
		return fmt.Errorf("finish sync %d: %w", id, err)
	}
	if n, err := res.RowsAffected(); err != nil {
		return fmt.Errorf("finish sync %d: %w", id, err)
	} else if n == 0 {
		return fmt.Errorf("finish sync %d: %w", id, ErrNotFound)
	}
	return nil
}
