package bot

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/gitwave/gitwave/planner"
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
}

// onDeploy deploys a merged pull request or a push to the default branch:
// the automated apps it changed, when its author holds the path grants of
// the policy the default branch had before it.
func (b *Bot) onDeploy(ctx context.Context, t *task) error {
	co, err := b.mirrors.fetch(ctx, t.host, t.repo)
	if err != nil {
		return err
	}
	defer co.Close()
	if t.ev.Kind == EventMerged {
		if err := b.liftRevertPins(ctx, t, t.ev.PR.Number); err != nil {
			return err
		}
	}
	d, err := b.deploymentOf(ctx, t, co)
	if err != nil {
		return err
	}
	if mine, err := b.claimDeployment(ctx, t, d); err != nil || !mine {
		return err
	}
	pol := b.policyAt(d.base)
	s, err := subject(ctx, t, pol, d.author)
	if err != nil {
		return err
	}
	verdict := pol.CheckChange(s, d.files)
	if !verdict.Allowed {
		t.log.Warn("merge not deployed: policy", "author", d.author, "head", short(d.head.Revision), "reason", verdict.Reason)
		body := fmt.Sprintf("%s\n### gitwave deployed nothing from `%s`\n\n%s\n", deployMarker, short(d.head.Revision),
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

// deploymentOf works out what a merge or push changed: the base is the
// default branch before it, the head what it deployed.
func (b *Bot) deploymentOf(ctx context.Context, t *task, co *checkout) (*deployment, error) {
	d := &deployment{author: t.ev.Sender}
	var baseRev, headRev string
	if pr := t.ev.PR; t.ev.Kind == EventMerged {
		full, err := t.host.PullRequest(ctx, t.repo.Name, pr.Number)
		if err == nil {
			pr = &full
		}
		d.pr, d.author = pr, pr.Author
		prHead, err := co.resolve(ctx, pr.HeadSHA)
		if err != nil {
			return nil, err
		}
		headRev = pr.MergeSHA
		if headRev == "" {
			headRev = prHead
		}
		baseTip := pr.BaseSHA
		if baseTip == "" {
			baseTip = t.repo.DefaultBranch
		}
		if baseTip, err = co.resolve(ctx, baseTip); err != nil {
			return nil, err
		}
		if baseRev, err = co.reader.MergeBase(ctx, baseTip, prHead); err != nil {
			return nil, err
		}
	} else {
		headRev, baseRev = t.ev.After, t.ev.Before
	}
	head, err := co.resolve(ctx, headRev)
	if err != nil {
		return nil, err
	}
	if baseRev == "" || baseRev == zeroSHA {
		return nil, permanent(fmt.Errorf("push to %s created the branch; there is nothing to compare it with", t.ev.Ref))
	}
	base, err := co.resolve(ctx, baseRev)
	if err != nil {
		return nil, err
	}
	if d.files, err = co.reader.ChangedFiles(ctx, base, head); err != nil {
		return nil, err
	}
	if d.base, err = co.source(ctx, base); err != nil {
		return nil, err
	}
	if d.head, err = co.source(ctx, head); err != nil {
		return nil, err
	}
	return d, nil
}

// syncChanged syncs the automated apps whose rendering the deployment
// changed, skipping manual apps (with how to /sync them), pinned apps and
// apps already deployed at the head.
func (b *Bot) syncChanged(ctx context.Context, t *task, d *deployment) ([]reconcile.AppResult, []skippedApp, error) {
	rep, err := b.planner.DiffRevisions(ctx, d.base, d.head, planner.DiffOptions{Changed: d.files})
	if err != nil {
		return nil, nil, err
	}
	inv, err := b.planner.Discover(ctx, d.head)
	if err != nil {
		return nil, nil, err
	}
	pinned, err := b.pinned(ctx)
	if err != nil {
		return nil, nil, err
	}
	var apps []*planner.App
	var skipped []skippedApp
	for _, diff := range rep.Apps {
		app := findApp(inv, diff.App)
		if app == nil || diff.Status == planner.AppUnchanged || diff.Status == planner.AppRemoved {
			continue
		}
		switch {
		case diff.Status == planner.AppError:
			skipped = append(skipped, skippedApp{diff.App, "it does not render: " + oneLine(diff.Error)})
		case app.Automated() == nil:
			skipped = append(skipped, skippedApp{diff.App, fmt.Sprintf("its sync policy is manual; comment `/sync %s --cluster %s` to deploy it", app.Name, app.Cluster.Name)})
		case pinned[diff.App] != "":
			skipped = append(skipped, skippedApp{diff.App, pinned[diff.App]})
		case b.deployedAt(ctx, app, d.head.Revision):
			skipped = append(skipped, skippedApp{diff.App, "already deployed at this revision"})
		default:
			apps = append(apps, app)
		}
	}
	results := b.recs[repoKey(t.host.Name(), t.repo.Name)].Sync(ctx, d.head, inv, apps,
		reconcile.SyncOptions{Trigger: store.TriggerMerge, Initiator: d.author})
	return results, skipped, nil
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
		why := fmt.Sprintf("pinned at `%s` by a rollback; `/sync %s --cluster %s` or merging the revert PR lifts the pin", short(p.Revision), p.App, p.Cluster)
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

// findApp finds an app by key in an inventory.
func findApp(inv *planner.Inventory, key planner.AppKey) *planner.App {
	for _, a := range inv.Apps {
		if a.Key() == key {
			return a
		}
	}
	return nil
}
