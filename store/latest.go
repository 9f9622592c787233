package store

import (
	"context"
	"fmt"
)

// SyncKey names an app on a cluster.
type SyncKey struct{ App, Cluster string }

// LatestSyncs returns, for every app and cluster with history, its newest
// sync and its newest Succeeded sync, in two queries: what one pass of the
// reconcile loop reads instead of two queries per app. Objects are not
// read. A Running sync whose lease ran out is shown as Error.
func (s *Store) LatestSyncs(ctx context.Context) (latest, succeeded map[SyncKey]SyncRecord, err error) {
	if latest, err = s.latestSyncs(ctx, ""); err != nil {
		return nil, nil, err
	}
	if succeeded, err = s.latestSyncs(ctx, PhaseSucceeded); err != nil {
		return nil, nil, err
	}
	return latest, succeeded, nil
}

// latestSyncs reads the newest sync per app and cluster, of phase unless "".
func (s *Store) latestSyncs(ctx context.Context, phase string) (map[SyncKey]SyncRecord, error) {
	inner := `SELECT MAX(id) FROM syncs GROUP BY app, cluster`
	var args []any
	if phase != "" {
		inner = `SELECT MAX(id) FROM syncs WHERE phase = ? GROUP BY app, cluster`
		args = append(args, phase)
	}
	cols := `id, app, cluster, project, revision, sources, cause, initiator,
		started_us, finished_us, heartbeat_us, phase, message, '[]'`
	rows, err := s.query(ctx, s.db, `SELECT `+cols+` FROM syncs WHERE id IN (`+inner+`)`, args...)
	if err != nil {
		return nil, fmt.Errorf("latest syncs%s: %w", ofPhase(phase), err)
	}
	defer rows.Close()
	now := s.now()
	out := map[SyncKey]SyncRecord{}
	for rows.Next() {
		r, err := scanSync(rows, now)
		if err != nil {
			return nil, fmt.Errorf("latest syncs%s: %w", ofPhase(phase), err)
		}
		out[SyncKey{r.App, r.Cluster}] = r
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("latest syncs%s: %w", ofPhase(phase), err)
	}
	return out, nil
}

func ofPhase(phase string) string {
	if phase == "" {
		return ""
	}
	return " (" + phase + ")"
}
