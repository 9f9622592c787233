package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
)

// CommentIDs returns the ids of the comments gitwave posted on pull request
// pr of repo, in the order they appear (a long report spans several). A PR
// gitwave never commented on has none; that is not an error.
func (s *Store) CommentIDs(ctx context.Context, repo string, pr int) ([]string, error) {
	var blob string
	err := s.queryRow(ctx, s.db, `SELECT ids FROM pr_comments WHERE repo = ? AND pr = ?`, repo, pr).Scan(&blob)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read comment ids of %s#%d: %w", repo, pr, err)
	}
	var ids []string
	if err := json.Unmarshal([]byte(blob), &ids); err != nil {
		return nil, fmt.Errorf("read comment ids of %s#%d: decode: %w", repo, pr, err)
	}
	if len(ids) == 0 {
		ids = nil
	}
	return ids, nil
}

// SetCommentIDs replaces the comment ids of pull request pr of repo; an
// empty list forgets them.
func (s *Store) SetCommentIDs(ctx context.Context, repo string, pr int, ids []string) error {
	if repo == "" || pr <= 0 {
		return fmt.Errorf("set comment ids: repo (%q) and a positive PR number (%d) are required", repo, pr)
	}
	var err error
	if len(ids) == 0 {
		_, err = s.exec(ctx, s.db, `DELETE FROM pr_comments WHERE repo = ? AND pr = ?`, repo, pr)
	} else {
		blob, _ := json.Marshal(ids) // a []string always encodes
		_, err = s.exec(ctx, s.db, `INSERT INTO pr_comments (repo, pr, ids, updated_us) VALUES (?, ?, ?, ?)
			ON CONFLICT (repo, pr) DO UPDATE SET ids = excluded.ids, updated_us = excluded.updated_us`,
			repo, pr, string(blob), micros(s.now()))
	}
	if err != nil {
		return fmt.Errorf("set comment ids of %s#%d: %w", repo, pr, err)
	}
	return nil
}
