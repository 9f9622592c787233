package bot

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/gitwave/gitwave/bot/markdown"
	"github.com/gitwave/gitwave/planner"
	"github.com/gitwave/gitwave/policies"
	"github.com/gitwave/gitwave/reconcile"
	"github.com/gitwave/gitwave/store"
)

// zeroSHA is the "before" of a push that created its branch.
const zeroSHA = "0000000000000000000000000000000000000000"

// deployment is a merge or push to the default branch, ready to sync.
type deployment struct {
	pr         *PR // nil for a push without a pull request
	author     string
	base, head planner.Source
	files      []string
	// policies are the default branch's revisions whose policy must allow
	// files; the default branch just before the deployment is one of them.
	policies []planner.Source
	// refusal says why the deployment cannot be checked, and so is not made.
	refusal string
	// source, for a merge in a source repository, is what one roots
	// repository deploys of it; nil for a merge in a roots repository.
	source *sourceDeploy
	// co is the checkout base and head were read from.
	co *checkout
}

// onDeploy deploys a merged pull request or a push to the default branch:
// the automated apps it changed, when its author holds the path grants of
// the policy the default branch had just before it.
func (b *Bot) onDeploy(ctx context.Context, t *task) error {
	co, err := b.mirrors.fetch(ctx, t.repo)
	if err != nil {
		return err
	}
	defer co.Close()
	if t.ev.Kind == EventMerged {
		if err := b.liftRevertPins(ctx, t, t.ev.PR.Number); err != nil {
			return err
		}
	}
	if source, err := b.isSourceRepo(ctx, t, t.repo, co); err != nil || source {
		if err != nil {
			return err
		}
		return b.deploySource(ctx, t, co)
	}
	d, err := b.deploymentOf(ctx, t, co)
	if err != nil {
		return err
	}
	if mine, err := b.claimDeployment(ctx, t, d); err != nil || !mine {
		return err
	}
	if d.refusal != "" {
		t.log.Warn("merge not deployed", "author", d.author, "head", short(d.head.Revision), "reason", d.refusal)
		return b.report(ctx, t, d, fmt.Sprintf("%s\n### gitwave deployed nothing from %s\n\n> :no_entry: %s.\n", deployMarker, markdown.Code(short(d.head.Revision)), markdown.Code(d.refusal)))
	}
	verdict, err := b.mergeVerdict(ctx, t, d)
	if err != nil {
		return err
	}
	if !verdict.Allowed {
		t.log.Warn("merge not deployed: policy", "author", d.author, "head", short(d.head.Revision), "reason", verdict.Reason)
		body := fmt.Sprintf("%s\n### gitwave deployed nothing from %s\n\n%s\n", deployMarker, markdown.Code(short(d.head.Revision)),
			"> "+strings.Join(policyNotes(verdict), "\n> "))
		return b.report(ctx, t, d, body)
	}
	results, skipped, err := b.syncChanged(ctx, t, d)
	if err != nil {
		return err
	}
	t.log.Info("merge deployed", "head", short(d.head.Revision), "synced", len(results), "failed", failedCount(results), "not_synced", len(skipped))
	title := fmt.Sprintf("gitwave deployed `%s`", short(d.head.Revision))
	if d.pr != nil {
		title += fmt.Sprintf(" (merge of #%d by %s)", d.pr.Number, d.author)
	}
	return b.report(ctx, t, d, syncReport(deployMarker, title, results, skipped))
}

// deployClaimTTL is how long the claim on a deployed revision is kept.
const deployClaimTTL = 7 * 24 * time.Hour

// claimDeployment makes sure one revision is deployed once although a merge
// arrives twice, as a merged pull request and as a push: the first job to
// claim it deploys, with the pull request author's grants when it is the
// merge; the other does nothing. Pushes wait pushDelay before they run, so
// the merge normally wins.
func (b *Bot) claimDeployment(ctx context.Context, t *task, d *deployment) (bool, error) {
	holder := "push"
	if d.pr != nil {
		holder = fmt.Sprintf("pr#%d", d.pr.Number)
	}
	mine, err := b.opts.Store.TryLock(ctx, "deploy:"+t.repo.Name+"@"+d.head.Revision, holder, deployClaimTTL)
	if err == nil && !mine {
		t.log.Info("revision deployed by another event of the same merge", "head", short(d.head.Revision), "event", t.ev.Kind)
	}
	return mine, err
}

// report posts a deployment's result on its pull request; a push without
// one has only the log.
func (b *Bot) report(ctx context.Context, t *task, d *deployment, body string) error {
	if d.pr == nil {
		return nil
	}
	return reply(ctx, t, d.pr.Number, body)
}

// deploymentOf works out what a merge or push changed and the policies it
// must pass. For a push, the default branch before it is the push's
// "before". For a merge it is worked out from Git (see gateOfMerge), and
// the changed files are the pull request's own, from its fork point on the
// default branch to its head, read from Git: never the host's list, which
// is capped.
func (b *Bot) deploymentOf(ctx context.Context, t *task, co *checkout) (*deployment, error) {
	d := &deployment{author: t.ev.Sender, co: co}
	head, gate, err := b.gateOf(ctx, t, co, d)
	if err != nil {
		return nil, err
	}
	d.refusal = gate.refusal
	if d.refusal != "" {
		d.head = planner.Source{Revision: head}
		return d, nil
	}
	changedTo := head
	if d.pr != nil {
		changedTo = d.pr.HeadSHA
	}
	if d.files, err = co.git.ChangedFiles(ctx, gate.forkBase, changedTo); err != nil {
		return nil, err
	}
	if d.base, err = co.source(ctx, gate.forkBase); err != nil {
		return nil, err
	}
	if d.head, err = co.source(ctx, head); err != nil {
		return nil, err
	}
	for _, rev := range gate.policies {
		src, err := co.source(ctx, rev)
		if err != nil {
			return nil, err
		}
		d.policies = append(d.policies, src)
	}
	return d, nil
}

// gateOf is mergeOf for a merge event and pushOf for a push: the new head
// of the default branch and the gate its change must pass.
func (b *Bot) gateOf(ctx context.Context, t *task, co *checkout, d *deployment) (string, mergeGate, error) {
	if t.ev.Kind == EventMerged {
		return b.mergeOf(ctx, t, co, d)
	}
	return pushOf(ctx, t, co)
}

// mergeOf reads a merged pull request into d (its head resolved) and
// returns the commit it deployed and the gate it must pass.
func (b *Bot) mergeOf(ctx context.Context, t *task, co *checkout, d *deployment) (string, mergeGate, error) {
	pr := t.ev.PR
	if full, err := t.host.PullRequest(ctx, t.repo.Name, pr.Number); err == nil {
		pr = &full
	}
	prHead, err := co.resolve(ctx, pr.HeadSHA)
	if err != nil {
		return "", mergeGate{}, err
	}
	pr.HeadSHA = prHead
	d.pr, d.author = pr, pr.Author
	head := prHead
	if pr.MergeSHA != "" {
		if head, err = co.resolve(ctx, pr.MergeSHA); err != nil {
			return "", mergeGate{}, err
		}
	}
	gate, err := b.gateOfMerge(ctx, co, pr, head, prHead)
	return head, gate, err
}

// pushOf returns the head of a push and its gate: the branch before it.
func pushOf(ctx context.Context, t *task, co *checkout) (string, mergeGate, error) {
	if t.ev.Before == "" || t.ev.Before == zeroSHA {
		return "", mergeGate{}, permanent(fmt.Errorf("push to %s created the branch; there is nothing to compare it with", t.ev.Ref))
	}
	head, err := co.resolve(ctx, t.ev.After)
	if err != nil {
		return "", mergeGate{}, err
	}
	before, err := co.resolve(ctx, t.ev.Before)
	return head, mergeGate{forkBase: before, policies: []string{before}}, err
}

// mergeVerdict checks the deployment's files under each of its policies
// and returns the first denial, or the last approval.
func (b *Bot) mergeVerdict(ctx context.Context, t *task, d *deployment) (policies.ChangeVerdict, error) {
	var v policies.ChangeVerdict
	for _, src := range d.policies {
		// Each policy names its own teams: a deny added for a team the
		// older policy never named must still find the author in it.
		pol := b.policyAt(src, t.repo.Name)
		s, err := subject(ctx, t, pol, d.author)
		if err != nil {
			return v, err
		}
		if v = pol.CheckChange(s, inRepo(t.repo.Name, d.files, true)); !v.Allowed {
			return v, nil
		}
	}
	return v, nil
}

// syncChanged syncs the automated apps whose rendering the deployment
// changed, skipping manual apps (with how to /sync them), pinned apps and
// apps already deployed at the head. The sync applies the plans the diff
// made: the head is discovered and each app rendered once.
func (b *Bot) syncChanged(ctx context.Context, t *task, d *deployment) ([]reconcile.AppResult, []skippedApp, error) {
	opts, rec, statusRepo := planner.DiffOptions{Changed: d.files}, b.recs[repoKey(t.host.Name(), t.repo.Name)], t.repo.Name
	if d.source != nil {
		opts, rec, statusRepo = planner.DiffOptions{Apps: appNames(d.source.apps)}, b.recs[d.source.rootsKey], b.repos[d.source.rootsKey].Name
	}
	renderStart := time.Now()
	rep, err := b.diffDeployment(ctx, t, d, opts)
	b.opts.Ops.ObserveRender("merge", renderStart)
	if err != nil {
		return nil, nil, err
	}
	if d.source != nil {
		keepApps(rep, d.source.apps)
	}
	head := rep.HeadRevision
	pinned, err := b.pinned(ctx)
	if err != nil {
		return nil, nil, err
	}
	var apps []*planner.App
	var skipped []skippedApp
	for _, diff := range rep.Apps {
		app := head.Inventory.App(diff.App)
		if app == nil || diff.Status == planner.AppUnchanged || diff.Status == planner.AppRemoved {
			continue
		}
		switch {
		case diff.Status == planner.AppError:
			skipped = append(skipped, skippedApp{diff.App, "it does not render: " + markdown.Code(diff.Error)})
		case app.Automated() == nil:
			skipped = append(skipped, skippedApp{diff.App, fmt.Sprintf("its sync policy is manual; comment %s to deploy it", markdown.Code("/sync "+app.Name+" --cluster "+app.Cluster.Name))})
		case pinned[diff.App] != "":
			skipped = append(skipped, skippedApp{diff.App, pinned[diff.App]})
		case d.source == nil && b.deployedAt(ctx, app, d.head.Revision):
			skipped = append(skipped, skippedApp{diff.App, "already deployed at this revision"})
		default:
			apps = append(apps, app)
		}
	}
	if d.source != nil {
		var running []skippedApp
		apps, running = b.alreadyRunning(ctx, rec, rep, apps)
		skipped = append(skipped, running...)
	}
	results := rec.SyncRevision(ctx, head, apps,
		reconcile.SyncOptions{Trigger: store.TriggerMerge, Initiator: d.author, Resume: t.rerun, StatusRepo: statusRepo})
	return results, skipped, nil
}

// diffDeployment diffs a deployment's base and head: the revisions the
// job discovered are not discovered again, and a source repository's
// deployment reuses the roots revision it found its apps in.
func (b *Bot) diffDeployment(ctx context.Context, t *task, d *deployment, opts planner.DiffOptions) (*planner.Report, error) {
	if d.source == nil {
		return b.diffAt(ctx, t, d.co, d.base.Revision, d.head.Revision, opts)
	}
	base, err := b.planner.DiscoverRevision(ctx, d.base, d.source.head)
	if err != nil {
		return nil, err
	}
	return b.planner.Diff(ctx, base, d.source.head, opts)
}

// deployedAt reports whether app's last successful sync is at rev.
func (b *Bot) deployedAt(ctx context.Context, app *planner.App, rev string) bool {
	last, err := b.opts.Store.LastSucceeded(ctx, app.Name, app.Cluster.Name, 0)
	return err == nil && last.Revision == rev
}

// pinned maps each pinned app to why a merge leaves it alone.
func (b *Bot) pinned(ctx context.Context) (map[planner.AppKey]string, error) {
	pins, err := b.opts.Store.Pins(ctx, "")
	if err != nil {
		return nil, err
	}
	out := map[planner.AppKey]string{}
	for _, p := range pins {
		why := fmt.Sprintf("pinned at %s by a rollback; %s or merging the revert PR lifts the pin", markdown.Code(short(p.Revision)), markdown.Code("/sync "+p.App+" --cluster "+p.Cluster))
		out[planner.AppKey{App: p.App, Cluster: p.Cluster}] = why
	}
	return out, nil
}

// liftRevertPins clears the pins whose revert pull request just merged.
func (b *Bot) liftRevertPins(ctx context.Context, t *task, n int) error {
	pins, err := b.opts.Store.Pins(ctx, "")
	if err != nil {
		return err
	}
	ref := fmt.Sprintf("%s#%d", t.repo.Name, n)
	for _, p := range pins {
		if p.RevertPR != ref {
			continue
		}
		if err := b.opts.Store.ClearPin(ctx, p.App, p.Cluster); err != nil {
			return err
		}
		t.log.Info("rollback pin lifted: its revert merged", "app", p.App, "cluster", p.Cluster)
	}
	return nil
}
