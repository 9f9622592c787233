package bot

import (
	"context"
	"fmt"
	"slices"

	"github.com/gitwave/gitwave/gitrepo"
)

// maxPolicyWalk bounds how many commits a merge that Git cannot place
// exactly is checked against; a longer walk refuses to deploy.
const maxPolicyWalk = 100

// mergeGate is what a merge is checked with: the changed files are
// forkBase..the pull request's head, and the policy of every commit in
// policies must allow them. The default branch just before the merge is
// always one of policies; the others are only ever stricter.
type mergeGate struct {
	forkBase string
	policies []string
	// refusal, when set, says why the merge cannot be checked.
	refusal string
}

// gateOfMerge works out the default branch just before a merge. Git
// records it exactly only in a merge commit (its first parent). A squash
// merge is one new commit on it, so its parent is exact too. A rebase
// merge replays the pull request's commits, so the first parents of the
// merge are the pull request's own commits down to the default branch
// before: each of them is checked, which an author cannot loosen. A
// fast-forward leaves only the host's base commit; every commit between it
// and the head is checked.
func (b *Bot) gateOfMerge(ctx context.Context, co *checkout, pr *PR, merge, prHead string) (mergeGate, error) {
	if merge == prHead {
		return b.fastForwardGate(ctx, co, pr, prHead)
	}
	c, err := co.git.Commit(ctx, merge)
	if err != nil {
		return mergeGate{}, err
	}
	if len(c.Parents) == 0 {
		return mergeGate{}, permanent(fmt.Errorf("merge %s of #%d has no parent", short(merge), pr.Number))
	}
	first := c.Parents[0]
	mb, err := co.git.MergeBase(ctx, first, prHead)
	if err != nil {
		return mergeGate{}, err
	}
	g := mergeGate{forkBase: mb, policies: []string{first}}
	if slices.Contains(c.Parents[1:], prHead) {
		return g, nil // a merge commit
	}
	replayed, err := co.git.CommitsBetween(ctx, mb, prHead, gitrepo.CommitsOptions{NoMerges: true, Limit: maxPolicyWalk + 1})
	if err != nil {
		return mergeGate{}, err
	}
	if len(replayed) > maxPolicyWalk {
		g.refusal = fmt.Sprintf("the merge of #%d is not a merge commit and the pull request has more than %d commits, so gitwave cannot tell which commit of the default branch it was merged onto; deploy it with a merge commit, or push it and let the push deploy it", pr.Number, maxPolicyWalk)
		return g, nil
	}
	ids, err := commitIdentities(ctx, co, replayed)
	if err != nil {
		return mergeGate{}, err
	}
	if !ids[identity(c)] {
		return g, nil // a squash: one commit of its own on the default branch before
	}
	g.policies, err = walkFirstParents(ctx, co, first, mb, len(replayed)+1, func(c gitrepo.CommitInfo) bool { return ids[identity(c)] })
	return g, err
}

// fastForwardGate checks a merge that moved the default branch to the pull
// request's head: the default branch before was an ancestor of the head,
// no older than the host's base commit; every commit between is checked.
func (b *Bot) fastForwardGate(ctx context.Context, co *checkout, pr *PR, prHead string) (mergeGate, error) {
	if pr.BaseSHA == "" {
		return mergeGate{refusal: fmt.Sprintf("#%d was fast-forwarded and the host did not say onto which commit", pr.Number)}, nil
	}
	base, err := co.resolve(ctx, pr.BaseSHA)
	if err != nil {
		return mergeGate{}, err
	}
	mb, err := co.git.MergeBase(ctx, base, prHead)
	if err != nil {
		return mergeGate{}, err
	}
	between, err := co.git.CommitsBetween(ctx, mb, prHead, gitrepo.CommitsOptions{Limit: maxPolicyWalk + 1})
	if err != nil {
		return mergeGate{}, err
	}
	if len(between) > maxPolicyWalk {
		return mergeGate{refusal: fmt.Sprintf("#%d was fast-forwarded over more than %d commits, too many to check", pr.Number, maxPolicyWalk)}, nil
	}
	policies := append(slices.DeleteFunc(between, func(s string) bool { return s == prHead }), mb)
	return mergeGate{forkBase: mb, policies: policies}, nil
}

// walkFirstParents lists start and its first parents, at most limit: it
// stops after fork (or an ancestor of it) and after the first commit that
// is not a replayed commit of the pull request.
func walkFirstParents(ctx context.Context, co *checkout, start, fork string, limit int, replayed func(gitrepo.CommitInfo) bool) ([]string, error) {
	var out []string
	for sha := start; len(out) < limit; {
		out = append(out, sha)
		if old, err := co.git.IsAncestor(ctx, sha, fork); err != nil || old {
			return out, err
		}
		c, err := co.git.Commit(ctx, sha)
		if err != nil {
			return nil, err
		}
		if !replayed(c) || len(c.Parents) == 0 {
			break
		}
		sha = c.Parents[0]
	}
	return out, nil
}

// commitIdentities are the identities of commits, as a set.
func commitIdentities(ctx context.Context, co *checkout, shas []string) (map[string]bool, error) {
	out := map[string]bool{}
	for _, sha := range shas {
		c, err := co.git.Commit(ctx, sha)
		if err != nil {
			return nil, err
		}
		out[identity(c)] = true
	}
	return out, nil
}

// identity is what a rebase keeps of a commit: its author, author time and
// message.
func identity(c gitrepo.CommitInfo) string {
	return fmt.Sprintf("%s\x00%d\x00%s", c.Author, c.AuthorTime.Unix(), c.Message)
}
