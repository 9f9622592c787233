package bot

import (
	"context"
	"fmt"
	"strings"

	"github.com/gitwave/gitwave/bot/markdown"
	"github.com/gitwave/gitwave/planner"
	"github.com/gitwave/gitwave/reconcile"
)

// sourceDeploy is what one roots repository deploys of a merge in a source
// repository: the apps its default branch defines that read the merged
// files.
type sourceDeploy struct {
	apps     []*planner.App
	rootsKey string
	// head is the roots repository's revision as discovered to find apps,
	// which the diff and the sync reuse.
	head *planner.Revision
}

// deploySource deploys a merge (or push) to the default branch of a source
// repository, like a merge in the roots repository: for each roots
// repository, the automated apps that read the changed files, when the
// author holds the path grants ("OWNER/REPO:path") of that roots
// repository's policy on its default branch.
func (b *Bot) deploySource(ctx context.Context, t *task, co *checkout) error {
	d := &deployment{author: t.ev.Sender}
	head, gate, err := b.gateOf(ctx, t, co, d)
	if err != nil {
		return err
	}
	d.head, d.refusal = planner.Source{Revision: head}, gate.refusal
	if mine, err := b.claimDeployment(ctx, t, d); err != nil || !mine {
		return err
	}
	if d.refusal != "" {
		t.log.Warn("merge not deployed", "author", d.author, "head", short(head), "reason", d.refusal)
		return b.report(ctx, t, d, fmt.Sprintf("%s\n### gitwave deployed nothing from %s\n\n> :no_entry: %s.\n", deployMarker, markdown.Code(short(head)), markdown.Code(d.refusal)))
	}
	changedTo := head
	if d.pr != nil {
		changedTo = d.pr.HeadSHA
	}
	if d.files, err = co.git.ChangedFiles(ctx, gate.forkBase, changedTo); err != nil {
		return err
	}
	roots, err := b.rootsRepos(ctx, t, t.repo)
	if err != nil {
		return err
	}
	defer closeAll(roots)
	var sections []string
	for _, rr := range roots {
		section, err := b.deployFromRoots(ctx, t, co, rr, d, gate.forkBase)
		if err != nil {
			return err
		}
		if len(section) > 0 {
			t.roots = append(t.roots, rr.repo)
		}
		sections = append(sections, section...)
	}
	title := fmt.Sprintf("gitwave deployed `%s` of %s", short(head), markdown.Code(t.repo.Name))
	if d.pr != nil {
		title += fmt.Sprintf(" (merge of #%d by %s)", d.pr.Number, d.author)
	}
	if len(sections) == 0 {
		return b.report(ctx, t, d, fmt.Sprintf("%s\n### %s\n\nNo app defined on the default branch of a served repository reads the files this merge changed.\n", deployMarker, title))
	}
	return b.report(ctx, t, d, deployMarker+"\n"+strings.Join(sections, "\n"))
}

// deployFromRoots deploys what one roots repository's apps read of the
// merge d, and returns its part of the report; none when no app reads it.
func (b *Bot) deployFromRoots(ctx context.Context, t *task, co *checkout, rr rootsRepo, d *deployment, forkBase string) ([]string, error) {
	pinHead, err := b.pinOf(ctx, t.repo, co, t.repo.DefaultBranch, d.head.Revision)
	if err != nil {
		return nil, err
	}
	pinBase, err := b.pinOf(ctx, t.repo, co, t.repo.DefaultBranch, forkBase)
	if err != nil {
		return nil, err
	}
	head, err := b.pinnedAt(ctx, rr, pinHead)
	if err != nil {
		return nil, err
	}
	headRev, err := b.planner.DiscoverRevision(ctx, head, nil)
	if err != nil {
		return nil, err
	}
	apps := appsReading(headRev.Inventory, pinHead, d.files)
	if len(apps) == 0 {
		return nil, nil
	}
	title := fmt.Sprintf("gitwave deployed `%s` of %s through %s", short(d.head.Revision), markdown.Code(t.repo.Name), markdown.Code(rr.repo.Name))
	if d.pr != nil {
		title += fmt.Sprintf(" (merge of #%d by %s)", d.pr.Number, d.author)
	}
	policySrc, err := b.rootsSource(ctx, rr.repo, rr.co, rr.tip)
	if err != nil {
		return nil, err
	}
	pol := b.policyAt(policySrc, rr.repo.Name)
	s, err := subject(ctx, t, pol, d.author)
	if err != nil {
		return nil, err
	}
	if v := pol.CheckChange(s, inRepo(t.repo.Name, d.files, false)); !v.Allowed {
		t.log.Warn("merge not deployed: policy", "roots", rr.repo.Name, "author", d.author, "head", short(d.head.Revision), "reason", v.Reason)
		return []string{fmt.Sprintf("### gitwave deployed nothing from %s through %s\n\n> %s\n", markdown.Code(short(d.head.Revision)),
			markdown.Code(rr.repo.Name), strings.Join(policyNotes(v), "\n> "))}, nil
	}
	base, err := b.pinnedAt(ctx, rr, pinBase)
	if err != nil {
		return nil, err
	}
	one := *d
	one.base, one.head = base, head
	one.source = &sourceDeploy{apps: apps, rootsKey: repoKey(rr.repo.Host, rr.repo.Name), head: headRev}
	results, skipped, err := b.syncChanged(ctx, t, &one)
	if err != nil {
		return nil, err
	}
	t.log.Info("source merge deployed", "roots", rr.repo.Name, "head", short(d.head.Revision), "synced", len(results), "failed", failedCount(results), "not_synced", len(skipped))
	return []string{syncReport("", title, results, skipped)}, nil
}

// alreadyRunning splits the apps a source repository's merge would sync
// into those to sync and those whose cluster already runs the head's
// render, as when the loop healed them from the new commit before the
// merge's event was worked. A source merge deploys at the roots
// repository's revision, which history already holds, so that revision
// cannot tell; a live diff can. An app whose hooks the merge changes is
// synced anyway (hooks are not compared), and so is one whose last
// successful sync is not at the roots revision (gitwave holds no inventory
// of it there yet) or whose cluster cannot be diffed.
func (b *Bot) alreadyRunning(ctx context.Context, rec *reconcile.Reconciler, rep *planner.Report, apps []*planner.App) ([]*planner.App, []skippedApp) {
	head := rep.HeadRevision
	var check []*planner.App
	var keep []*planner.App
	for _, a := range apps {
		if changesHooks(rep, a.Key()) || !b.deployedAt(ctx, a, head.Source.Revision) {
			keep = append(keep, a)
		} else {
			check = append(check, a)
		}
	}
	if len(check) == 0 {
		return keep, nil
	}
	var skipped []skippedApp
	live := rec.LiveReport(ctx, head, check)
	for i, a := range check {
		if d := live.Apps[i]; d.Status == planner.AppUnchanged && d.Error == "" {
			skipped = append(skipped, skippedApp{a.Key(), "its cluster already runs this revision's render"})
			continue
		}
		keep = append(keep, a)
	}
	return keep, skipped
}

// changesHooks reports whether rep changes a hook of app.
func changesHooks(rep *planner.Report, app planner.AppKey) bool {
	for _, d := range rep.Apps {
		if d.App != app {
			continue
		}
		for _, c := range d.Changes {
			if c.Action != planner.ActionUnchanged && c.Phase != planner.PhaseSync {
				return true
			}
		}
	}
	return false
}
