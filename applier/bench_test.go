package applier

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"testing"

	"github.com/gitwave/gitwave/planner"
)

// benchObjects renders n objects in 5 waves: one Deployment (1 replica) in
// twenty, ConfigMaps otherwise.
func benchObjects(b *testing.B, n int) []*planner.Object {
	docs := make([]string, n)
	for i := range docs {
		if i%20 == 0 {
			docs[i] = deployment(fmt.Sprintf("d%04d", i), 1, i%5)
		} else {
			docs[i] = configMap(fmt.Sprintf("c%04d", i), i%5)
		}
	}
	return objects(b, docs...)
}

// BenchmarkSync1000 syncs 1000 objects in 5 waves into a fresh namespace.
func BenchmarkSync1000(b *testing.B) {
	m, _ := newManager(b, "c1", Options{})
	objs := benchObjects(b, 1000)
	for i := 0; b.Loop(); i++ {
		ns := fmt.Sprintf("bench-sync-%d", i)
		app := testApp(ns, "c1", ns, "CreateNamespace=true")
		res, err := m.Sync(context.Background(), SyncRequest{App: app, Objects: objs, Revision: "r1"}, nil)
		if err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(res.WaitDuration.Seconds(), "wait-s/op")
	}
	b.ReportMetric(1000, "objects/op")
}

// BenchmarkLiveDiff1000 diffs 1000 synced objects against the cluster.
func BenchmarkLiveDiff1000(b *testing.B) {
	m, _ := newManager(b, "c1", Options{})
	objs := benchObjects(b, 1000)
	app := testApp("bench-diff", "c1", "bench-diff", "CreateNamespace=true")
	if _, err := m.Sync(context.Background(), SyncRequest{App: app, Objects: objs, Revision: "r1"}, nil); err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		d, err := m.Diff(context.Background(), app, objs, DiffOptions{})
		if err != nil {
			b.Fatal(err)
		}
		if d.Status != planner.AppUnchanged {
			b.Fatalf("diff after sync: %s", d.Status)
		}
	}
}

// BenchmarkDriftNoChange checks every app on every running cluster for
// drift when nothing changed; GITWAVE_BENCH_APPS sets the app count
// (default 300). It reports the API requests one full check makes.
func BenchmarkDriftNoChange(b *testing.B) {
	apps := 300
	if v, err := strconv.Atoi(os.Getenv("GITWAVE_BENCH_APPS")); err == nil && v > 0 {
		apps = v
	}
	e := needEnv(b)
	type target struct {
		m    *Manager
		app  *planner.App
		objs []*planner.Object
	}
	var targets []target
	var managers []*Manager
	for _, c := range clusterNames {
		if e.Stopped(c) {
			continue
		}
		m, _ := newManager(b, c, Options{Concurrency: 16})
		managers = append(managers, m)
		for i := range apps {
			name := fmt.Sprintf("drift-%03d", i)
			app := testApp(name, c, "bench-drift", "CreateNamespace=true")
			objs := objects(b, configMap(name, 0))
			if _, err := m.Sync(context.Background(), SyncRequest{App: app, Objects: objs, Revision: "r1"}, nil); err != nil {
				b.Fatal(err)
			}
			targets = append(targets, target{m, app, objs})
		}
	}
	check := func() {
		for _, t := range targets {
			drifted, changes, err := t.m.Drift(context.Background(), t.app, t.objs)
			if err != nil || drifted {
				b.Fatalf("%s on %s: drifted %v %+v, %v", t.app.Name, t.m.Cluster(), drifted, changes, err)
			}
		}
	}
	check() // warm the watch caches
	requests := func() (n int64) {
		for _, m := range managers {
			n += m.Requests()
		}
		return n
	}
	before := requests()
	for b.Loop() {
		check()
	}
	b.ReportMetric(float64(requests()-before)/float64(b.N), "requests/op")
	b.ReportMetric(float64(len(targets)), "app-clusters")
}
