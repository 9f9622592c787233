package gitrepo

import (
	"bytes"
	"context"
	"fmt"
	"slices"
)

// ChangedFiles lists the paths that differ between the commits base and head
// name, sorted. Renames are not detected, so a renamed file reports both its
// old and its new path; a deleted file reports its old path. For a pull
// request, pass MergeBase(base, head) as base to see only the head's changes.
func (r *Repo) ChangedFiles(ctx context.Context, base, head string) ([]string, error) {
	baseSHA, err := r.Resolve(ctx, base)
	if err != nil {
		return nil, fmt.Errorf("changed files between %s and %s: %w", base, head, err)
	}
	headSHA, err := r.Resolve(ctx, head)
	if err != nil {
		return nil, fmt.Errorf("changed files between %s and %s: %w", base, head, err)
	}
	out, err := r.git(ctx, "diff", "--name-only", "-z", "--no-renames", "--no-ext-diff", "--no-textconv", "-O/dev/null", baseSHA, headSHA, "--")
	if err != nil {
		return nil, fmt.Errorf("changed files between %s and %s in %s: %w", base, head, r.loc, err)
	}
	var files []string
	for name := range bytes.SplitSeq(out, []byte{0}) {
		if len(name) > 0 {
			files = append(files, string(name))
		}
	}
	slices.Sort(files)
	return slices.Compact(files), nil
}
