package github

import (
	"context"
	"fmt"
	"strconv"

	gh "github.com/google/go-github/v60/github"

	"github.com/gitwave/gitwave/bot"
)

// pageSize is the largest page GitHub serves.
const pageSize = 100

// Comments lists a pull request's issue comments, oldest first, following
// every page.
func (h *Host) Comments(ctx context.Context, repo string, pr int) ([]bot.Comment, error) {
	inst, owner, name, err := h.client(ctx, repo)
	if err != nil {
		return nil, err
	}
	opts := &gh.IssueListCommentsOptions{
		Sort:        gh.String("created"),
		Direction:   gh.String("asc"),
		ListOptions: gh.ListOptions{PerPage: pageSize},
	}
	var out []bot.Comment
	for {
		page, resp, err := inst.client.Issues.ListComments(ctx, owner, name, pr, opts)
		if err != nil {
			return nil, fmt.Errorf("github: list comments of %s#%d: %w", repo, pr, err)
		}
		for _, c := range page {
			out = append(out, *comment(c))
		}
		if resp.NextPage == 0 {
			return out, nil
		}
		opts.Page = resp.NextPage
	}
}

// CreateComment posts a comment on a pull request and returns its id.
// GitHub refuses bodies over MaxCommentLength characters.
func (h *Host) CreateComment(ctx context.Context, repo string, pr int, body string) (string, error) {
	inst, owner, name, err := h.client(ctx, repo)
	if err != nil {
		return "", err
	}
	c, _, err := inst.client.Issues.CreateComment(ctx, owner, name, pr, &gh.IssueComment{Body: &body})
	if err != nil {
		return "", fmt.Errorf("github: comment on %s#%d: %w", repo, pr, err)
	}
	return strconv.FormatInt(c.GetID(), 10), nil
}

// EditComment replaces a comment's body.
func (h *Host) EditComment(ctx context.Context, repo string, pr int, id, body string) error {
	commentID, err := parseID(id)
	if err != nil {
		return fmt.Errorf("github: edit comment on %s#%d: %w", repo, pr, err)
	}
	inst, owner, name, err := h.client(ctx, repo)
	if err != nil {
		return err
	}
	if _, _, err := inst.client.Issues.EditComment(ctx, owner, name, commentID, &gh.IssueComment{Body: &body}); err != nil {
		return fmt.Errorf("github: edit comment %s on %s#%d: %w", id, repo, pr, err)
	}
	return nil
}

// React adds a reaction ("eyes", "+1", "-1", "rocket", ...) to a comment.
func (h *Host) React(ctx context.Context, repo string, pr int, commentID, reaction string) error {
	id, err := parseID(commentID)
	if err != nil {
		return fmt.Errorf("github: react on %s#%d: %w", repo, pr, err)
	}
	inst, owner, name, err := h.client(ctx, repo)
	if err != nil {
		return err
	}
	if _, _, err := inst.client.Reactions.CreateIssueCommentReaction(ctx, owner, name, id, reaction); err != nil {
		return fmt.Errorf("github: react %q to comment %s on %s#%d: %w", reaction, commentID, repo, pr, err)
	}
	return nil
}

func parseID(id string) (int64, error) {
	n, err := strconv.ParseInt(id, 10, 64)
	if err != nil || n <= 0 {
		return 0, fmt.Errorf("comment id %q is not a positive number", id)
	}
	return n, nil
}
