package store

import (
	"context"
	"fmt"
	"time"
)

// TryLock takes the lock name for holder until ttl from now, or renews it
// when holder already has it. It returns false, and changes nothing, while
// another holder's lock has not expired. Replicas call it on every tick of
// their schedule with the same ttl; the one that gets true runs the job.
func (s *Store) TryLock(ctx context.Context, name, holder string, ttl time.Duration) (bool, error) {
	if name == "" || holder == "" || ttl <= 0 {
		return false, fmt.Errorf("lock %q for %q: name, holder and a positive ttl (%s) are required", name, holder, ttl)
	}
	now := s.now()
	res, err := s.exec(ctx, s.db, `INSERT INTO locks (name, holder, expires_us) VALUES (?, ?, ?)
		ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, expires_us = excluded.expires_us
		WHERE locks.holder = excluded.holder OR locks.expires_us <= ?`,
		name, holder, micros(now.Add(ttl)), micros(now))
	if err != nil {
		return false, fmt.Errorf("lock %q for %q: %w", name, holder, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return false, fmt.Errorf("lock %q for %q: %w", name, holder, err)
	}
	return n == 1, nil
}

// Unlock releases the lock name if holder has it, so that another replica
// can take it at once instead of waiting for the ttl (on shutdown).
func (s *Store) Unlock(ctx context.Context, name, holder string) error {
	if _, err := s.exec(ctx, s.db, `DELETE FROM locks WHERE name = ? AND holder = ?`, name, holder); err != nil {
		return fmt.Errorf("unlock %q for %q: %w", name, holder, err)
	}
	return nil
}
