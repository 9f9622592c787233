package store

import (
	"context"
	"fmt"
	"time"
)

// Pin holds an app on a cluster at a revision after a rollback, so that
// self-heal does not undo it, until Git catches up (the revert PR merges) or
// someone syncs again.
type Pin struct {
	App       string
	Cluster   string
	Revision  string
	Reason    string
	By        string // who rolled back
	RevertPR  string // the revert pull request, e.g. "acme/k8s-gitops#42", once opened
	CreatedAt time.Time
}

// SetPin pins p.App on p.Cluster, replacing an existing pin there.
// CreatedAt defaults to now.
func (s *Store) SetPin(ctx context.Context, p Pin) error {
	if p.App == "" || p.Cluster == "" || p.Revision == "" {
		return fmt.Errorf("pin: app (%q), cluster (%q) and revision (%q) are required", p.App, p.Cluster, p.Revision)
	}
	if p.CreatedAt.IsZero() {
		p.CreatedAt = s.now()
	}
	_, err := s.exec(ctx, s.db, `INSERT INTO pins (app, cluster, revision, reason, pinned_by, revert_pr, created_us)
		VALUES (?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (app, cluster) DO UPDATE SET revision = excluded.revision, reason = excluded.reason,
			pinned_by = excluded.pinned_by, revert_pr = excluded.revert_pr, created_us = excluded.created_us`,
		p.App, p.Cluster, p.Revision, p.Reason, p.By, p.RevertPR, micros(p.CreatedAt))
	if err != nil {
		return fmt.Errorf("pin app %s on cluster %s to %s: %w", p.App, p.Cluster, p.Revision, err)
	}
	return nil
}

// Pins returns the pins of app, ordered by cluster; app "" returns every
// app's pins, ordered by app then cluster.
func (s *Store) Pins(ctx context.Context, app string) ([]Pin, error) {
	q := `SELECT app, cluster, revision, reason, pinned_by, revert_pr, created_us FROM pins`
	var args []any
	if app != "" {
		q += ` WHERE app = ?`
		args = append(args, app)
	}
	rows, err := s.query(ctx, s.db, q+` ORDER BY app, cluster`, args...)
	if err != nil {
		return nil, fmt.Errorf("read pins of app %q: %w", app, err)
	}
	defer rows.Close()
	var out []Pin
	for rows.Next() {
		var p Pin
		var created int64
		if err := rows.Scan(&p.App, &p.Cluster, &p.Revision, &p.Reason, &p.By, &p.RevertPR, &created); err != nil {
			return nil, fmt.Errorf("read pins of app %q: %w", app, err)
		}
		p.CreatedAt = fromMicros(created)
		out = append(out, p)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read pins of app %q: %w", app, err)
	}
	return out, nil
}

// ClearPin lifts the pin of app on cluster, or on every cluster when cluster
// is "". Clearing a pin that does not exist is not an error.
func (s *Store) ClearPin(ctx context.Context, app, cluster string) error {
	if app == "" {
		return fmt.Errorf("clear pin: app is required")
	}
	q, args := `DELETE FROM pins WHERE app = ?`, []any{app}
	if cluster != "" {
		q += ` AND cluster = ?`
		args = append(args, cluster)
	}
	if _, err := s.exec(ctx, s.db, q, args...); err != nil {
		return fmt.Errorf("clear pin of app %s%s: %w", app, onCluster(cluster), err)
	}
	return nil
}
