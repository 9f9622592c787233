package bot_test

import (
	"context"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/dynamic"

	"github.com/gitwave/gitwave/bot/hostfake"
	"github.com/gitwave/gitwave/gitrepo"
	"github.com/gitwave/gitwave/hack/examplerepo"
	"github.com/gitwave/gitwave/planner"
	"github.com/gitwave/gitwave/reconcile"
	"github.com/gitwave/gitwave/store"
)

var (
	deployments = schema.GroupVersionResource{Group: "apps", Version: "v1", Resource: "deployments"}
	configMaps  = schema.GroupVersionResource{Version: "v1", Resource: "configmaps"}
)

// TestMergeRollbackAndSelfHeal is one pull request's life on three real
// clusters: payment-service runs the base revision on staging; the PR's
// comment diffs against the live clusters; the merge deploys in wave order;
// /rollback restores the previous revision with a pin and a revert PR; and
// drift is healed by passes of the reconcile loop.
func TestMergeRollbackAndSelfHeal(t *testing.T) {
	e := needEnv(t)
	f := newFixture(t, fixtureOptions{Env: e, Author: "carol"})
	ctx := context.Background()
	staging := dynamic.NewForConfigOrDie(e.RESTConfig("staging"))
	bootstrap(t, f, "payment-service-staging")

	t.Run("PR comment diffs against the live clusters", func(t *testing.T) {
		f.opened(http.StatusAccepted)
		f.run()
		body := f.botComments(1)[0]
		for _, bad := range []string{"is not configured in gitwave", "cannot be reached"} {
			if strings.Contains(body, bad) {
				t.Errorf("comment says %q although every cluster answers:\n%s", bad, body)
			}
		}
		if !strings.Contains(body, "| `payment-service-staging` | `staging` | :pencil2: changed |") {
			t.Errorf("payment-service-staging, live at the base, is not shown changed:\n%s", body)
		}
	})

	t.Run("merge deploys in wave order", func(t *testing.T) {
		merge(t, f)
		got := f.lastReply()
		for _, w := range []string{"<!-- gitwave:deploy -->", "merge of #1 by carol", "#### Cluster `staging`",
			"| `payment-service-staging` | :white_check_mark: Succeeded | PreSync → waves -1, 0, 1, 2 → PostSync |"} {
			if !strings.Contains(got, w) {
				t.Errorf("deploy comment lacks %q:\n%s", w, got)
			}
		}
		if img := image(t, staging, "payment-service", "payment-service"); !strings.HasSuffix(img, ":v2.4.0") {
			t.Errorf("payment-service on staging runs %s; want v2.4.0", img)
		}
		checkWaveOrder(t, f.store, "payment-service-staging", "staging")
		// The deploy told the loop's status, and so notifications, that
		// the sync ran (on-sync-running); the loop's next pass, queued
		// behind the deploy, says how it ended.
		sts, err := f.store.AppStatuses(ctx, store.AppStatusFilter{Repo: exampleRepo, App: "payment-service-staging"})
		if err != nil || len(sts) != 1 || sts[0].LastSync.Result != store.PhaseRunning || sts[0].LastSync.StartedAt.IsZero() {
			t.Errorf("payment-service-staging's status after the merge deploy: %+v (%v); want its last sync Running", sts, err)
		}
		redis := lastSync(t, f.store, "redis-production-use1", "production-use1")
		pay := lastSync(t, f.store, "payment-service-production-use1", "production-use1")
		if !redis.FinishedAt.Before(pay.StartedAt) {
			t.Errorf("redis (platform, wave -1) finished %s, after payment-service (applications, wave 0) started %s",
				redis.FinishedAt, pay.StartedAt)
		}
	})

	t.Run("rollback restores the previous revision with a pin and a revert PR", func(t *testing.T) {
		f.comment("bob", "/rollback payment-service-staging")
		f.run()
		got := f.lastReply()
		if !strings.Contains(got, "gitwave rolled back `payment-service-staging`") || !strings.Contains(got, ":pushpin: pinned until #2") {
			t.Errorf("rollback answer:\n%s", got)
		}
		if img := image(t, staging, "payment-service", "payment-service"); !strings.HasSuffix(img, ":v2.3.1") {
			t.Errorf("payment-service on staging runs %s after the rollback; want v2.3.1", img)
		}
		pins, err := f.store.Pins(ctx, "payment-service-staging")
		if err != nil || len(pins) != 1 || pins[0].Revision != f.ex.BaseSHA || pins[0].RevertPR != exampleRepo+"#2" || pins[0].By != "bob" {
			t.Fatalf("pins = %+v, %v; want one at the base by bob with revert PR #2", pins, err)
		}
		prs := f.gh.PullRequests(exampleRepo)
		if len(prs) != 2 || !strings.HasPrefix(prs[1].Head, "gitwave/rollback-payment-service-staging-") || prs[1].Base != "main" {
			t.Fatalf("pull requests = %+v; want a revert PR from a gitwave/rollback- branch to main", prs)
		}
		checkRevertBranch(t, f, prs[1].Head)
		f.comment("bob", "/history payment-service-staging")
		f.run()
		if h := f.lastReply(); !strings.Contains(h, ":pushpin: pinned on `staging`") || !strings.Contains(h, "| rollback | bob | Succeeded |") {
			t.Errorf("/history does not show the pin and the rollback:\n%s", h)
		}
	})

	t.Run("drift is healed by the reconcile loop", func(t *testing.T) { healDrift(t, f, staging) })
}

// healDrift changes a live ConfigMap of inventory-service-staging (which
// has selfHeal) and runs passes of the reconcile loop, a second apart,
// until it is synced back.
func healDrift(t *testing.T, f *fixture, staging dynamic.Interface) {
	ctx := context.Background()
	cm, err := staging.Resource(configMaps).Namespace("inventory-service").Get(ctx, "inventory-service-config", metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	want, _, _ := unstructured.NestedString(cm.Object, "data", "LOG_LEVEL")
	_ = unstructured.SetNestedField(cm.Object, "drifted", "data", "LOG_LEVEL")
	if _, err := staging.Resource(configMaps).Namespace("inventory-service").Update(ctx, cm, metav1.UpdateOptions{}); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(90 * time.Second)
	for {
		cm, err := staging.Resource(configMaps).Namespace("inventory-service").Get(ctx, "inventory-service-config", metav1.GetOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if got, _, _ := unstructured.NestedString(cm.Object, "data", "LOG_LEVEL"); got == want {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("LOG_LEVEL still drifted after 90s; want %q healed back", want)
		}
		if err := f.bot.ReconcileOnce(ctx); err != nil {
			t.Fatal(err)
		}
		time.Sleep(time.Second)
	}
	if rec := lastSync(t, f.store, "inventory-service-staging", "staging"); rec.Trigger != store.TriggerSelfHeal {
		t.Errorf("last sync of inventory-service-staging = %s by %s; want the self-heal", rec.Trigger, rec.Initiator)
	}
}

// bootstrap deploys app at the base revision, as `gitwave sync` would
// have before gitwave served the repository.
func bootstrap(t *testing.T, f *fixture, app string) {
	t.Helper()
	ctx := context.Background()
	g, err := gitrepo.Open(ctx, gitrepo.Options{Location: f.ex.Dir})
	if err != nil {
		t.Fatal(err)
	}
	defer g.Close()
	tree, err := g.Tree(ctx, f.ex.BaseSHA)
	if err != nil {
		t.Fatal(err)
	}
	rc, err := planner.LoadRepoConfig(tree)
	if err != nil {
		t.Fatal(err)
	}
	src := planner.Source{Repo: tree, Revision: f.ex.BaseSHA, Config: rc, RepoURL: rc.RepoURL, Clusters: f.opts.Clusters}
	p := &planner.Planner{}
	inv, err := p.Discover(ctx, src)
	if err != nil {
		t.Fatal(err)
	}
	var apps []*planner.App
	for _, a := range inv.Apps {
		if a.Name == app {
			apps = append(apps, a)
		}
	}
	r := &reconcile.Reconciler{Planner: p, Fleet: f.opts.Fleet, History: f.store}
	for _, res := range r.Sync(ctx, src, inv, apps, reconcile.SyncOptions{Trigger: store.TriggerCLI, Initiator: "test"}) {
		if res.Err != nil {
			t.Fatalf("bootstrap %s: %v", app, res.Err)
		}
	}
}

// merge merges pull request 1 in Git and on the double, and delivers the
// merge.
func merge(t *testing.T, f *fixture) {
	t.Helper()
	mergeEvent(t, f)
	if n := f.run(); n != 1 {
		t.Fatalf("jobs run = %d; want 1", n)
	}
}

// mergeEvent merges pull request 1 and delivers the merge, running
// nothing.
func mergeEvent(t *testing.T, f *fixture) {
	t.Helper()
	if err := examplerepo.Merge(context.Background(), f.ex); err != nil {
		t.Fatal(err)
	}
	author := f.gh.PullRequests(exampleRepo)[0].Author
	f.gh.AddPullRequest(exampleRepo, hostfake.PullRequest{Number: 1, Title: "Deploy payment-service v2.4.0", Author: author,
		Head: examplerepo.PRBranch, Base: "main", HeadSHA: f.ex.HeadSHA, BaseSHA: f.ex.BaseSHA, State: "closed",
		Merged: true, MergeSHA: f.ex.HeadSHA})
	f.webhook(hostfake.GitHubWebhook{Example: "pull_request.closed", Number: 1, HeadSHA: f.ex.HeadSHA, HeadRef: examplerepo.PRBranch,
		BaseSHA: f.ex.BaseSHA, BaseRef: "main", Merged: true, MergeSHA: f.ex.HeadSHA, Sender: author}, http.StatusAccepted)
}

func image(t *testing.T, c dynamic.Interface, ns, name string) string {
	t.Helper()
	d, err := c.Resource(deployments).Namespace(ns).Get(context.Background(), name, metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	cs, _, _ := unstructured.NestedSlice(d.Object, "spec", "template", "spec", "containers")
	if len(cs) == 0 {
		t.Fatalf("deployment %s/%s has no container", ns, name)
	}
	img, _, _ := unstructured.NestedString(cs[0].(map[string]any), "image")
	return img
}

func lastSync(t *testing.T, st *store.Store, app, cluster string) store.SyncRecord {
	t.Helper()
	recs, err := st.History(context.Background(), app, cluster, 1)
	if err != nil || len(recs) == 0 {
		t.Fatalf("history of %s on %s: %v, %d records", app, cluster, err, len(recs))
	}
	return recs[0]
}

// checkWaveOrder checks that the last sync applied the app's objects in
// phase and wave order.
func checkWaveOrder(t *testing.T, st *store.Store, app, cluster string) {
	t.Helper()
	rank := map[string]int{"PreSync": 0, "Sync": 1, "PostSync": 2}
	var seen []int
	for _, o := range lastSync(t, st, app, cluster).Objects {
		if r, ok := rank[o.SyncPhase]; ok && o.Action != "pruned" {
			seen = append(seen, r*1000+o.Wave)
		}
	}
	if len(seen) < 5 || !slices.IsSorted(seen) {
		t.Errorf("objects of %s on %s in applied order (phase*1000+wave) = %v; want at least 5, ascending", app, cluster, seen)
	}
}

// checkRevertBranch checks that the revert branch, pushed to the origin,
// puts the base's payment-service files back.
func checkRevertBranch(t *testing.T, f *fixture, branch string) {
	t.Helper()
	ctx := context.Background()
	g, err := gitrepo.Open(ctx, gitrepo.Options{Location: f.ex.Dir})
	if err != nil {
		t.Fatal(err)
	}
	defer g.Close()
	files, err := g.ChangedFiles(ctx, f.ex.BaseSHA, branch)
	if err != nil {
		t.Fatal(err)
	}
	if len(files) != 0 {
		t.Errorf("revert branch %s differs from the base in %v; want the PR reverted", branch, files)
	}
}
