package main

import (
	"context"
	"fmt"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/kubernetes"

	"github.com/gitwave/gitwave/applier"
	"github.com/gitwave/gitwave/bot/hostfake"
	"github.com/gitwave/gitwave/hack/examplerepo"
	"github.com/gitwave/gitwave/planner"
	"github.com/gitwave/gitwave/reconcile"
)

// syncRevision syncs every app with automated sync at rev.
func (d *demo) syncRevision(ctx context.Context, rev, trigger string) error {
	src, err := d.source(ctx, rev)
	if err != nil {
		return err
	}
	inv, err := d.rec.Planner.Discover(ctx, src)
	if err != nil {
		return err
	}
	var apps []*planner.App
	for _, a := range inv.Apps {
		if a.Automated() != nil {
			apps = append(apps, a)
		}
	}
	results := d.rec.Sync(ctx, src, inv, apps, reconcile.SyncOptions{Trigger: trigger, Initiator: "demo", Progress: printWaves})
	return summarize(results)
}

// printWaves prints each step a sync starts and each hook's outcome.
func printWaves(e applier.Event) {
	switch e.Type {
	case applier.EventStepStarted:
		fmt.Printf("  %-40s %s wave %d\n", e.App+"@"+e.Cluster, e.Phase, e.Wave)
	case applier.EventHookDone, applier.EventPruned:
		fmt.Printf("  %-40s   %s %s\n", e.App+"@"+e.Cluster, e.Action, e.Key)
	}
}

func summarize(results []reconcile.AppResult) error {
	failed := 0
	for _, r := range results {
		switch {
		case r.Err != nil:
			failed++
			fmt.Printf("  FAILED  %s@%s: %v\n", r.App.Name, r.App.Cluster.Name, r.Err)
		case r.Result != nil:
			fmt.Printf("  %-9s %s@%s: %d objects in %s (%s waiting for health)\n", r.Result.Phase, r.App.Name, r.App.Cluster.Name,
				len(r.Result.Outcomes()), r.Result.Duration.Round(time.Millisecond), r.Result.WaitDuration.Round(time.Millisecond))
		}
	}
	if failed > 0 {
		return fmt.Errorf("%d sync(s) failed", failed)
	}
	return nil
}

func (d *demo) deployMain(ctx context.Context) error {
	return d.syncRevision(ctx, examplerepo.MainBranch, "cli")
}

func (d *demo) prOpened(ctx context.Context) error {
	err := d.host.deliver(ctx, hostfake.GitHubWebhook{Example: "pull_request.opened", Number: 1, HeadSHA: d.repo.HeadSHA,
		HeadRef: examplerepo.PRBranch, BaseSHA: d.repo.BaseSHA, BaseRef: examplerepo.MainBranch, Sender: "carol"})
	if err != nil {
		return err
	}
	d.host.printStatuses(d.repo.HeadSHA)
	return nil
}

func (d *demo) unauthorizedSync(ctx context.Context) error {
	body := "/sync order-service-production-apne2"
	id := d.host.gh.AddComment(repoName, 1, hostfake.Comment{Author: "alice", Body: body})
	return d.host.deliver(ctx, hostfake.GitHubWebhook{Example: "issue_comment.created", Number: 1, CommentID: id,
		CommentBody: body, Sender: "alice", SenderType: "User"})
}

func (d *demo) merge(ctx context.Context) error {
	if err := examplerepo.Merge(ctx, d.repo); err != nil {
		return err
	}
	d.host.gh.AddPullRequest(repoName, hostfake.PullRequest{Number: 1, Title: "payment-service v2.4.0, inventory-service, redis replicas",
		Author: "carol", Head: examplerepo.PRBranch, Base: examplerepo.MainBranch, HeadSHA: d.repo.HeadSHA, BaseSHA: d.repo.BaseSHA,
		State: "closed", Merged: true, MergeSHA: d.repo.HeadSHA})
	return d.host.deliver(ctx, hostfake.GitHubWebhook{Example: "pull_request.closed", Number: 1, HeadSHA: d.repo.HeadSHA,
		HeadRef: examplerepo.PRBranch, BaseSHA: d.repo.BaseSHA, BaseRef: examplerepo.MainBranch, Merged: true,
		MergeSHA: d.repo.HeadSHA, Sender: "carol"})
}

func (d *demo) drift(ctx context.Context) error {
	cs, err := kubernetes.NewForConfig(d.env.RESTConfig("staging"))
	if err != nil {
		return err
	}
	patch := []byte(`{"apiVersion":"apps/v1","kind":"Deployment","spec":{"replicas":5}}`)
	force := true
	_, err = cs.AppsV1().Deployments("payment-service").Patch(ctx, "payment-service", types.ApplyPatchType, patch,
		metav1.PatchOptions{FieldManager: "kubectl-edit", Force: &force})
	if err != nil {
		return err
	}
	fmt.Println("kubectl-edit set payment-service replicas to 5 on staging")
	if err := d.healPass(ctx, cs); err != nil {
		return err
	}
	recs, err := d.store.History(ctx, "payment-service-staging", "staging", 1)
	if err != nil {
		return err
	}
	if len(recs) > 0 {
		r := recs[0]
		fmt.Printf("self-heal: %s sync of payment-service-staging at %s, trigger %s\n", r.Phase, r.Revision[:12], r.Trigger)
	}
	dep, err := cs.AppsV1().Deployments("payment-service").Get(ctx, "payment-service", metav1.GetOptions{})
	if err != nil {
		return err
	}
	if *dep.Spec.Replicas == 5 {
		return fmt.Errorf("payment-service replicas on staging are still 5: the drift was not healed")
	}
	fmt.Printf("payment-service replicas on staging are %d again\n", *dep.Spec.Replicas)
	return nil
}

// healPass runs passes of the reconcile loop until one heals the edited
// Deployment, for up to 10 s: gitwave sees a hand edit through its watch, a
// moment after it happens, so a pass that starts at once may not see it yet.
func (d *demo) healPass(ctx context.Context, cs kubernetes.Interface) error {
	for deadline := time.Now().Add(10 * time.Second); ; {
		if err := d.host.bot.ReconcileOnce(ctx); err != nil {
			return err
		}
		dep, err := cs.AppsV1().Deployments("payment-service").Get(ctx, "payment-service", metav1.GetOptions{})
		if err != nil {
			return err
		}
		if *dep.Spec.Replicas != 5 || time.Now().After(deadline) {
			return nil
		}
		time.Sleep(300 * time.Millisecond)
	}
}
