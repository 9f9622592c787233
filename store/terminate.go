package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
)

// RequestTerminate asks the Running syncs of app (on cluster, or on every
// cluster when cluster is "") to stop, on behalf of by. The process running
// each sync, this one or another replica sharing the database, sees the
// request at its next poll (TerminateRequested) and stops between objects.
// It returns the syncs it asked, and ErrNotFound when none is running or
// every one was already asked.
func (s *Store) RequestTerminate(ctx context.Context, app, cluster, by string) ([]SyncRecord, error) {
	where := fmt.Sprintf("terminate sync of app %s%s", app, onCluster(cluster))
	recs, err := s.Running(ctx, app, cluster)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", where, err)
	}
	if len(recs) == 0 {
		return nil, fmt.Errorf("%s: no sync is running: %w", where, ErrNotFound)
	}
	now := micros(s.now())
	var asked []SyncRecord
	for _, r := range recs {
		res, err := s.exec(ctx, s.db, `UPDATE syncs SET terminate_us = ?, terminate_by = ? WHERE id = ? AND phase = ? AND terminate_us = 0`,
			now, by, r.ID, PhaseRunning)
		if err != nil {
			return nil, fmt.Errorf("%s: sync %d: %w", where, r.ID, err)
		}
		if n, err := res.RowsAffected(); err == nil && n == 1 {
			asked = append(asked, r)
		}
	}
	if len(asked) == 0 {
		return nil, fmt.Errorf("%s: the sync ended, or was already asked to stop: %w", where, ErrNotFound)
	}
	return asked, nil
}

// Running returns the Running syncs of app (on cluster unless ""), newest
// first, leaving out those whose lease ran out.
func (s *Store) Running(ctx context.Context, app, cluster string) ([]SyncRecord, error) {
	q, args := historyQuery(app, cluster, PhaseRunning)
	rows, err := s.query(ctx, s.db, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	now := s.now()
	var out []SyncRecord
	for rows.Next() {
		r, err := scanSync(rows, now)
		if err != nil {
			return nil, err
		}
		if r.Phase == PhaseRunning {
			out = append(out, r)
		}
	}
	return out, rows.Err()
}

// TerminateRequested reports who asked sync id to stop, and whether anyone
// did. An unknown id is ErrNotFound.
func (s *Store) TerminateRequested(ctx context.Context, id int64) (by string, requested bool, err error) {
	var at int64
	err = s.queryRow(ctx, s.db, `SELECT terminate_us, terminate_by FROM syncs WHERE id = ?`, id).Scan(&at, &by)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return "", false, fmt.Errorf("read terminate request of sync %d: %w", id, ErrNotFound)
	case err != nil:
		return "", false, fmt.Errorf("read terminate request of sync %d: %w", id, err)
	}
	return by, at != 0, nil
}

// LastResult returns the newest sync record of app on cluster, whatever
// its phase: a Terminated or Refused sync tells the reconcile loop not to
// try the same revision again until a new revision or an explicit /sync.
// It returns ErrNotFound when the app has no record there.
func (s *Store) LastResult(ctx context.Context, app, cluster string) (SyncRecord, error) {
	if cluster == "" {
		return SyncRecord{}, fmt.Errorf("last result of app %s: a cluster is required", app)
	}
	recs, err := s.History(ctx, app, cluster, 1)
	if err != nil {
		return SyncRecord{}, err
	}
	if len(recs) == 0 {
		return SyncRecord{}, fmt.Errorf("last result of app %s on cluster %s: %w", app, cluster, ErrNotFound)
	}
	return recs[0], nil
}
