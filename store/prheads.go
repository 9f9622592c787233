package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
)

// DiffedHead returns the head commit that gitwave's diff comment on pull
// request pr of repo last described, or "" when gitwave never diffed it.
func (s *Store) DiffedHead(ctx context.Context, repo string, pr int) (string, error) {
	var head string
	err := s.queryRow(ctx, s.db, `SELECT head FROM pr_heads WHERE repo = ? AND pr = ?`, repo, pr).Scan(&head)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("read diffed head of %s#%d: %w", repo, pr, err)
	}
	return head, nil
}

// SetDiffedHead records that gitwave's diff comment on pull request pr of
// repo now describes head.
func (s *Store) SetDiffedHead(ctx context.Context, repo string, pr int, head string) error {
	if repo == "" || pr <= 0 || head == "" {
		return fmt.Errorf("set diffed head: repo (%q), a positive PR number (%d) and a head (%q) are required", repo, pr, head)
	}
	_, err := s.exec(ctx, s.db, `INSERT INTO pr_heads (repo, pr, head, updated_us) VALUES (?, ?, ?, ?)
		ON CONFLICT (repo, pr) DO UPDATE SET head = excluded.head, updated_us = excluded.updated_us`,
		repo, pr, head, micros(s.now()))
	if err != nil {
		return fmt.Errorf("set diffed head of %s#%d to %s: %w", repo, pr, head, err)
	}
	return nil
}
