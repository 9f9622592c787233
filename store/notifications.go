package store

import (
	"context"
	"fmt"
)

// ClaimNotification records that the notification key of scope (an app ×
// cluster) is being sent and reports whether this caller claimed it: false
// means it was already claimed, by this replica or another, and must not be
// sent again.
func (s *Store) ClaimNotification(ctx context.Context, scope, key string) (bool, error) {
	if scope == "" || key == "" {
		return false, fmt.Errorf("claim notification: scope (%q) and key (%q) are required", scope, key)
	}
	res, err := s.exec(ctx, s.db, `INSERT INTO notifications_sent (scope, notif_key, sent_us) VALUES (?, ?, ?)
		ON CONFLICT (scope, notif_key) DO NOTHING`, scope, key, micros(s.now()))
	if err != nil {
		return false, fmt.Errorf("claim notification %s for %s: %w", key, scope, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return false, fmt.Errorf("claim notification %s for %s: %w", key, scope, err)
	}
	return n == 1, nil
}

// ReleaseNotification forgets the notification key of scope, so that it is
// sent again the next time its condition holds: after a failed delivery, or
// when the condition of a trigger without oncePer no longer holds. Releasing
// a key that is not recorded is not an error.
func (s *Store) ReleaseNotification(ctx context.Context, scope, key string) error {
	if _, err := s.exec(ctx, s.db, `DELETE FROM notifications_sent WHERE scope = ? AND notif_key = ?`, scope, key); err != nil {
		return fmt.Errorf("release notification %s for %s: %w", key, scope, err)
	}
	return nil
}
