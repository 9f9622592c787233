package gitrepo

import (
	"context"
	"fmt"
	"strconv"
	"strings"
)

// CommitsOptions narrows CommitsBetween. The zero value lists every
// commit.
type CommitsOptions struct {
	// Limit keeps the newest Limit commits; 0 or less keeps all.
	Limit int
	// NoMerges leaves out merge commits: what a rebase would replay.
	NoMerges bool
}

// CommitsBetween lists the commits reachable from head but not from base,
// newest first. For a pull request, base is its merge base.
func (r *Repo) CommitsBetween(ctx context.Context, base, head string, opts CommitsOptions) ([]string, error) {
	baseSHA, err := r.Resolve(ctx, base)
	if err != nil {
		return nil, fmt.Errorf("commits between %s and %s: %w", base, head, err)
	}
	headSHA, err := r.Resolve(ctx, head)
	if err != nil {
		return nil, fmt.Errorf("commits between %s and %s: %w", base, head, err)
	}
	args := []string{"rev-list"}
	if opts.NoMerges {
		args = append(args, "--no-merges")
	}
	if opts.Limit > 0 {
		args = append(args, "--max-count="+strconv.Itoa(opts.Limit))
	}
	out, err := r.git(ctx, append(args, headSHA, "^"+baseSHA, "--")...)
	if err != nil {
		return nil, fmt.Errorf("commits between %s and %s in %s: %w", base, head, r.loc, err)
	}
	return strings.Fields(string(out)), nil
}

// IsAncestor reports whether the commit a names is the commit head names
// or one of its ancestors: whether a is reachable from head.
func (r *Repo) IsAncestor(ctx context.Context, a, head string) (bool, error) {
	shaA, err := r.Resolve(ctx, a)
	if err != nil {
		return false, fmt.Errorf("is %s an ancestor of %s: %w", a, head, err)
	}
	headSHA, err := r.Resolve(ctx, head)
	if err != nil {
		return false, fmt.Errorf("is %s an ancestor of %s: %w", a, head, err)
	}
	_, err = r.git(ctx, "merge-base", "--is-ancestor", shaA, headSHA)
	switch {
	case err == nil:
		return true, nil
	case exitCode(err) == 1:
		return false, nil
	}
	return false, fmt.Errorf("is %s an ancestor of %s in %s: %w", a, head, r.loc, err)
}
