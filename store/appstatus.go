package store

import (
	"context"
	"fmt"
	"time"
)

// Sync statuses of an AppStatus, as Argo CD names them.
const (
	SyncSynced    = "Synced"
	SyncOutOfSync = "OutOfSync"
	SyncUnknown   = "Unknown"
)

// AppStatus is what the reconcile loop last saw of one app on one cluster
// of one served repository.
type AppStatus struct {
	Repo    string `json:"-"`
	App     string `json:"app"`
	Cluster string `json:"cluster"`
	Project string `json:"project"`
	// Sync is Synced, OutOfSync or Unknown.
	Sync string `json:"sync"`
	// Health is Healthy, Progressing, Degraded, Suspended, Missing or
	// Unknown.
	Health string `json:"health"`
	// DesiredRevision is the default branch's head, or the app's rollback
	// pin; DeployedRevision is that of its last successful sync.
	DesiredRevision  string `json:"desiredRevision"`
	DeployedRevision string `json:"deployedRevision"`
	// LastSync is the newest sync of the app on the cluster, whatever
	// started it.
	LastSync LastSync `json:"lastSync"`
	// Attempts counts the failed syncs at DesiredRevision since the last
	// success; NextRetry is when the loop tries again (zero: no retry
	// waiting).
	Attempts  int       `json:"attempts"`
	NextRetry time.Time `json:"nextRetry"`
	// UnknownReason says why Sync or Health is Unknown ("repository
	// unreachable since …", "cluster unreachable: …").
	UnknownReason string    `json:"unknownReason,omitempty"`
	UpdatedAt     time.Time `json:"-"`
}

// LastSync is the newest sync of an app on a cluster; Result is empty when
// there was none.
type LastSync struct {
	Result     string    `json:"result"`
	StartedAt  time.Time `json:"startedAt"`
	FinishedAt time.Time `json:"finishedAt"`
	Message    string    `json:"message"`
}

// appStatusColumns is the column list scanAppStatus reads.
const appStatusColumns = `repo, app, cluster, project, sync, health, desired_revision, deployed_revision,
	last_result, last_started_us, last_finished_us, last_message, attempts, next_retry_us, unknown_reason, updated_us`

// SaveAppStatus inserts or replaces the status of st.App on st.Cluster for
// st.Repo. UpdatedAt defaults to now.
func (s *Store) SaveAppStatus(ctx context.Context, st AppStatus) error {
	if st.Repo == "" || st.App == "" || st.Cluster == "" {
		return fmt.Errorf("save app status: repo (%q), app (%q) and cluster (%q) are required", st.Repo, st.App, st.Cluster)
	}
	if st.UpdatedAt.IsZero() {
		st.UpdatedAt = s.now()
	}
	_, err := s.exec(ctx, s.db, `INSERT INTO app_status (`+appStatusColumns+`)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (repo, app, cluster) DO UPDATE SET project = excluded.project, sync = excluded.sync,
			health = excluded.health, desired_revision = excluded.desired_revision,
			deployed_revision = excluded.deployed_revision, last_result = excluded.last_result,
			last_started_us = excluded.last_started_us, last_finished_us = excluded.last_finished_us,
			last_message = excluded.last_message, attempts = excluded.attempts,
			next_retry_us = excluded.next_retry_us, unknown_reason = excluded.unknown_reason,
			updated_us = excluded.updated_us`,
		st.Repo, st.App, st.Cluster, st.Project, st.Sync, st.Health, st.DesiredRevision, st.DeployedRevision,
		st.LastSync.Result, micros(st.LastSync.StartedAt), micros(st.LastSync.FinishedAt), st.LastSync.Message,
		st.Attempts, micros(st.NextRetry), st.UnknownReason, micros(st.UpdatedAt))
	if err != nil {
		return fmt.Errorf("save status of app %s on cluster %s: %w", st.App, st.Cluster, err)
	}
	return nil
}

// AppStatusFilter selects app statuses; an empty field matches every value.
type AppStatusFilter struct {
	Repo, App, Cluster string
}

// AppStatuses returns the statuses f selects, ordered by repository, app
// and cluster.
func (s *Store) AppStatuses(ctx context.Context, f AppStatusFilter) ([]AppStatus, error) {
	q := `SELECT ` + appStatusColumns + ` FROM app_status WHERE 1 = 1`
	var args []any
	for _, c := range []struct{ col, val string }{{"repo", f.Repo}, {"app", f.App}, {"cluster", f.Cluster}} {
		if c.val != "" {
			q += ` AND ` + c.col + ` = ?`
			args = append(args, c.val)
		}
	}
	rows, err := s.query(ctx, s.db, q+` ORDER BY repo, app, cluster`, args...)
	if err != nil {
		return nil, fmt.Errorf("read app statuses %+v: %w", f, err)
	}
	defer rows.Close()
	var out []AppStatus
	for rows.Next() {
		st, err := scanAppStatus(rows)
		if err != nil {
			return nil, fmt.Errorf("read app statuses %+v: %w", f, err)
		}
		out = append(out, st)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read app statuses %+v: %w", f, err)
	}
	return out, nil
}

func scanAppStatus(row scanner) (AppStatus, error) {
	var st AppStatus
	var started, finished, next, updated int64
	err := row.Scan(&st.Repo, &st.App, &st.Cluster, &st.Project, &st.Sync, &st.Health, &st.DesiredRevision,
		&st.DeployedRevision, &st.LastSync.Result, &started, &finished, &st.LastSync.Message, &st.Attempts,
		&next, &st.UnknownReason, &updated)
	if err != nil {
		return AppStatus{}, err
	}
	st.LastSync.StartedAt, st.LastSync.FinishedAt = fromMicros(started), fromMicros(finished)
	st.NextRetry, st.UpdatedAt = fromMicros(next), fromMicros(updated)
	return st, nil
}

// DeleteAppStatus forgets the status of app on cluster for repo (the app
// was removed from the repository). Deleting a missing status is not an
// error.
func (s *Store) DeleteAppStatus(ctx context.Context, repo, app, cluster string) error {
	if _, err := s.exec(ctx, s.db, `DELETE FROM app_status WHERE repo = ? AND app = ? AND cluster = ?`,
		repo, app, cluster); err != nil {
		return fmt.Errorf("delete status of app %s on cluster %s: %w", app, cluster, err)
	}
	return nil
}
