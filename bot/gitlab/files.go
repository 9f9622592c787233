package gitlab

import (
	"context"
	"fmt"

	gl "gitlab.com/gitlab-org/api/client-go"
)

// ChangedFiles lists the paths a merge request changes, following every
// page of its diffs. A renamed file gives both its old and its new path.
func (h *Host) ChangedFiles(ctx context.Context, repo string, mr int) ([]string, error) {
	if err := checkRepo(repo); err != nil {
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
	opts := &gl.ListMergeRequestDiffsOptions{ListOptions: gl.ListOptions{PerPage: pageSize}}
	for {
		page, resp, err := h.client.MergeRequests.ListMergeRequestDiffs(repo, int64(mr), opts, gl.WithContext(ctx))
		if err != nil {
			return nil, fmt.Errorf("gitlab: list diffs of %s!%d: %w", repo, mr, err)
		}
		for _, d := range page {
			add(d.OldPath)
			add(d.NewPath)
		}
		if resp.NextPage == 0 {
			return out, nil
		}
		opts.Page = resp.NextPage
	}
}
