// Command demo is the README's first command. It builds the bundled example
// GitOps repository as a real Git repository, shows the pull request's
// render diff and policy verdicts offline, then starts three local
// Kubernetes clusters, deploys main, shows the pull request's diff against
// the live clusters as gitwave comments it, merges the pull request and
// deploys it wave by wave, then breaks a Deployment by hand and heals the
// drift. Last, on the guide's three repositories, a pull request in the
// apps repository is commented and deployed. It uses the embedded SQLite
// store.
package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"k8s.io/klog/v2"

	"github.com/gitwave/gitwave/applier"
	"github.com/gitwave/gitwave/gitrepo"
	"github.com/gitwave/gitwave/hack/examplerepo"
	"github.com/gitwave/gitwave/hack/localcluster"
	"github.com/gitwave/gitwave/planner"
	"github.com/gitwave/gitwave/reconcile"
	"github.com/gitwave/gitwave/store"
)

var clusters = []string{"staging", "production-apne2", "production-use1"}

func main() {
	// client-go logs through klog; gitwave reports what matters itself.
	klog.LogToStderr(false)
	klog.SetOutput(io.Discard)
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx)
	stop()
	if err != nil {
		fmt.Fprintln(os.Stderr, "demo:", err)
		os.Exit(1)
	}
}

// demo is the demo's state: the repository, the clusters and gitwave.
type demo struct {
	dir   string
	repo  *examplerepo.Repo
	git   *gitrepo.Repo
	env   *localcluster.Env
	store *store.Store
	fleet *applier.Fleet
	rec   *reconcile.Reconciler
	host  *host
	guide *guide
}

func run(ctx context.Context) error {
	d := &demo{}
	defer d.close()
	steps := []struct {
		title string
		fn    func(context.Context) error
	}{
		{"Build the example GitOps repository (main + pull request pr/1)", d.buildRepo},
		{"Offline, before any cluster: the pull request's render diff against main, with the policy's verdict per app", d.offlineDiff},
		{"Start three local Kubernetes clusters (etcd, kube-apiserver, controller-manager, scheduler, kwok)", d.startClusters},
		{"Deploy main: every app, app-of-apps wave by wave, every cluster in parallel", d.deployMain},
		{"gitwave serves the repository; the GitHub test double stands in for github.com", d.startHost},
		{"Pull request #1 opened by carol: gitwave comments the diff against the live clusters", d.prOpened},
		{"alice (order team, no production syncs) comments `/sync order-service-production-apne2`: denied, with the reason", d.unauthorizedSync},
		{"Pull request #1 merged: gitwave deploys what it changed, wave by wave, and reports on the PR", d.merge},
		{"Someone edits a Deployment by hand; a pass of the reconcile loop finds the drift and heals it", d.drift},
		{"The guide's three repositories: a pull request in org/k8s-apps (no Applications there) is commented with the apps of org/k8s-gitops that read it, and its merge deploys them", d.guidePR},
	}
	for i, s := range steps {
		fmt.Printf("\n\033[1m== %d. %s\033[0m\n", i+1, s.title)
		start := time.Now()
		if err := s.fn(ctx); err != nil {
			return fmt.Errorf("step %d (%s): %w", i+1, s.title, err)
		}
		fmt.Printf("(%s)\n", time.Since(start).Round(time.Millisecond))
	}
	fmt.Println("\nDone. Clusters are stopped and temporary files removed.")
	return nil
}

func (d *demo) buildRepo(ctx context.Context) error {
	var err error
	if d.dir, err = os.MkdirTemp("", "gitwave-demo-"); err != nil {
		return err
	}
	if d.repo, err = examplerepo.Build(filepath.Join(d.dir, "k8s-gitops"), examplerepo.Options{}); err != nil {
		return err
	}
	fmt.Printf("repository %s\n  main %s\n  pr/1 %s, changing:\n    %s\n", d.repo.Dir, d.repo.BaseSHA[:12], d.repo.HeadSHA[:12], strings.Join(d.repo.Changed, "\n    "))
	d.git, err = gitrepo.Open(ctx, gitrepo.Options{Location: d.repo.Dir})
	return err
}

func (d *demo) startClusters(ctx context.Context) error {
	bin := localcluster.BinDir()
	if localcluster.CheckBinaries(bin) != nil {
		fmt.Println("building the cluster binaries from source: first run on this machine only, 16 to 40 minutes on 2")
		fmt.Println("cores (39 measured on a busy machine); progress every 30 s below, cached afterwards ...")
		cmd := exec.CommandContext(ctx, "hack/kube/build.sh")
		cmd.Stderr = os.Stderr
		if err := cmd.Run(); err != nil {
			return fmt.Errorf("hack/kube/build.sh: %w", err)
		}
	}
	var err error
	d.env, err = localcluster.Start(ctx, localcluster.Options{Names: clusters, WorkDir: d.dir})
	if err != nil {
		return err
	}
	for _, c := range clusters {
		fmt.Printf("  %-17s %s\n", c, d.env.Server(c))
	}
	if d.store, err = store.Open(ctx, store.Options{Driver: "sqlite", DSN: filepath.Join(d.dir, "gitwave.db")}); err != nil {
		return err
	}
	ccs := make([]applier.ClusterConfig, len(clusters))
	for i, c := range clusters {
		ccs[i] = applier.ClusterConfig{Name: c, Kubeconfig: d.env.KubeconfigPath(), Context: c}
	}
	if d.fleet, err = applier.NewFleet(ccs, applier.FleetOptions{Manager: applier.Options{Store: d.store, WaitTimeout: 2 * time.Minute}}); err != nil {
		return err
	}
	d.rec = &reconcile.Reconciler{Planner: &planner.Planner{}, Fleet: d.fleet, History: d.store, Source: d.source}
	return nil
}

// source reads the repository at a revision, with the local clusters
// standing in for the servers the cluster Secrets name.
func (d *demo) source(ctx context.Context, rev string) (planner.Source, error) {
	src, err := d.offlineSource(ctx, rev)
	if err != nil {
		return planner.Source{}, err
	}
	for _, c := range clusters {
		src.Clusters = append(src.Clusters, planner.Cluster{Name: c, Server: d.env.Server(c), Source: "config"})
	}
	return src, nil
}

func (d *demo) close() {
	if d.guide != nil {
		d.guide.close()
	}
	if d.host != nil {
		d.host.close()
	}
	if d.fleet != nil {
		d.fleet.Close()
	}
	if d.store != nil {
		_ = d.store.Close()
	}
	if d.env != nil {
		d.env.Close()
	}
	if d.git != nil {
		_ = d.git.Close()
	}
	if d.dir != "" {
		_ = os.RemoveAll(d.dir)
	}
}
