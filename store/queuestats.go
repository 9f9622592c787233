package store

import (
	"context"
	"fmt"
	"time"
)

// QueueStats is what the job queue holds now: the gitwave_queue_depth and
// gitwave_queue_oldest_seconds metrics.
type QueueStats struct {
	// Depth counts the jobs waiting for a worker: queued, their RunAfter
	// passed or not.
	Depth int
	// Oldest is how long the longest-waiting job that could run has been
	// due (now minus its RunAfter); zero when none is due.
	Oldest time.Duration
}

const sqlQueueStats = `SELECT COUNT(*),
	COALESCE(MIN(CASE WHEN run_after_us <= ? THEN run_after_us END), 0)
	FROM jobs WHERE state = 'queued'`

// QueueStats reads the depth and the age of the queue.
func (s *Store) QueueStats(ctx context.Context) (QueueStats, error) {
	now := micros(s.now())
	var st QueueStats
	var oldest int64
	if err := s.queryRow(ctx, s.db, sqlQueueStats, now).Scan(&st.Depth, &oldest); err != nil {
		return st, fmt.Errorf("read queue stats: %w", err)
	}
	if oldest > 0 {
		st.Oldest = time.Duration(now-oldest) * time.Microsecond
	}
	return st, nil
}
