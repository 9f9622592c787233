package store

import (
	"context"
	"encoding/json"
	"fmt"
	"time"
)

// syncColumns is the column list scanSync reads.
const syncColumns = `id, app, cluster, project, revision, sources, cause, initiator,
	started_us, finished_us, heartbeat_us, phase, message, objects`

// History returns the last limit syncs of app, newest first, on cluster or,
// when cluster is "", on every cluster. A limit of 0 or less returns all.
// A Running sync whose lease ran out is shown as Error.
func (s *Store) History(ctx context.Context, app, cluster string, limit int) ([]SyncRecord, error) {
	q, args := historyQuery(app, cluster, "")
	if limit > 0 {
		q += ` LIMIT ?`
		args = append(args, limit)
	}
	rows, err := s.query(ctx, s.db, q, args...)
	if err != nil {
		return nil, fmt.Errorf("history of app %s%s: %w", app, onCluster(cluster), err)
	}
	defer rows.Close()
	now := s.now()
	var out []SyncRecord
	for rows.Next() {
		r, err := scanSync(rows, now)
		if err != nil {
			return nil, fmt.Errorf("history of app %s%s: %w", app, onCluster(cluster), err)
		}
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("history of app %s%s: %w", app, onCluster(cluster), err)
	}
	return out, nil
}

// LastSucceeded returns the newest Succeeded sync of app on cluster (any
// cluster when ""), stepping back skip deployments first: skip=1 is the
// newest Succeeded sync of the revision deployed before the current one, as
// /rollback --steps 1 needs. Consecutive syncs of one revision (self-heal,
// retries) count as one deployment. It returns ErrNotFound when history is
// shorter.
func (s *Store) LastSucceeded(ctx context.Context, app, cluster string, skip int) (SyncRecord, error) {
	if skip < 0 {
		return SyncRecord{}, fmt.Errorf("last succeeded sync of app %s%s: skip %d is negative", app, onCluster(cluster), skip)
	}
	q, args := historyQuery(app, cluster, PhaseSucceeded)
	rows, err := s.query(ctx, s.db, q, args...)
	if err != nil {
		return SyncRecord{}, fmt.Errorf("last succeeded sync of app %s%s: %w", app, onCluster(cluster), err)
	}
	defer rows.Close()
	now := s.now()
	step := -1
	var prev string
	for rows.Next() {
		r, err := scanSync(rows, now)
		if err != nil {
			return SyncRecord{}, fmt.Errorf("last succeeded sync of app %s%s: %w", app, onCluster(cluster), err)
		}
		if step >= 0 && r.Revision == prev {
			continue
		}
		step++
		prev = r.Revision
		if step == skip {
			return r, nil
		}
	}
	if err := rows.Err(); err != nil {
		return SyncRecord{}, fmt.Errorf("last succeeded sync of app %s%s: %w", app, onCluster(cluster), err)
	}
	return SyncRecord{}, fmt.Errorf("last succeeded sync of app %s%s, %d deployments back: %w", app, onCluster(cluster), skip, ErrNotFound)
}

// historyQuery selects the syncs of app (on cluster unless ""), newest first,
// restricted to phase unless "".
func historyQuery(app, cluster, phase string) (string, []any) {
	q := `SELECT ` + syncColumns + ` FROM syncs WHERE app = ?`
	args := []any{app}
	if cluster != "" {
		q += ` AND cluster = ?`
		args = append(args, cluster)
	}
	if phase != "" {
		q += ` AND phase = ?`
		args = append(args, phase)
	}
	return q + ` ORDER BY id DESC`, args
}

// scanner is what *sql.Row and *sql.Rows share.
type scanner interface{ Scan(dest ...any) error }

// scanSync reads one row of syncColumns; now decides whether a Running sync
// is abandoned.
func scanSync(row scanner, now time.Time) (SyncRecord, error) {
	var r SyncRecord
	var started, finished, heartbeat int64
	var objects string
	if err := row.Scan(&r.ID, &r.App, &r.Cluster, &r.Project, &r.Revision, &r.Sources, &r.Trigger, &r.Initiator,
		&started, &finished, &heartbeat, &r.Phase, &r.Message, &objects); err != nil {
		return SyncRecord{}, err
	}
	r.StartedAt, r.FinishedAt = fromMicros(started), fromMicros(finished)
	if err := json.Unmarshal([]byte(objects), &r.Objects); err != nil {
		return SyncRecord{}, fmt.Errorf("sync %d: decode objects: %w", r.ID, err)
	}
	if len(r.Objects) == 0 {
		r.Objects = nil
	}
	if r.Phase == PhaseRunning && !fromMicros(heartbeat).Add(SyncLease).After(now) {
		r.Phase, r.Message, r.FinishedAt = PhaseError, abandonedMessage, fromMicros(heartbeat)
	}
	return r, nil
}

// onCluster phrases a cluster filter for errors.
func onCluster(cluster string) string {
	if cluster == "" {
		return ""
	}
	return " on cluster " + cluster
}
