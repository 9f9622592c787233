package github

import (
	"context"
	"fmt"

	gh "github.com/google/go-github/v60/github"
)

// ChangedFiles lists the paths a pull request changes, following every
// page. A renamed file gives both its previous and its new path.
func (h *Host) ChangedFiles(ctx context.Context, repo string, pr int) ([]string, error) {
	inst, owner, name, err := h.client(ctx, repo)
	if err != nil {
		return nil, err
	}
	seen := map[string]bool{}
	var out []string
	add := func(path string) {
		if path != "" && !seen[path] {
			seen[path] = true
			out = append(out, path)
		}
	}
	opts := &gh.ListOptions{PerPage: pageSize}
	for {
		page, resp, err := inst.client.PullRequests.ListFiles(ctx, owner, name, pr, opts)
		if err != nil {
			return nil, fmt.Errorf("github: list changed files of %s#%d: %w", repo, pr, err)
		}
		for _, f := range page {
			add(f.GetPreviousFilename())
			add(f.GetFilename())
		}
		if resp.NextPage == 0 {
			return out, nil
		}
		opts.Page = resp.NextPage
	}
}
