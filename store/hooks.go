package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
)

// HookSucceeded records that hook (a stable name for one hook of the sync,
// without a newline) ran to success in the current attempt of Running sync
// id, so that a replica resuming the sync skips it (SucceededHooks). A sync
// that is no longer Running is left as it is.
func (s *Store) HookSucceeded(ctx context.Context, id int64, hook string) error {
	if hook == "" || strings.ContainsAny(hook, "\n") {
		return fmt.Errorf("record hook of sync %d: name %q must be one non-empty line", id, hook)
	}
	if _, err := s.exec(ctx, s.db, `UPDATE syncs SET hooks_done = hooks_done || ? WHERE id = ? AND phase = ?`,
		hook+"\n", id, PhaseRunning); err != nil {
		return fmt.Errorf("record hook %s of sync %d: %w", hook, id, err)
	}
	return nil
}

// SucceededHooks returns the hooks recorded by HookSucceeded for sync id
// since its current attempt began (ClearHooks). An unknown id has none.
func (s *Store) SucceededHooks(ctx context.Context, id int64) ([]string, error) {
	var done string
	err := s.queryRow(ctx, s.db, `SELECT hooks_done FROM syncs WHERE id = ?`, id).Scan(&done)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("read the finished hooks of sync %d: %w", id, err)
	}
	var hooks []string
	for h := range strings.SplitSeq(done, "\n") {
		if h != "" {
			hooks = append(hooks, h)
		}
	}
	return hooks, nil
}

// ClearHooks forgets the hooks sync id ran, as a new attempt of the sync
// (a retry) begins: that attempt runs every hook again.
func (s *Store) ClearHooks(ctx context.Context, id int64) error {
	if _, err := s.exec(ctx, s.db, `UPDATE syncs SET hooks_done = '' WHERE id = ?`, id); err != nil {
		return fmt.Errorf("clear the finished hooks of sync %d: %w", id, err)
	}
	return nil
}
