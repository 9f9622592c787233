package bot_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/gitwave/gitwave/applier"
	"github.com/gitwave/gitwave/bot"
	"github.com/gitwave/gitwave/planner"
	"github.com/gitwave/gitwave/store"
)

// loopInterval is the reconcile interval of the loop tests.
const loopInterval = 5 * time.Second

// TestLoopConvergesTheFleet runs the reconcile loop as `gitwave serve`
// does, on the three clusters: a cluster added to the configuration gets
// its apps; one cluster stopped during a merge deploy is Unknown, and once
// started again is caught up within two intervals with no new event; and
// the loop's syncs never interleave with the merge deploy's.
func TestLoopConvergesTheFleet(t *testing.T) {
	e := needEnv(t)
	f := newFixture(t, fixtureOptions{Env: e, Author: "carol", ReconcileInterval: loopInterval})
	ctx := context.Background()

	t.Run("a cluster added to the config gets its apps", func(t *testing.T) { checkAddedCluster(t, f) })

	lctx, stop := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() { defer close(done); runServe(lctx, f.bot) }()
	defer func() { stop(); <-done }()

	t.Run("a cluster down during the merge is caught up without an event", func(t *testing.T) { checkCaughtUp(t, f) })

	stop()
	<-done
	t.Run("the loop and the merge deploy never interleave", func(t *testing.T) { checkNoInterleave(t, f.store) })
}

// checkAddedCluster: a bot configured without production-apne2 leaves it
// alone; with it, the next pass deploys its apps.
func checkAddedCluster(t *testing.T, f *fixture) {
	ctx := context.Background()
	fewer := f.opts
	fewer.Holder = "fewer-clusters"
	fewer.Fleet, fewer.Clusters = fleetWithout(t, f, "production-apne2")
	b, err := bot.New(fewer)
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	if err := b.ReconcileOnce(ctx); err != nil {
		t.Fatal(err)
	}
	if n := syncedOn(t, f.store, "production-apne2"); n != 0 {
		t.Fatalf("%d app(s) synced on production-apne2 before it was configured", n)
	}
	if err := f.store.Unlock(ctx, "reconcile", "fewer-clusters"); err != nil {
		t.Fatal(err)
	}
	if err := f.bot.ReconcileOnce(ctx); err != nil {
		t.Fatal(err)
	}
	sts := statuses(t, f.store, "production-apne2")
	if len(sts) == 0 || syncedOn(t, f.store, "production-apne2") == 0 {
		t.Fatalf("production-apne2 got no app once configured: %+v", sts)
	}
	for _, st := range sts {
		// An app whose objects another test left live is Synced
		// without a sync, as in Argo CD.
		if st.Sync != store.SyncSynced || st.DesiredRevision != f.ex.BaseSHA {
			t.Errorf("%s on production-apne2: %s, desired %s; want Synced at the base", st.App, st.Sync, st.DesiredRevision)
		}
	}
}

// checkCaughtUp stops production-use1, merges, and starts it again: the
// loop, running as serve runs it, catches it up with no new event.
func checkCaughtUp(t *testing.T, f *fixture) {
	ctx, e := context.Background(), f.env
	if err := e.Stop("production-use1"); err != nil {
		t.Fatal(err)
	}
	mergeEvent(t, f)
	waitUntil(t, 3*time.Minute, "the merge's deploy comment", func() bool {
		return strings.Contains(strings.Join(f.botComments(1), "\n"), "<!-- gitwave:deploy -->")
	})
	waitUntil(t, 3*loopInterval+time.Minute, "production-use1's apps Unknown", func() bool {
		for _, st := range statuses(t, f.store, "production-use1") {
			if st.Sync == store.SyncUnknown && strings.Contains(st.UnknownReason, "unreachable") {
				return true
			}
		}
		return false
	})
	restarting := time.Now()
	if err := e.Restart(ctx, "production-use1"); err != nil {
		t.Fatal(err)
	}
	back := time.Now() // the loop may start before the node is Ready
	app := "payment-service-production-use1"
	waitUntil(t, 2*loopInterval+2*time.Minute, app+" deployed at the merge", func() bool {
		st := status(t, f.store, app, "production-use1")
		return st.Sync == store.SyncSynced && st.DeployedRevision == f.ex.HeadSHA
	})
	first := firstSyncAfter(t, f.store, app, "production-use1", restarting)
	if recs, _ := f.store.History(ctx, app, "production-use1", 0); first.ID == 0 {
		for _, r := range recs {
			t.Logf("sync %d %s by %s at %s: %s %s-%s %q", r.ID, r.Trigger, r.Initiator, short(r.Revision), r.Phase, r.StartedAt, r.FinishedAt, r.Message)
		}
		t.Logf("restarted at %s", back)
	}
	if first.Trigger != store.TriggerSelfHeal || first.StartedAt.Sub(back) > 2*loopInterval {
		t.Errorf("catch-up sync %+v started %s after the restart; want the loop's within two intervals (%s)",
			first, first.StartedAt.Sub(back), 2*loopInterval)
	}
}

// runServe runs the workers and the loop until ctx ends.
func runServe(ctx context.Context, b *bot.Bot) {
	done := make(chan struct{})
	go func() { defer close(done); _ = b.RunWorkers(ctx) }()
	_ = b.RunReconcile(ctx)
	<-done
}

// fleetWithout is the fleet of every cluster of f but one.
func fleetWithout(t *testing.T, f *fixture, gone string) (*applier.Fleet, []planner.Cluster) {
	t.Helper()
	var ccs []applier.ClusterConfig
	var pcs []planner.Cluster
	for _, name := range f.env.Names() {
		if name == gone {
			continue
		}
		ccs = append(ccs, applier.ClusterConfig{Name: name, Kubeconfig: f.env.KubeconfigPath(), Context: name})
		pcs = append(pcs, planner.Cluster{Name: name, Server: f.env.Server(name), Source: "config"})
	}
	fleet, err := applier.NewFleet(ccs, applier.FleetOptions{Manager: applier.Options{Store: f.store, WaitTimeout: 2 * time.Minute}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(fleet.Close)
	return fleet, pcs
}

func statuses(t *testing.T, st *store.Store, cluster string) []store.AppStatus {
	t.Helper()
	sts, err := st.AppStatuses(context.Background(), store.AppStatusFilter{Cluster: cluster})
	if err != nil {
		t.Fatal(err)
	}
	return sts
}

func status(t *testing.T, st *store.Store, app, cluster string) store.AppStatus {
	t.Helper()
	sts, err := st.AppStatuses(context.Background(), store.AppStatusFilter{App: app, Cluster: cluster})
	if err != nil || len(sts) != 1 {
		return store.AppStatus{}
	}
	return sts[0]
}

// syncedOn counts the apps with a successful sync on cluster.
func syncedOn(t *testing.T, st *store.Store, cluster string) int {
	t.Helper()
	_, ok, err := st.LatestSyncs(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for k := range ok {
		if k.Cluster == cluster {
			n++
		}
	}
	return n
}

func firstSyncAfter(t *testing.T, st *store.Store, app, cluster string, after time.Time) store.SyncRecord {
	t.Helper()
	recs, err := st.History(context.Background(), app, cluster, 0)
	if err != nil {
		t.Fatal(err)
	}
	var first store.SyncRecord
	for _, r := range recs {
		if r.StartedAt.After(after) {
			first = r
		}
	}
	return first
}

// checkNoInterleave: no sync of the loop ran while a sync of the merge
// deploy ran, on any app or cluster.
func checkNoInterleave(t *testing.T, st *store.Store) {
	var merges, loops []store.SyncRecord
	for _, c := range clusterNames {
		for _, s := range statuses(t, st, c) {
			recs, err := st.History(context.Background(), s.App, c, 0)
			if err != nil {
				t.Fatal(err)
			}
			for _, r := range recs {
				switch r.Trigger {
				case store.TriggerMerge:
					merges = append(merges, r)
				case store.TriggerSelfHeal:
					loops = append(loops, r)
				}
			}
		}
	}
	if len(merges) == 0 || len(loops) == 0 {
		t.Fatalf("%d merge and %d loop syncs; want both", len(merges), len(loops))
	}
	start, end := merges[0].StartedAt, merges[0].FinishedAt
	for _, m := range merges {
		start, end = minTime(start, m.StartedAt), maxTime(end, m.FinishedAt)
	}
	for _, l := range loops {
		if l.FinishedAt.After(start) && l.StartedAt.Before(end) {
			t.Errorf("loop sync of %s on %s (%s to %s) overlaps the merge deploy (%s to %s)",
				l.App, l.Cluster, l.StartedAt, l.FinishedAt, start, end)
		}
	}
}

func short(s string) string { return s[:min(len(s), 12)] }

func minTime(a, b time.Time) time.Time {
	if b.Before(a) {
		return b
	}
	return a
}

func maxTime(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}

func waitUntil(t *testing.T, limit time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(limit)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("no %s after %s", what, limit)
		}
		time.Sleep(250 * time.Millisecond)
	}
}
