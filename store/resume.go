package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
)

// sqlResumeSync renews the heartbeat of the Running sync of (app, cluster)
// when it is the same work: same revision, trigger and initiator.
const sqlResumeSync = `UPDATE syncs SET heartbeat_us = ?
	WHERE app = ? AND cluster = ? AND phase = ? AND revision = ? AND cause = ? AND initiator = ?
	RETURNING id`

// ResumeSync is BeginSync for a job that runs again because the worker
// that ran it stopped (a replica killed during a deploy, whose job lease
// ran out): when the app's Running sync on the cluster is the same work,
// at r.Revision with r.Trigger and r.Initiator, that record is continued
// (its heartbeat renewed, its id returned, resumed true) instead of
// refused, so that the deploy shows once in history with its real outcome.
// Otherwise it is BeginSync. The job queue guarantees that the worker which
// began the record no longer holds the job.
func (s *Store) ResumeSync(ctx context.Context, r SyncRecord) (id int64, resumed bool, err error) {
	if err := normalizeBegin(&r); err != nil {
		return 0, false, err
	}
	err = s.queryRow(ctx, s.db, sqlResumeSync, micros(s.now()), r.App, r.Cluster, PhaseRunning,
		r.Revision, r.Trigger, r.Initiator).Scan(&id)
	switch {
	case err == nil:
		return id, true, nil
	case !errors.Is(err, sql.ErrNoRows):
		return 0, false, fmt.Errorf("resume sync of app %s on cluster %s: %w", r.App, r.Cluster, err)
	}
	id, err = s.BeginSync(ctx, r)
	return id, false, err
}
