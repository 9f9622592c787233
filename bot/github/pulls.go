package github

import (
	"context"
	"fmt"

	gh "github.com/google/go-github/v60/github"

	"github.com/gitwave/gitwave/bot"
)

// OpenPR opens a pull request from head to base.
func (h *Host) OpenPR(ctx context.Context, repo string, pr bot.NewPR) (bot.PR, error) {
	inst, owner, name, err := h.client(ctx, repo)
	if err != nil {
		return bot.PR{}, err
	}
	created, _, err := inst.client.PullRequests.Create(ctx, owner, name, &gh.NewPullRequest{
		Title: gh.String(pr.Title),
		Head:  gh.String(pr.Head),
		Base:  gh.String(pr.Base),
		Body:  gh.String(pr.Body),
	})
	if err != nil {
		return bot.PR{}, fmt.Errorf("github: open pull request %s -> %s on %s: %w", pr.Head, pr.Base, repo, err)
	}
	return *pullRequest(created), nil
}

// PullRequest reads a pull request, for what a comment event does not
// carry (the head sha).
func (h *Host) PullRequest(ctx context.Context, repo string, number int) (bot.PR, error) {
	inst, owner, name, err := h.client(ctx, repo)
	if err != nil {
		return bot.PR{}, err
	}
	pr, _, err := inst.client.PullRequests.Get(ctx, owner, name, number)
	if err != nil {
		return bot.PR{}, fmt.Errorf("github: read pull request %s#%d: %w", repo, number, err)
	}
	return *pullRequest(pr), nil
}
