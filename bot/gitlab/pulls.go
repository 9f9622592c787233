package gitlab

import (
	"context"
	"fmt"

	gl "gitlab.com/gitlab-org/api/client-go"

	"github.com/gitwave/gitwave/bot"
)

// OpenPR opens a merge request from head to base.
func (h *Host) OpenPR(ctx context.Context, repo string, pr bot.NewPR) (bot.PR, error) {
	if err := checkRepo(repo); err != nil {
		return bot.PR{}, err
	}
	mr, _, err := h.client.MergeRequests.CreateMergeRequest(repo, &gl.CreateMergeRequestOptions{
		Title:        gl.Ptr(pr.Title),
		Description:  gl.Ptr(pr.Body),
		SourceBranch: gl.Ptr(pr.Head),
		TargetBranch: gl.Ptr(pr.Base),
	}, gl.WithContext(ctx))
	if err != nil {
		return bot.PR{}, fmt.Errorf("gitlab: open merge request %s -> %s on %s: %w", pr.Head, pr.Base, repo, err)
	}
	return mergeRequest(mr), nil
}

// PullRequest reads a merge request, for what a webhook does not carry (the
// author's username on updates and merges).
func (h *Host) PullRequest(ctx context.Context, repo string, number int) (bot.PR, error) {
	if err := checkRepo(repo); err != nil {
		return bot.PR{}, err
	}
	mr, _, err := h.client.MergeRequests.GetMergeRequest(repo, int64(number), nil, gl.WithContext(ctx))
	if err != nil {
		return bot.PR{}, fmt.Errorf("gitlab: read merge request %s!%d: %w", repo, number, err)
	}
	return mergeRequest(mr), nil
}

func mergeRequest(mr *gl.MergeRequest) bot.PR {
	pr := bot.PR{
		Number:  int(mr.IID),
		Title:   mr.Title,
		HeadSHA: mr.SHA,
		HeadRef: mr.SourceBranch,
		BaseRef: mr.TargetBranch,
		Merged:  mr.State == "merged",
		URL:     mr.WebURL,
		Body:    mr.Description,
	}
	if mr.Author != nil {
		pr.Author = mr.Author.Username
	}
	if mr.DiffRefs.BaseSha != "" {
		pr.BaseSHA = mr.DiffRefs.BaseSha
	}
	if pr.Merged {
		pr.MergeSHA = mr.MergeCommitSHA
	}
	return pr
}
