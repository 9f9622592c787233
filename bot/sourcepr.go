package bot

import (
	"context"
	"fmt"
	"maps"

	"github.com/gitwave/gitwave/planner"
	"github.com/gitwave/gitwave/reconcile"
)

// sourceChange is a change in a source repository: its commits and files,
// and the branch it targets, pinned at the change's two ends.
type sourceChange struct {
	files     []string
	base      *pinnedSource // the branch at the change's base
	head      *pinnedSource // the branch at the change's head
	baseSHA   string
	headSHA   string
	rootsSeen int
}

// diffSourcePR renders a pull request in a source repository: for each
// roots repository, the apps its default branch defines that read the
// changed files at the branch the pull request targets, with that branch
// at the merge base and at the pull request's head. The policy is each
// roots repository's, read from its default branch, and the changed files
// are checked as "OWNER/REPO:path".
func (b *Bot) diffSourcePR(ctx context.Context, t *task, co *checkout, pr PR) (*prDiff, error) {
	head, baseRef, mergeBase, err := prRange(ctx, t, co, pr)
	if err != nil {
		return nil, err
	}
	ch := &sourceChange{baseSHA: mergeBase, headSHA: head}
	if ch.files, err = co.git.ChangedFiles(ctx, mergeBase, head); err != nil {
		return nil, err
	}
	if ch.base, err = b.pinOf(ctx, t.repo, co, baseRef, mergeBase); err != nil {
		return nil, err
	}
	if ch.head, err = b.pinOf(ctx, t.repo, co, baseRef, head); err != nil {
		return nil, err
	}
	roots, err := b.rootsRepos(ctx, t, t.repo)
	if err != nil {
		return nil, err
	}
	defer closeAll(roots)
	d := &prDiff{head: planner.Source{Revision: head}, base: planner.Source{Revision: mergeBase}, files: ch.files,
		report: &planner.Report{Base: mergeBase, Head: head}, appNotes: map[planner.AppKey][]string{}}
	for _, rr := range roots {
		part, err := b.diffRootsFor(ctx, t, rr, ch, pr)
		if err != nil {
			return nil, err
		}
		if part != nil {
			mergeDiff(d, part)
		}
	}
	if ch.rootsSeen == 0 {
		d.policy = noRootsPolicy(t)
	}
	d.report.CollectSources()
	return d, nil
}

// diffRootsFor diffs the apps of one roots repository that read the
// change; nil when none does.
func (b *Bot) diffRootsFor(ctx context.Context, t *task, rr rootsRepo, ch *sourceChange, pr PR) (*prDiff, error) {
	base, err := b.pinnedAt(ctx, rr, ch.base)
	if err != nil {
		return nil, err
	}
	baseRev, err := b.planner.DiscoverRevision(ctx, base, nil)
	if err != nil {
		return nil, err
	}
	apps := appsReading(baseRev.Inventory, ch.base, ch.files)
	if len(apps) == 0 {
		return nil, nil
	}
	ch.rootsSeen++
	head, err := b.pinnedAt(ctx, rr, ch.head)
	if err != nil {
		return nil, err
	}
	headRev, err := b.planner.DiscoverRevision(ctx, head, baseRev)
	if err != nil {
		return nil, err
	}
	d := &prDiff{head: head, base: base, files: ch.files}
	if d.report, err = b.planner.Diff(ctx, baseRev, headRev, planner.DiffOptions{Apps: appNames(apps)}); err != nil {
		return nil, fmt.Errorf("diff %s#%d against %s: %w", t.repo.Name, pr.Number, rr.repo.Name, err)
	}
	keepApps(d.report, apps)
	policySrc, err := b.rootsSource(ctx, rr.repo, rr.co, rr.tip)
	if err != nil {
		return nil, err
	}
	pol := b.policyAt(policySrc, rr.repo.Name)
	s, err := subject(ctx, t, pol, pr.Author)
	if err != nil {
		return nil, err
	}
	d.policy = checkChange(pol, s, d.report, ch.files, t.repo.Name, false)
	projects := b.checkProjects(ctx, policySrc, d.report)
	projects.addTo(&d.policy)
	d.appNotes = projects.appNotes()
	b.recs[repoKey(rr.repo.Host, rr.repo.Name)].LiveDiff(ctx, d.report, reconcile.LiveDiffOptions{
		Skip:    func(app *planner.App) string { return firstOf(d.policy.skipLive(app), projects.skipLive(app)) },
		MayRead: projects.mayRead(),
	})
	return d, nil
}

// keepApps drops from rep the apps that are not among apps: DiffOptions
// keeps apps by name, and one name may be deployed on clusters where the
// app does not read the change.
func keepApps(rep *planner.Report, apps []*planner.App) {
	keys := map[planner.AppKey]bool{}
	for _, a := range apps {
		keys[a.Key()] = true
	}
	kept := rep.Apps[:0]
	for _, a := range rep.Apps {
		if keys[a.App] {
			kept = append(kept, a)
		}
	}
	rep.Apps = kept
}

// mergeDiff adds one roots repository's part to d: its apps, problems,
// policy verdicts and notes. The first denial decides the status.
func mergeDiff(d, part *prDiff) {
	d.report.Apps = append(d.report.Apps, part.report.Apps...)
	d.report.Errors = append(d.report.Errors, part.report.Errors...)
	maps.Copy(d.appNotes, part.appNotes)
	if d.policy.perApp == nil {
		d.policy = part.policy
		return
	}
	maps.Copy(d.policy.perApp, part.policy.perApp)
	maps.Copy(d.policy.denied, part.policy.denied)
	d.policy.notes = append(d.policy.notes, part.policy.notes...)
	if d.policy.verdict.Allowed && !part.policy.verdict.Allowed {
		d.policy.verdict, d.policy.status = part.policy.verdict, part.policy.status
	}
}

// noRootsPolicy is the policy status of a change no app reads: nothing to
// deploy, nothing to allow.
func noRootsPolicy(t *task) policyReport {
	return policyReport{perApp: map[planner.AppKey]string{}, denied: map[planner.AppKey]bool{},
		status: Status{Context: "gitwave/policy", State: "success", Description: "no app reads the files this change touches"},
		notes:  []string{fmt.Sprintf(":information_source: No app defined on the default branch of a served repository reads the files this pull request changes in %s.", t.repo.Name)}}
}
