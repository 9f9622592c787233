package bot_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"net/http"
	"net/http/httptest"
	"os"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	coordinationv1 "k8s.io/api/coordination/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"

	"github.com/gitwave/gitwave/bot/hostfake"
	"github.com/gitwave/gitwave/gitrepo"
	"github.com/gitwave/gitwave/hack/examplerepo"
	"github.com/gitwave/gitwave/hack/localcluster"
	"github.com/gitwave/gitwave/planner"
	"github.com/gitwave/gitwave/reconcile"
	"github.com/gitwave/gitwave/store"
)

// The hidden markers of gitwave's diff and deploy comments.
const (
	benchDiffMarker   = "<!-- gitwave:diff -->"
	benchDeployMarker = "<!-- gitwave:deploy -->"
)

// systemNamespaces are never deleted when the clusters are reset.
var systemNamespaces = []string{"", "default", "kube-system", "kube-public", "kube-node-lease"}

// BenchmarkPRWebhookToComment times pull request 1 of the example (which
// changes payment-service and redis and adds inventory-service, on the three
// clusters) from the signed pull_request.opened POST to gitwave's diff
// comment appearing on the GitHub double, with workers polling the store as
// `gitwave serve` runs them and the live diff against the three clusters,
// which run the default branch. Each iteration opens a pull request of its
// own number on the same commits, so it starts with no comment and no job;
// one untimed pull request first warms the Git mirror, the chart cache and
// the clusters' informers, and its time is reported as cold-s.
func BenchmarkPRWebhookToComment(b *testing.B) {
	defer quietLogs()()
	e := needEnv(b)
	defer keepNodeLeases(e)()
	f := newFixture(b, fixtureOptions{Env: e})
	resetClusters(b, f)
	srv := httptest.NewServer(f.bot.Handler())
	defer srv.Close()
	defer runWorkers(f)()
	cold := timePR(b, f, srv, 1)
	lat := make([]time.Duration, b.N)
	b.ResetTimer()
	for i := range b.N {
		lat[i] = timePR(b, f, srv, i+2)
	}
	b.StopTimer()
	var sum time.Duration
	for _, d := range lat {
		sum += d
	}
	mean := sum / time.Duration(b.N)
	b.ReportMetric(float64(mean.Microseconds())/1000, "ms/op")
	b.ReportMetric(mean.Seconds(), "s/op")
	b.ReportMetric(slices.Max(lat).Seconds(), "max-s")
	b.ReportMetric(cold.Seconds(), "cold-s")
	b.ReportMetric(0, "ns/op")
}

// timePR opens pull request n on the example's commits, delivers its
// webhook and returns the time until the diff comment is on the double. The
// timer is stopped while the job finishes its commit statuses.
func timePR(b *testing.B, f *fixture, srv *httptest.Server, n int) time.Duration {
	b.Helper()
	if n > 1 {
		f.gh.AddPullRequest(exampleRepo, hostfake.PullRequest{Number: n, Title: "Deploy payment-service v2.4.0", Author: "bob",
			Head: examplerepo.PRBranch, Base: examplerepo.MainBranch, HeadSHA: f.ex.HeadSHA, BaseSHA: f.ex.BaseSHA})
		var files []hostfake.File
		for _, p := range f.ex.Changed {
			files = append(files, hostfake.File{Path: p, Status: "modified"})
		}
		f.gh.SetFiles(exampleRepo, n, files...)
	}
	event, body := f.gh.Webhook(b, hostfake.GitHubWebhook{Example: "pull_request.opened", Repo: exampleRepo, DefaultBranch: "main",
		Number: n, HeadSHA: f.ex.HeadSHA, HeadRef: examplerepo.PRBranch, BaseSHA: f.ex.BaseSHA, BaseRef: "main", Sender: "bob"})
	start := time.Now()
	post(b, f, srv, event, body)
	comment := waitComment(b, f, n, benchDiffMarker, 2*time.Minute)
	took := time.Since(start)
	b.StopTimer()
	checkLiveDiff(b, f, comment)
	waitJobsDone(b, srv, "pull_request", n)
	b.StartTimer()
	return took
}

// checkLiveDiff fails the benchmark unless the comment diffs the apps the
// pull request touches against every cluster live.
func checkLiveDiff(b *testing.B, f *fixture, comment string) {
	b.Helper()
	for _, bad := range []string{"is not configured in gitwave", "cannot be reached"} {
		if strings.Contains(comment, bad) {
			b.Fatalf("diff comment says %q although every cluster answers:\n%s", bad, comment)
		}
	}
	for _, c := range f.env.Names() {
		for _, app := range []string{"payment-service-", "inventory-service-"} {
			if row := "| `" + app + c + "` | `" + c + "` |"; !strings.Contains(comment, row) {
				b.Fatalf("diff comment has no row %q:\n%s", row, comment)
			}
		}
	}
}

// syncTime is one app's sync on one cluster as the deploy comment reports
// it: the whole sync and the part spent waiting for health, in seconds.
type syncTime struct {
	app, cluster string
	total, wait  float64
}

// BenchmarkMergeToDeployed times the merge of the example's pull request
// (payment-service and redis changed, inventory-service added) from the
// signed pull_request.closed (merged) POST to gitwave's deploy comment on
// the double, every changed app synced on the three clusters. Each
// iteration starts untimed from the same state: the apps' namespaces
// deleted, a fresh store, repository and double, and the default branch
// deployed to every cluster. wait-share is the time the syncs spent waiting
// for health over their whole time, summed over every app and cluster from
// the Time column of the deploy comment (the applier's Result.Duration and
// WaitDuration, rounded there to 0.1 s); app-syncs counts those syncs per
// merge; sync-span-s is from the first sync's start to the last
// one's end in the store's history, the rest of total-s being queue, fetch,
// render and report.
func BenchmarkMergeToDeployed(b *testing.B) {
	defer quietLogs()()
	e := needEnv(b)
	defer keepNodeLeases(e)()
	var total, span, syncSum, waitSum, syncs float64
	b.StopTimer()
	for range b.N {
		f := newFixture(b, fixtureOptions{Env: e, Author: "carol"})
		resetClusters(b, f)
		srv := httptest.NewServer(f.bot.Handler())
		stop := runWorkers(f)
		if err := examplerepo.Merge(context.Background(), f.ex); err != nil {
			b.Fatal(err)
		}
		f.gh.AddPullRequest(exampleRepo, hostfake.PullRequest{Number: 1, Title: "Deploy payment-service v2.4.0", Author: "carol",
			Head: examplerepo.PRBranch, Base: "main", HeadSHA: f.ex.HeadSHA, BaseSHA: f.ex.BaseSHA, State: "closed",
			Merged: true, MergeSHA: f.ex.HeadSHA})
		event, body := f.gh.Webhook(b, hostfake.GitHubWebhook{Example: "pull_request.closed", Repo: exampleRepo, DefaultBranch: "main",
			Number: 1, HeadSHA: f.ex.HeadSHA, HeadRef: examplerepo.PRBranch, BaseSHA: f.ex.BaseSHA, BaseRef: "main",
			Merged: true, MergeSHA: f.ex.HeadSHA, Sender: "carol"})
		b.StartTimer()
		start := time.Now()
		post(b, f, srv, event, body)
		comment := waitComment(b, f, 1, benchDeployMarker, 5*time.Minute)
		total += time.Since(start).Seconds()
		b.StopTimer()
		waitJobsDone(b, srv, "merged", 1)
		stop()
		srv.Close()
		times := deployTimes(b, f, comment)
		syncs += float64(len(times))
		for _, t := range times {
			syncSum += t.total
			waitSum += t.wait
		}
		span += syncSpan(b, f, times).Seconds()
	}
	n := float64(b.N)
	b.ReportMetric(total/n, "total-s")
	b.ReportMetric(span/n, "sync-span-s")
	b.ReportMetric(syncSum/n, "sync-sum-s")
	b.ReportMetric(waitSum/syncSum, "wait-share")
	b.ReportMetric(syncs/n, "app-syncs")
	b.ReportMetric(0, "ns/op")
}

// resultRow matches an app's row of the deploy comment.
var resultRow = regexp.MustCompile("(?m)^\\| `([^`]+)` \\| ([^|]+) \\|.*\\| ([0-9.]+)s \\(([0-9.]+)s waiting for health\\) \\|$")

// deployTimes reads every app's sync time from the deploy comment and fails
// the benchmark unless each synced and each cluster took part.
func deployTimes(b *testing.B, f *fixture, comment string) []syncTime {
	b.Helper()
	var out []syncTime
	for _, section := range strings.Split(comment, "#### Cluster `")[1:] {
		cluster, _, _ := strings.Cut(section, "`")
		for _, m := range resultRow.FindAllStringSubmatch(section, -1) {
			if !strings.Contains(m[2], "Succeeded") {
				b.Fatalf("%s on %s: %s\n%s", m[1], cluster, m[2], comment)
			}
			total, _ := strconv.ParseFloat(m[3], 64)
			wait, _ := strconv.ParseFloat(m[4], 64)
			out = append(out, syncTime{app: m[1], cluster: cluster, total: total, wait: wait})
		}
	}
	for _, c := range f.env.Names() {
		if !slices.ContainsFunc(out, func(t syncTime) bool { return t.cluster == c }) {
			b.Fatalf("deploy comment synced nothing on %s:\n%s", c, comment)
		}
	}
	return out
}

// syncSpan is the time from the first sync's start to the last one's end,
// from the store's history of the apps the deploy comment lists.
func syncSpan(b *testing.B, f *fixture, times []syncTime) time.Duration {
	b.Helper()
	var first, last time.Time
	for _, t := range times {
		recs, err := f.store.History(context.Background(), t.app, t.cluster, 1)
		if err != nil || len(recs) == 0 {
			b.Fatalf("history of %s on %s: %v, %d records", t.app, t.cluster, err, len(recs))
		}
		rec := recs[0]
		if rec.Trigger != store.TriggerMerge {
			b.Fatalf("last sync of %s on %s was by %s; want the merge", t.app, t.cluster, rec.Trigger)
		}
		if first.IsZero() || rec.StartedAt.Before(first) {
			first = rec.StartedAt
		}
		if rec.FinishedAt.After(last) {
			last = rec.FinishedAt
		}
	}
	return last.Sub(first)
}

// runWorkers runs the Bot's workers, as `gitwave serve` does, until the
// returned function is called.
func runWorkers(f *fixture) (stop func()) {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		_ = f.bot.RunWorkers(ctx)
	}()
	return func() { cancel(); <-done }
}

// quietLogs keeps the Bots created until the returned function is called
// from logging below Warn, so that their job logs do not split the
// benchmark's result line.
func quietLogs() (restore func()) {
	old := slog.Default()
	slog.SetDefault(slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn})))
	return func() { slog.SetDefault(old) }
}

// waitJobsDone waits until the Bot's /metrics counts n jobs of kind done,
// so that the next step starts with no job running.
func waitJobsDone(b *testing.B, srv *httptest.Server, kind string, n int) {
	b.Helper()
	prefix := `gitwave_jobs_total{kind="` + kind + `",outcome="done"} `
	waitFor(b, 2*time.Minute, 20*time.Millisecond, strconv.Itoa(n)+" "+kind+" jobs done", func() bool {
		resp, err := srv.Client().Get(srv.URL + "/metrics")
		if err != nil {
			return false
		}
		defer resp.Body.Close()
		text, _ := io.ReadAll(resp.Body)
		for _, line := range strings.Split(string(text), "\n") {
			if v, ok := strings.CutPrefix(line, prefix); ok {
				done, _ := strconv.Atoi(v)
				return done >= n
			}
		}
		return false
	})
}

// post sends a signed webhook over loopback and expects 202.
func post(b *testing.B, f *fixture, srv *httptest.Server, event string, body []byte) {
	b.Helper()
	postTo(b, f.gh, srv, event, body)
}

// postTo sends a webhook signed as gh signs it over loopback and expects
// 202.
func postTo(b *testing.B, gh *hostfake.GitHub, srv *httptest.Server, event string, body []byte) {
	b.Helper()
	req, err := http.NewRequest(http.MethodPost, srv.URL+"/webhooks/github", bytes.NewReader(body))
	if err != nil {
		b.Fatal(err)
	}
	req.Header = gh.SignedRequest(event, body).Header
	resp, err := srv.Client().Do(req)
	if err != nil {
		b.Fatal(err)
	}
	msg, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusAccepted {
		b.Fatalf("%s webhook: %d %s; want 202", event, resp.StatusCode, msg)
	}
}

// waitComment polls the double until gitwave's comment with marker is on
// pull request n, and returns its body.
func waitComment(b *testing.B, f *fixture, n int, marker string, limit time.Duration) string {
	b.Helper()
	var body string
	waitFor(b, limit, 5*time.Millisecond, "gitwave's comment "+marker+" on pull request "+strconv.Itoa(n), func() bool {
		for _, c := range f.gh.Comments(exampleRepo, n) {
			if c.Bot && strings.Contains(c.Body, marker) {
				body = c.Body
				return true
			}
		}
		return false
	})
	return body
}

// waitFor polls cond every interval until it holds, failing after limit.
func waitFor(b testing.TB, limit, interval time.Duration, what string, cond func() bool) {
	b.Helper()
	deadline := time.Now().Add(limit)
	for !cond() {
		if time.Now().After(deadline) {
			b.Fatalf("no %s after %s", what, limit)
		}
		time.Sleep(interval)
	}
}

// resetClusters puts the clusters in the state every iteration starts
// from: the namespaces of the example's apps (at the base and at the pull
// request) deleted, then every app of the default branch deployed and
// recorded in the fixture's store.
func resetClusters(b *testing.B, f *fixture) {
	b.Helper()
	ctx := context.Background()
	g, err := gitrepo.Open(ctx, gitrepo.Options{Location: f.ex.Dir})
	if err != nil {
		b.Fatal(err)
	}
	defer g.Close()
	base, baseInv := exampleInventory(b, f, g, f.ex.BaseSHA)
	_, headInv := exampleInventory(b, f, g, f.ex.HeadSHA)
	namespaces := map[string][]string{}
	for _, a := range append(slices.Clone(baseInv.Apps), headInv.Apps...) {
		ns := namespaces[a.Cluster.Name]
		if !slices.Contains(systemNamespaces, a.Namespace) && !slices.Contains(ns, a.Namespace) {
			namespaces[a.Cluster.Name] = append(ns, a.Namespace)
		}
	}
	// Only the clusters the environment runs: in-cluster is the hub's.
	maps.DeleteFunc(namespaces, func(c string, _ []string) bool { return !slices.Contains(f.env.Names(), c) })
	deleteNamespaces(b, f.env, namespaces)
	r := &reconcile.Reconciler{Planner: &planner.Planner{}, Fleet: f.opts.Fleet, History: f.store}
	for _, res := range r.Sync(ctx, base, baseInv, baseInv.Apps, reconcile.SyncOptions{Trigger: store.TriggerCLI, Initiator: "bench"}) {
		if res.Err != nil {
			b.Fatalf("deploy %s to %s at the base: %v", res.App.Name, res.App.Cluster.Name, res.Err)
		}
	}
}

// exampleInventory reads the example at rev with the fixture's clusters.
func exampleInventory(b *testing.B, f *fixture, g *gitrepo.Repo, rev string) (planner.Source, *planner.Inventory) {
	b.Helper()
	ctx := context.Background()
	tree, err := g.Tree(ctx, rev)
	if err != nil {
		b.Fatal(err)
	}
	rc, err := planner.LoadRepoConfig(tree)
	if err != nil {
		b.Fatal(err)
	}
	src := planner.Source{Repo: tree, Revision: rev, Config: rc, RepoURL: rc.RepoURL, Clusters: f.opts.Clusters}
	inv, err := (&planner.Planner{}).Discover(ctx, src)
	if err != nil {
		b.Fatal(err)
	}
	return src, inv
}

// deleteNamespaces deletes, on each cluster of e, the namespaces names
// gives it, and waits until they are gone from every cluster. Their pods go
// at once: the namespace controller would wait out their grace period.
func deleteNamespaces(b testing.TB, e *localcluster.Env, names map[string][]string) {
	b.Helper()
	ctx := context.Background()
	bg := metav1.DeletePropagationBackground
	now := int64(0)
	clients := map[string]kubernetes.Interface{}
	for cluster, nss := range names {
		cs := kubernetes.NewForConfigOrDie(e.RESTConfig(cluster))
		clients[cluster] = cs
		for _, ns := range nss {
			err := cs.CoreV1().Namespaces().Delete(ctx, ns, metav1.DeleteOptions{PropagationPolicy: &bg})
			if apierrors.IsNotFound(err) {
				continue
			}
			if err != nil {
				b.Fatalf("delete namespace %s on %s: %v", ns, cluster, err)
			}
			if err := cs.CoreV1().Pods(ns).DeleteCollection(ctx, metav1.DeleteOptions{GracePeriodSeconds: &now}, metav1.ListOptions{}); err != nil {
				b.Fatalf("delete the pods of namespace %s on %s: %v", ns, cluster, err)
			}
		}
	}
	waitFor(b, 3*time.Minute, 250*time.Millisecond, fmt.Sprintf("deletion of namespaces %v", names), func() bool {
		for cluster, nss := range names {
			for _, ns := range nss {
				if _, err := clients[cluster].CoreV1().Namespaces().Get(ctx, ns, metav1.GetOptions{}); !apierrors.IsNotFound(err) {
					return false
				}
			}
		}
		return true
	})
}

// keepNodeLeases renews the Lease of every node of every cluster every 10 s
// until the returned function is called. kwok, as hack/localcluster starts
// it (without --node-lease-duration-seconds), renews none, so the node
// controller finds the fake node's heartbeat 50 s old, marks it NotReady
// about once a minute and with it every pod on it, which kwok's stages
// never make Ready again: a Deployment caught by that waits for health
// until the applier's deadline.
func keepNodeLeases(e *localcluster.Env) (stop func()) {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	var clients []kubernetes.Interface
	for _, c := range e.Names() {
		clients = append(clients, kubernetes.NewForConfigOrDie(e.RESTConfig(c)))
	}
	go func() {
		defer close(done)
		t := time.NewTicker(10 * time.Second)
		defer t.Stop()
		for {
			for _, cs := range clients {
				renewNodeLeases(ctx, cs)
			}
			select {
			case <-ctx.Done():
				return
			case <-t.C:
			}
		}
	}()
	return func() { cancel(); <-done }
}

// renewNodeLeases renews, or creates, the Lease of each node of a cluster,
// as a kubelet does. Failures are left to the next round.
func renewNodeLeases(ctx context.Context, cs kubernetes.Interface) {
	nodes, err := cs.CoreV1().Nodes().List(ctx, metav1.ListOptions{})
	if err != nil {
		return
	}
	leases := cs.CoordinationV1().Leases("kube-node-lease")
	for _, n := range nodes.Items {
		now := metav1.NewMicroTime(time.Now())
		l, err := leases.Get(ctx, n.Name, metav1.GetOptions{})
		if apierrors.IsNotFound(err) {
			holder, seconds := n.Name, int32(40)
			_, _ = leases.Create(ctx, &coordinationv1.Lease{ObjectMeta: metav1.ObjectMeta{Name: n.Name},
				Spec: coordinationv1.LeaseSpec{HolderIdentity: &holder, LeaseDurationSeconds: &seconds, RenewTime: &now}}, metav1.CreateOptions{})
			continue
		}
		if err != nil {
			continue
		}
		l.Spec.RenewTime = &now
		_, _ = leases.Update(ctx, l, metav1.UpdateOptions{})
	}
}
