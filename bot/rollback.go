package bot

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/gitwave/gitwave/bot/markdown"
	"github.com/gitwave/gitwave/planner"
	"github.com/gitwave/gitwave/reconcile"
	"github.com/gitwave/gitwave/store"
)

// maxRollbackSearch bounds how far back /rollback --to looks in history.
const maxRollbackSearch = 50

// rollbackPlan is one app on one cluster to roll back.
type rollbackPlan struct {
	app    *planner.App
	target string   // the revision to deploy
	newer  []string // the revisions deployed since, newest first: what the revert PR reverts
}

// runRollback deploys, for the app on each of its clusters the commenter
// may roll back, the revision deployed before (from history), pins it so
// that self-heal keeps it, and opens a revert pull request so that Git
// says the same; merging that pull request or a later /sync lifts the pin.
func (b *Bot) runRollback(ctx context.Context, t *task, _ PR, cmd *Command) (string, error) {
	co, err := b.mirrors.fetch(ctx, t.repo)
	if err != nil {
		return "", err
	}
	defer co.Close()
	if refusal, err := b.sourceRepoRefusal(ctx, t, co); err != nil || refusal != "" {
		return refusal, err
	}
	src, inv, err := b.discoverAt(ctx, t, co, t.repo.DefaultBranch)
	if err != nil {
		return "", err
	}
	tip := src.Revision
	apps := inv.Select(cmd.Apps[0], cmd.Cluster)
	if len(apps) == 0 {
		return fmt.Sprintf(":warning: no app %s%s on the default branch.", markdown.Code(cmd.Apps[0]), onCluster(cmd.Cluster)), nil
	}
	g, err := b.authorizer(ctx, t, co, "rollback")
	if err != nil {
		return "", err
	}
	allowed, skipped := g.split(apps)
	var results []reconcile.AppResult
	var revert []string
	for _, a := range allowed {
		rp, err := b.rollbackTarget(ctx, co, tip, a, cmd)
		if err != nil {
			skipped = append(skipped, skippedApp{a.Key(), markdown.Code(err.Error())})
			continue
		}
		res, err := b.rollbackOne(ctx, t, co, rp, g.subject.Login)
		if err != nil {
			return "", err
		}
		results = append(results, res)
		if res.Err == nil {
			revert = appendNew(revert, rp.newer...)
		}
	}
	answer := syncReport("", fmt.Sprintf("gitwave rolled back %s", markdown.Code(cmd.Apps[0])), results, skipped)
	if len(revert) == 0 {
		return answer, nil
	}
	return answer + "\n" + b.openRevert(ctx, t, co, tip, cmd.Apps[0], revert, results), nil
}

// rollbackTarget finds the revision to roll back to: --to, or the
// deployment --steps back in the app's history on its cluster. A --to
// revision must be one this app synced successfully on this cluster, or
// one the default branch (at tip) contains: never a branch no one merged.
func (b *Bot) rollbackTarget(ctx context.Context, co *checkout, tip string, a *planner.App, cmd *Command) (rollbackPlan, error) {
	rp := rollbackPlan{app: a}
	to := ""
	if cmd.To != "" {
		sha, err := co.resolve(ctx, cmd.To)
		if err != nil {
			return rp, err
		}
		to = sha
	}
	for i := 0; i < maxRollbackSearch; i++ {
		rec, err := b.opts.Store.LastSucceeded(ctx, a.Name, a.Cluster.Name, i)
		if errors.Is(err, store.ErrNotFound) {
			break
		}
		if err != nil {
			return rp, err
		}
		if (to == "" && i == cmd.Steps) || rec.Revision == to {
			if len(rp.newer) == 0 {
				return rp, fmt.Errorf("%s on %s already runs %s", a.Name, a.Cluster.Name, short(rec.Revision))
			}
			rp.target = rec.Revision
			return rp, nil
		}
		rp.newer = append(rp.newer, rec.Revision)
	}
	if to == "" {
		return rp, fmt.Errorf("no successful deployment %d step(s) back in the history of %s on %s", cmd.Steps, a.Name, a.Cluster.Name)
	}
	merged, err := co.git.IsAncestor(ctx, to, tip)
	if err != nil {
		return rp, err
	}
	switch {
	case !merged:
		return rp, fmt.Errorf("%s is neither in the last %d deployments of %s on %s nor on the default branch; /rollback deploys only what was deployed or merged",
			short(to), maxRollbackSearch, a.Name, a.Cluster.Name)
	case len(rp.newer) == 0:
		return rp, fmt.Errorf("%s was never deployed on %s by gitwave; there is nothing to roll back", a.Name, a.Cluster.Name)
	}
	// A merged revision never deployed here: deploy it, and revert what is
	// deployed now.
	rp.target, rp.newer = to, rp.newer[:1]
	return rp, nil
}

// rollbackOne syncs one app at its target revision and pins it there.
func (b *Bot) rollbackOne(ctx context.Context, t *task, co *checkout, rp rollbackPlan, by string) (reconcile.AppResult, error) {
	src, inv, err := b.discoverAt(ctx, t, co, rp.target)
	if err != nil {
		return reconcile.AppResult{}, err
	}
	old := inv.App(rp.app.Key())
	if old == nil {
		return reconcile.AppResult{App: rp.app, Err: fmt.Errorf("%s on %s does not exist at %s", rp.app.Name, rp.app.Cluster.Name, short(rp.target))}, nil
	}
	res := b.recs[repoKey(t.host.Name(), t.repo.Name)].Sync(ctx, src, inv, []*planner.App{old},
		reconcile.SyncOptions{Trigger: store.TriggerRollback, Initiator: by, Resume: t.rerun, StatusRepo: t.repo.Name})[0]
	if res.Err != nil {
		return res, nil
	}
	pin := store.Pin{App: old.Name, Cluster: old.Cluster.Name, Revision: rp.target, By: by,
		Reason: fmt.Sprintf("rolled back from %s", short(rp.newer[0]))}
	return res, b.opts.Store.SetPin(ctx, pin)
}

// openRevert reverts the rolled-back revisions on a new branch, opens a
// pull request for it and records it on the pins; it returns the line that
// says so (or why not).
func (b *Bot) openRevert(ctx context.Context, t *task, co *checkout, tip, app string, commits []string, results []reconcile.AppResult) string {
	branch := fmt.Sprintf("gitwave/rollback-%s-%d", app, time.Now().Unix())
	msg := fmt.Sprintf("Revert %s to what it ran before (gitwave rollback)", app)
	if _, err := co.git.RevertOnBranch(ctx, tip, commits, branch, msg); err != nil {
		t.log.Warn("revert branch", "app", app, "error", err)
		return fmt.Sprintf(":warning: the pin holds, but no revert PR could be made: %s. Revert by hand; `/sync` lifts the pin.", markdown.Code(err.Error()))
	}
	body := fmt.Sprintf("gitwave rolled %s back and pinned it. This reverts %s so that Git says the same thing; merging it lifts the pin.",
		markdown.Code(app), strings.Join(shortAll(commits), ", "))
	opened, err := t.host.OpenPR(ctx, t.repo.Name, NewPR{Head: branch, Base: t.repo.DefaultBranch, Title: msg, Body: body})
	if err != nil {
		t.log.Warn("open revert pull request", "app", app, "error", err)
		return fmt.Sprintf(":warning: the pin holds; branch %s reverts the change but the pull request could not be opened: %s", markdown.Code(branch), markdown.Code(err.Error()))
	}
	ref := fmt.Sprintf("%s#%d", t.repo.Name, opened.Number)
	for _, r := range results {
		if r.Err != nil {
			continue
		}
		pins, err := b.opts.Store.Pins(ctx, r.App.Name)
		if err != nil {
			return fmt.Sprintf(":warning: revert PR #%d opened, but the pins could not be updated: %v", opened.Number, err)
		}
		for _, p := range pins {
			if p.Cluster == r.App.Cluster.Name {
				p.RevertPR = ref
				if err := b.opts.Store.SetPin(ctx, p); err != nil {
					return fmt.Sprintf(":warning: revert PR #%d opened, but the pins could not be updated: %v", opened.Number, err)
				}
			}
		}
	}
	return fmt.Sprintf(":pushpin: pinned until #%d (branch %s) merges or someone runs `/sync`.", opened.Number, markdown.Code(branch))
}

func appendNew(list []string, items ...string) []string {
	for _, s := range items {
		if !slices.Contains(list, s) {
			list = append(list, s)
		}
	}
	return list
}

func shortAll(shas []string) []string {
	out := make([]string, len(shas))
	for i, s := range shas {
		out[i] = "`" + short(s) + "`"
	}
	return out
}
