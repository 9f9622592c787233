package bot

import (
	"context"
	"sync"

	"github.com/gitwave/gitwave/config"
	"github.com/gitwave/gitwave/planner"
)

// jobRevisions are the revisions of served repositories one job has
// discovered, by repository and commit, each with the plans made of its
// apps: a job discovers a revision once, whichever step asks first
// (holdsApps, the diff, the sync). A nil *jobRevisions keeps nothing.
type jobRevisions struct {
	mu   sync.Mutex
	revs map[string]*planner.Revision
}

func newJobRevisions() *jobRevisions {
	return &jobRevisions{revs: map[string]*planner.Revision{}}
}

func revisionKey(repo config.Repo, sha string) string {
	return repoKey(repo.Host, repo.Name) + "@" + sha
}

func (j *jobRevisions) get(repo config.Repo, sha string) *planner.Revision {
	if j == nil {
		return nil
	}
	j.mu.Lock()
	defer j.mu.Unlock()
	return j.revs[revisionKey(repo, sha)]
}

func (j *jobRevisions) put(repo config.Repo, rev *planner.Revision) {
	if j == nil {
		return
	}
	j.mu.Lock()
	defer j.mu.Unlock()
	j.revs[revisionKey(repo, rev.Source.Revision)] = rev
}

// discoverAt reads co's repository at rev (a branch, a tag or a commit)
// and discovers its apps: the one way bot goes from a fetched repository
// to a revision's apps. A revision t already discovered is not discovered
// again. A full SHA is read as it is, without resolving it again.
func (b *Bot) discoverAt(ctx context.Context, t *task, co *checkout, rev string) (planner.Source, *planner.Inventory, error) {
	r, err := b.revisionAt(ctx, t, co, rev)
	if err != nil {
		return planner.Source{}, nil, err
	}
	return r.Source, r.Inventory, nil
}

// revisionAt is discoverAt's Revision, with the plans t made of it.
func (b *Bot) revisionAt(ctx context.Context, t *task, co *checkout, rev string) (*planner.Revision, error) {
	sha := rev
	if !fullSHA.MatchString(rev) {
		var err error
		if sha, err = co.resolve(ctx, rev); err != nil {
			return nil, err
		}
	}
	if r := t.revs.get(co.repo, sha); r != nil {
		return r, nil
	}
	return b.discoverSibling(ctx, t, co, sha, nil)
}

// diffAt diffs co's repository from base to head (full SHAs), discovering
// only the revisions t has not, and keeps both revisions for the job's
// later steps.
func (b *Bot) diffAt(ctx context.Context, t *task, co *checkout, base, head string, opts planner.DiffOptions) (*planner.Report, error) {
	baseRev, headRev := t.revs.get(co.repo, base), t.revs.get(co.repo, head)
	if baseRev == nil && headRev == nil {
		baseSrc, err := co.source(ctx, base)
		if err != nil {
			return nil, err
		}
		headSrc, err := co.source(ctx, head)
		if err != nil {
			return nil, err
		}
		rep, err := b.planner.DiffRevisions(ctx, baseSrc, headSrc, opts)
		if err != nil {
			return nil, err
		}
		t.revs.put(co.repo, rep.BaseRevision)
		t.revs.put(co.repo, rep.HeadRevision)
		return rep, nil
	}
	var err error
	if headRev == nil {
		if headRev, err = b.discoverSibling(ctx, t, co, head, baseRev); err != nil {
			return nil, err
		}
	}
	if baseRev == nil {
		if baseRev, err = b.discoverSibling(ctx, t, co, base, headRev); err != nil {
			return nil, err
		}
	}
	return b.planner.Diff(ctx, baseRev, headRev, opts)
}

// discoverSibling discovers co's repository at sha, reading other
// repositories as sibling did (nil: afresh), and keeps it for t.
func (b *Bot) discoverSibling(ctx context.Context, t *task, co *checkout, sha string, sibling *planner.Revision) (*planner.Revision, error) {
	src, err := co.source(ctx, sha)
	if err != nil {
		return nil, err
	}
	r, err := b.planner.DiscoverRevision(ctx, src, sibling)
	if err != nil {
		return nil, err
	}
	t.revs.put(co.repo, r)
	return r, nil
}
