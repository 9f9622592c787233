package reconcile

import (
	"fmt"
	"os"
	"strconv"
	"testing"
	"testing/fstest"
	"time"

	"github.com/gitwave/gitwave/applier"
	"github.com/gitwave/gitwave/hack/localcluster"
	"github.com/gitwave/gitwave/planner"
	"github.com/gitwave/gitwave/store"
)

// benchClusters are the three clusters of BenchmarkConvergeNoChange,
// started only when it runs.
var benchClusters = &localcluster.Shared{Names: []string{"bench-a", "bench-b", "bench-c"}}

// benchRepo is n apps on each cluster, each owning one ConfigMap in the
// namespace bench.
func benchRepo(n int, clusters []string) fstest.MapFS {
	repo := fstest.MapFS{}
	for i := range n {
		repo[fmt.Sprintf("cm/%03d/cm.yaml", i)] = &fstest.MapFile{Data: []byte(configMap(fmt.Sprintf("settings-%03d", i), "1"))}
		for _, c := range clusters {
			name := fmt.Sprintf("b%03d-%s", i, c)
			manifest := `apiVersion: argoproj.io/v1alpha1
kind: Application
metadata: {name: ` + name + `}
spec:
  source: {repoURL: ` + repoURL + `, path: cm/` + fmt.Sprintf("%03d", i) + `}
  destination: {name: ` + c + `, namespace: bench}
  syncPolicy: {automated: {prune: true, selfHeal: true}, syncOptions: [CreateNamespace=true]}
`
			repo["apps/"+name+".yaml"] = &fstest.MapFile{Data: []byte(manifest)}
		}
	}
	return repo
}

// BenchmarkConvergeNoChange runs passes of the loop over 300 apps on each
// of three clusters (GITWAVE_BENCH_APPS sets the count per cluster) with
// nothing changed since the first pass deployed them: the pass reads the
// watch caches and the store only. It reports the API requests per pass,
// which must be 0.
func BenchmarkConvergeNoChange(b *testing.B) {
	n := 300
	if v, err := strconv.Atoi(os.Getenv("GITWAVE_BENCH_APPS")); err == nil && v > 0 {
		n = v
	}
	env := benchClusters.Need(b)
	st, err := store.Open(b.Context(), store.Options{DSN: b.TempDir() + "/gitwave.db"})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { st.Close() })
	var ccs []applier.ClusterConfig
	var clusters []planner.Cluster
	for _, c := range env.Names() {
		ccs = append(ccs, applier.ClusterConfig{Name: c, Kubeconfig: env.KubeconfigPath(), Context: c})
		clusters = append(clusters, planner.Cluster{Name: c, Server: env.Server(c)})
	}
	fleet, err := applier.NewFleet(ccs, applier.FleetOptions{Manager: applier.Options{Store: st, WaitTimeout: 2 * time.Minute}})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(fleet.Close)
	src := planner.Source{Repo: benchRepo(n, env.Names()), RepoURL: repoURL, Revision: "r1", Clusters: clusters}
	r := &Reconciler{Planner: &planner.Planner{}, Fleet: fleet, History: st, Status: st}
	inv, err := r.Planner.Discover(b.Context(), src)
	if err != nil || len(inv.Errors) > 0 {
		b.Fatalf("discover: %v %v", err, inv.Errors)
	}
	d := Desired{Repo: "acme/bench", Head: src, Inv: inv}
	for pass := 0; pass < 2; pass++ { // deploy, then warm every cache
		res, err := r.Converge(b.Context(), d)
		if err != nil {
			b.Fatal(err)
		}
		for _, s := range res.Synced {
			if s.Err != nil {
				b.Fatalf("first pass: %s: %v", s.App.Key(), s.Err)
			}
		}
	}
	requests := func() (total int64) {
		for _, c := range env.Names() {
			total += fleet.Manager(c).Requests()
		}
		return total
	}
	before := requests()
	for b.Loop() {
		res, err := r.Converge(b.Context(), d)
		if err != nil {
			b.Fatal(err)
		}
		if len(res.Synced) > 0 || len(res.Statuses) != n*len(env.Names()) {
			b.Fatalf("a pass with nothing changed synced %d apps, saw %d", len(res.Synced), len(res.Statuses))
		}
		for _, s := range res.Statuses {
			if s.Sync != store.SyncSynced || s.Health != "Healthy" {
				b.Fatalf("%s@%s: %s/%s %s", s.App, s.Cluster, s.Sync, s.Health, s.UnknownReason)
			}
		}
	}
	b.ReportMetric(float64(requests()-before)/float64(b.N), "requests/op")
	b.ReportMetric(float64(n*len(env.Names())), "app-clusters")
}
