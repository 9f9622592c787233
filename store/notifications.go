package store

import (
	"context"
	"fmt"
	"time"
)

// ClaimNotification records that the notification key of scope (an app ×
// cluster) is about to be sent and reports whether this caller claimed it.
// False means it was sent, or is being sent by this replica or another
// since less than lease ago, and must not be sent again. A claim older than
// lease that was never confirmed (its sender died) is claimed anew.
func (s *Store) ClaimNotification(ctx context.Context, scope, key string, lease time.Duration) (bool, error) {
	if scope == "" || key == "" || lease <= 0 {
		return false, fmt.Errorf("claim notification: scope (%q), key (%q) and a positive lease (%s) are required", scope, key, lease)
	}
	now := s.now()
	res, err := s.exec(ctx, s.db, `INSERT INTO notifications_sent (scope, notif_key, claimed_us, sent_us) VALUES (?, ?, ?, 0)
		ON CONFLICT (scope, notif_key) DO UPDATE SET claimed_us = excluded.claimed_us
		WHERE notifications_sent.sent_us = 0 AND notifications_sent.claimed_us < ?`,
		scope, key, micros(now), micros(now.Add(-lease)))
	if err != nil {
		return false, fmt.Errorf("claim notification %s for %s: %w", key, scope, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return false, fmt.Errorf("claim notification %s for %s: %w", key, scope, err)
	}
	return n == 1, nil
}

// ConfirmNotification records that the claimed notification key of scope
// was delivered: it is never claimed again until released.
func (s *Store) ConfirmNotification(ctx context.Context, scope, key string) error {
	if _, err := s.exec(ctx, s.db, `UPDATE notifications_sent SET sent_us = ? WHERE scope = ? AND notif_key = ?`,
		micros(s.now()), scope, key); err != nil {
		return fmt.Errorf("confirm notification %s for %s: %w", key, scope, err)
	}
	return nil
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
