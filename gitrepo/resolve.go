package gitrepo

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strings"
)

// ErrRevisionNotFound is wrapped by Resolve's error when no commit matches
// the revision, even after fetching.
var ErrRevisionNotFound = errors.New("revision not found")

// fullSHA matches a full SHA-1 or SHA-256 object name.
var fullSHA = regexp.MustCompile(`^([0-9a-f]{40}|[0-9a-f]{64})$`)

// Resolve returns the full SHA of the commit rev names: a branch, a tag, a
// full or short SHA, an expression such as HEAD~1, or a remote-tracking name
// such as origin/main (on a URL mirror, origin/X is the branch X). On a URL
// mirror a name is looked up after a fetch (see Options.FetchInterval) and a
// full SHA that is missing is fetched by itself.
func (r *Repo) Resolve(ctx context.Context, rev string) (string, error) {
	if !validRev(rev) {
		return "", fmt.Errorf("resolve %q in %s: not a revision", rev, r.loc)
	}
	if !r.loc.remote() {
		return r.find(ctx, rev)
	}
	if fullSHA.MatchString(rev) {
		if sha, err := r.lookup(ctx, rev); err != nil || sha != "" {
			return r.answer(rev, sha, err)
		}
		if err := r.fetchSHA(ctx, rev); err != nil {
			// Some servers refuse a SHA that no ref advertises: fetch
			// everything and look again.
			r.opts.Logger.Debug("fetch by SHA failed, fetching all refs", "repo", r.loc.String(), "error", err)
			if err := r.Fetch(ctx); err != nil {
				return "", fmt.Errorf("resolve %q: %w", rev, err)
			}
		}
		return r.find(ctx, rev)
	}
	fetched, err := r.fetchIfStale(ctx)
	if err != nil {
		return "", fmt.Errorf("resolve %q: %w", rev, err)
	}
	sha, err := r.lookup(ctx, rev)
	if err != nil || sha != "" || fetched {
		return r.answer(rev, sha, err)
	}
	if err := r.Fetch(ctx); err != nil {
		return "", fmt.Errorf("resolve %q: %w", rev, err)
	}
	return r.find(ctx, rev)
}

// Lookup returns the full SHA of the commit rev names among what the
// repository already holds, never fetching, whatever FetchInterval says: for
// a caller that fetches a URL mirror on its own schedule (Fetch) and looks
// names up in between. rev is read as git reads it (a branch, tag, SHA or
// expression); unlike Resolve, origin/X is not taken for the branch X, as
// Argo CD does not take it for a targetRevision. Its error wraps
// ErrRevisionNotFound when nothing matches.
func (r *Repo) Lookup(ctx context.Context, rev string) (string, error) {
	if !validRev(rev) {
		return "", fmt.Errorf("look up %q in %s: not a revision", rev, r.loc)
	}
	sha, err := r.lookupNames(ctx, rev, []string{rev})
	return r.answer(rev, sha, err)
}

// validRev reports whether rev may be handed to git as a revision: not
// empty, not an option, one line.
func validRev(rev string) bool {
	return rev != "" && !strings.HasPrefix(rev, "-") && !strings.ContainsAny(rev, "\x00\n")
}

// find looks rev up without fetching and returns Resolve's answer.
func (r *Repo) find(ctx context.Context, rev string) (string, error) {
	sha, err := r.lookup(ctx, rev)
	return r.answer(rev, sha, err)
}

// answer is Resolve's result for rev given what lookup found.
func (r *Repo) answer(rev, sha string, err error) (string, error) {
	switch {
	case err != nil:
		return "", fmt.Errorf("resolve %q in %s: %w", rev, r.loc, err)
	case sha == "":
		return "", &notFoundError{rev: rev, repo: r.loc.String()}
	}
	return sha, nil
}

// notFoundError says which revision is missing from which repository.
type notFoundError struct {
	rev, repo string
}

// Error returns "revision REV not found in REPO".
func (e *notFoundError) Error() string {
	return fmt.Sprintf("revision %s not found in %s", e.rev, e.repo)
}

// Is makes errors.Is match ErrRevisionNotFound.
func (e *notFoundError) Is(target error) bool { return target == ErrRevisionNotFound }

// lookup resolves rev against what is already in the repository, without
// fetching. It returns "" when nothing matches.
func (r *Repo) lookup(ctx context.Context, rev string) (string, error) {
	return r.lookupNames(ctx, rev, r.candidates(rev))
}

// lookupNames resolves the first of names that names a commit, for the
// revision rev a caller asked for; "" when none does.
func (r *Repo) lookupNames(ctx context.Context, rev string, names []string) (string, error) {
	if _, ok := r.commits.Load(rev); ok {
		return rev, nil
	}
	for _, candidate := range names {
		out, err := r.git(ctx, "rev-parse", "--verify", "--quiet", "--end-of-options", candidate+"^{commit}")
		if err == nil {
			sha := strings.TrimSpace(string(out))
			r.commits.Store(sha, true)
			return sha, nil
		}
		if exitCode(err) != 1 {
			return "", err
		}
	}
	return "", nil
}

// candidates lists the names tried for rev: rev itself and, on a mirror,
// origin/X as the branch X.
func (r *Repo) candidates(rev string) []string {
	out := []string{rev}
	if r.loc.remote() {
		if branch, ok := strings.CutPrefix(rev, "origin/"); ok {
			out = append(out, "refs/heads/"+branch)
		}
	}
	return out
}

// MergeBase returns the best common ancestor of the commits a and b name,
// the base a pull request's changes are computed from.
func (r *Repo) MergeBase(ctx context.Context, a, b string) (string, error) {
	shaA, err := r.Resolve(ctx, a)
	if err != nil {
		return "", fmt.Errorf("merge base of %s and %s: %w", a, b, err)
	}
	shaB, err := r.Resolve(ctx, b)
	if err != nil {
		return "", fmt.Errorf("merge base of %s and %s: %w", a, b, err)
	}
	out, err := r.git(ctx, "merge-base", shaA, shaB)
	if exitCode(err) == 1 {
		return "", fmt.Errorf("merge base of %s and %s in %s: no common ancestor", a, b, r.loc)
	}
	if err != nil {
		return "", fmt.Errorf("merge base of %s and %s in %s: %w", a, b, r.loc, err)
	}
	return strings.TrimSpace(string(out)), nil
}
