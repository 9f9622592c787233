package bot

import (
	"context"
	"fmt"
	"time"

	"github.com/gitwave/gitwave/bot/markdown"
	"github.com/gitwave/gitwave/planner"
	"github.com/gitwave/gitwave/reconcile"
)

// onPullRequest answers a pull request opened, reopened or pushed to.
func (b *Bot) onPullRequest(ctx context.Context, t *task) error {
	return b.refreshDiff(ctx, t, *t.ev.PR)
}

// prDiff is a pull request rendered and checked.
type prDiff struct {
	head, base planner.Source
	files      []string
	// report holds both revisions, discovered and rendered once: every
	// step after the render diff reads them from it.
	report *planner.Report
	policy policyReport
	// appNotes are the AppProject violations under each app.
	appNotes map[planner.AppKey][]string
}

// refreshDiff renders the pull request from its merge base to its head,
// diffs it against the live clusters, checks the policy of the default
// branch, sets the statuses and then edits gitwave's comment: a comment
// the host refuses cannot hide the verdict.
func (b *Bot) refreshDiff(ctx context.Context, t *task, pr PR) error {
	if err := setStatuses(ctx, t, pr.HeadSHA, Status{Context: "gitwave/diff", State: "pending",
		Description: "gitwave is rendering the apps this change touches"}); err != nil {
		return err
	}
	co, err := b.mirrors.fetch(ctx, t.repo)
	if err != nil {
		return err
	}
	defer co.Close()
	source, err := b.isSourceRepo(ctx, t, t.repo, co)
	if err != nil {
		return err
	}
	diff, command := b.diffPR, fmt.Sprintf("gitwave diff --repo %s", t.repo.URL)
	if source {
		diff, command = b.diffSourcePR, fmt.Sprintf("gitwave diff --repo ROOTS --source %s=%s --changed %s", b.appURL(t.repo), t.repo.URL, b.appURL(t.repo))
	}
	d, err := diff(ctx, t, co, pr)
	if err != nil {
		return err
	}
	notes := append(d.policy.notes, b.pinNotes(ctx, t, d.report)...)
	var links func(planner.AppKey) string
	if !source { // a source repository's apps live in other repositories
		links = b.statusLinks(t.repo.Name)
	}
	parts := markdown.Diff(d.report, markdown.DiffOptions{
		StatusLinks: links,
		Marker:      diffMarker,
		Limit:       commentLimit(t.host),
		Verdicts:    d.policy.perApp,
		Notes:       notes,
		AppNotes:    d.appNotes,
		Command:     fmt.Sprintf("%s --base %s --head %s", command, short(d.base.Revision), short(d.head.Revision)),
	})
	if err := setStatuses(ctx, t, d.head.Revision, b.withDiffTarget(diffStatus(d.report), t.repo.Name, d.report), d.policy.status); err != nil {
		return err
	}
	if err := b.publishDiff(ctx, t, pr.Number, parts); err != nil {
		return err
	}
	if err := b.opts.Store.SetDiffedHead(ctx, t.repo.Name, pr.Number, d.head.Revision); err != nil {
		return err
	}
	t.log.Info("diff comment updated", "head", short(d.head.Revision), "apps", len(d.report.Apps), "parts", len(parts))
	return nil
}

// diffPR renders and checks a pull request. The changed files come from
// Git (merge base to head), never from the host, whose list is capped. The
// policy is checked first: only the apps the change may touch are diffed
// against their live clusters. Each revision is discovered, and each app
// rendered, once: the policy, AppProject, removal and live steps read the
// report's revisions.
func (b *Bot) diffPR(ctx context.Context, t *task, co *checkout, pr PR) (*prDiff, error) {
	head, _, mergeBase, err := prRange(ctx, t, co, pr)
	if err != nil {
		return nil, err
	}
	defaultTip, err := co.resolve(ctx, t.repo.DefaultBranch)
	if err != nil {
		return nil, err
	}
	d := &prDiff{}
	if d.files, err = co.git.ChangedFiles(ctx, mergeBase, head); err != nil {
		return nil, err
	}
	renderStart := time.Now()
	d.report, err = b.diffAt(ctx, t, co, mergeBase, head, planner.DiffOptions{Changed: d.files})
	b.opts.Ops.ObserveRender("pull_request", renderStart)
	if err != nil {
		return nil, fmt.Errorf("diff %s#%d: %w", t.repo.Name, pr.Number, err)
	}
	d.base, d.head = d.report.BaseRevision.Source, d.report.HeadRevision.Source
	policySrc, err := co.source(ctx, defaultTip)
	if err != nil {
		return nil, err
	}
	pol := b.policyAt(policySrc, t.repo.Name)
	s, err := subject(ctx, t, pol, pr.Author)
	if err != nil {
		return nil, err
	}
	d.policy = checkChange(pol, s, d.report, d.files, t.repo.Name, true)
	projects := b.checkProjects(ctx, policySrc, d.report)
	projects.addTo(&d.policy)
	d.appNotes = projects.appNotes()
	if hasRemoved(d.report) {
		d.appNotes = mergeNotes(d.appNotes, b.removalNotes(ctx, t, d.report))
	}
	b.recs[repoKey(t.host.Name(), t.repo.Name)].LiveDiff(ctx, d.report, reconcile.LiveDiffOptions{
		Skip:    func(app *planner.App) string { return firstOf(d.policy.skipLive(app), projects.skipLive(app)) },
		MayRead: projects.mayRead(),
	})
	return d, nil
}

// diffStatus is the gitwave/diff commit status.
func diffStatus(rep *planner.Report) Status {
	changed, failed := 0, 0
	for _, a := range rep.Apps {
		switch a.Status {
		case planner.AppError:
			failed++
		case planner.AppUnchanged:
		default:
			changed++
		}
	}
	switch {
	case failed > 0 || len(rep.Errors) > 0:
		return Status{Context: "gitwave/diff", State: "failure",
			Description: fmt.Sprintf("%d app(s) failed to render, %d problem(s) in the repository", failed, len(rep.Errors))}
	case changed == 0:
		return Status{Context: "gitwave/diff", State: "success", Description: "no app changes"}
	}
	return Status{Context: "gitwave/diff", State: "success", Description: fmt.Sprintf("%d app(s) change; see gitwave's comment", changed)}
}

// pinNotes names the rollback pins on the apps the report shows.
func (b *Bot) pinNotes(ctx context.Context, t *task, rep *planner.Report) []string {
	pins, err := b.opts.Store.Pins(ctx, "")
	if err != nil {
		t.log.Warn("read rollback pins", "error", err)
		return nil
	}
	shown := map[planner.AppKey]bool{}
	for _, a := range rep.Apps {
		shown[a.App] = true
	}
	var notes []string
	for _, p := range pins {
		if !shown[planner.AppKey{App: p.App, Cluster: p.Cluster}] {
			continue
		}
		n := fmt.Sprintf(":pushpin: %s is pinned on %s at %s by a rollback (%s); merging this deploys nothing there until the pin is lifted",
			markdown.Code(p.App), markdown.Code(p.Cluster), markdown.Code(short(p.Revision)), p.By)
		if p.RevertPR != "" {
			n += fmt.Sprintf(" by merging %s", p.RevertPR)
		}
		notes = append(notes, n+" or by `/sync`.")
	}
	return notes
}

// prRange resolves a pull request's head, the branch it targets (the
// default branch when the host names none) and their merge base: the
// commits its diff compares.
func prRange(ctx context.Context, t *task, co *checkout, pr PR) (head, baseRef, mergeBase string, err error) {
	if head, err = co.resolve(ctx, pr.HeadSHA); err != nil {
		return "", "", "", err
	}
	baseRef = pr.BaseRef
	if baseRef == "" {
		baseRef = t.repo.DefaultBranch
	}
	baseTip, err := co.resolve(ctx, baseRef)
	if err != nil {
		return "", "", "", err
	}
	if mergeBase, err = co.git.MergeBase(ctx, baseTip, head); err != nil {
		return "", "", "", err
	}
	return head, baseRef, mergeBase, nil
}
