package main

import (
	"context"
	"fmt"
	"os"
	"strings"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/kubernetes"

	"github.com/gitwave/gitwave/applier"
	"github.com/gitwave/gitwave/bot/markdown"
	"github.com/gitwave/gitwave/hack/examplerepo"
	"github.com/gitwave/gitwave/planner"
	"github.com/gitwave/gitwave/reconcile"
)

// syncRevision syncs the given apps (all automated apps when nil) at rev.
func (d *demo) syncRevision(ctx context.Context, rev, trigger string, only func(*planner.App) bool) error {
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
		if a.Automated() != nil && (only == nil || only(a)) {
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
	return d.syncRevision(ctx, examplerepo.MainBranch, "cli", nil)
}

func (d *demo) prComment(ctx context.Context) error {
	base, err := d.git.MergeBase(ctx, examplerepo.MainBranch, examplerepo.PRBranch)
	if err != nil {
		return err
	}
	baseSrc, err := d.source(ctx, base)
	if err != nil {
		return err
	}
	headSrc, err := d.source(ctx, examplerepo.PRBranch)
	if err != nil {
		return err
	}
	changed, err := d.git.ChangedFiles(ctx, base, headSrc.Revision)
	if err != nil {
		return err
	}
	rep, err := d.rec.Planner.DiffRevisions(ctx, baseSrc, headSrc, planner.DiffOptions{Changed: changed})
	if err != nil {
		return err
	}
	inv, err := d.rec.Planner.Discover(ctx, headSrc)
	if err != nil {
		return err
	}
	d.rec.LiveDiff(ctx, rep, headSrc, inv)
	parts := markdown.Diff(rep, markdown.DiffOptions{Marker: "<!-- gitwave:diff -->"})
	fmt.Println(strings.Join(parts, "\n---- next comment ----\n"))
	return nil
}

func (d *demo) merge(ctx context.Context) error {
	if err := examplerepo.Merge(ctx, d.repo); err != nil {
		return err
	}
	changed := d.repo.Changed
	src, err := d.source(ctx, examplerepo.MainBranch)
	if err != nil {
		return err
	}
	fmt.Printf("main is now %s; deploying the apps the merge touched\n", src.Revision[:12])
	return d.syncRevision(ctx, examplerepo.MainBranch, "merge", func(a *planner.App) bool {
		return planner.Touches(planner.Dependencies(src.Repo, a), changed)
	})
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
	src, err := d.source(ctx, examplerepo.MainBranch)
	if err != nil {
		return err
	}
	inv, err := d.rec.Planner.Discover(ctx, src)
	if err != nil {
		return err
	}
	results := d.rec.Drift(ctx, inv.Apps, reconcile.DriftOptions{Heal: true})
	for _, r := range results {
		if r.Drifted {
			fmt.Printf("  DRIFTED %s@%s from %s\n", r.App.Name, r.App.Cluster.Name, r.Revision[:12])
			for _, c := range r.Changes {
				fmt.Printf("%s", indent(c.Diff))
			}
			if r.Heal != nil && r.Heal.Err == nil {
				fmt.Println("  HEALED: synced back")
			}
		}
	}
	dep, err := cs.AppsV1().Deployments("payment-service").Get(ctx, "payment-service", metav1.GetOptions{})
	if err != nil {
		return err
	}
	fmt.Printf("payment-service replicas on staging are %d again\n", *dep.Spec.Replicas)
	if *dep.Spec.Replicas == 5 {
		fmt.Fprintln(os.Stderr, "the drift was not healed")
		return fmt.Errorf("drift not healed")
	}
	return nil
}

func indent(s string) string {
	return "    " + strings.ReplaceAll(strings.TrimSuffix(s, "\n"), "\n", "\n    ") + "\n"
}
