package applier

import (
	"context"
	"slices"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/watch"
)

// TestSyncWaveOrder checks, through a watch, that waves are created in
// order and that the next wave starts only after the Deployment of the
// previous one rolled out.
func TestSyncWaveOrder(t *testing.T) {
	m, st := newManager(t, "c1", Options{})
	createNamespace(t, m, "waves")
	app := testApp("waves", "c1", "waves")
	objs := objects(t, configMap("w2-a", 2), configMap("w0-a", 0), deployment("api", 2, 1), configMap("w1-a", 1),
		configMap("w2-b", 2), configMap("w0-b", 0), configMap("w3-a", 3))
	stop := recordEvents(t, m.client, "waves", configMapsGVR, deploymentsGVR)
	res, err := m.Sync(t.Context(), SyncRequest{App: app, Objects: objs, Revision: "r1", Trigger: "cli"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	events := stop()
	added := eventNames(events, watch.Added)
	wave := map[string]int{"ConfigMap/w0-a": 0, "ConfigMap/w0-b": 0, "ConfigMap/w1-a": 1, "Deployment/api": 1,
		"ConfigMap/w2-a": 2, "ConfigMap/w2-b": 2, "ConfigMap/w3-a": 3}
	var got []int
	var ours []string
	for _, n := range added {
		if w, ok := wave[n]; ok { // the controller-manager adds kube-root-ca.crt
			got = append(got, w)
			ours = append(ours, n)
		}
	}
	added = ours
	if len(added) != len(wave) || !slices.IsSorted(got) {
		t.Fatalf("objects created in order %v (waves %v), want ascending waves", added, got)
	}
	// When wave 2's first ConfigMap appeared, the Deployment had rolled out.
	var avail int64 = -1
	for _, e := range events {
		if e.Kind == "Deployment" {
			avail = num(e.Obj, "status", "availableReplicas")
		}
		if e.Type == watch.Added && e.Name == "w2-a" || e.Type == watch.Added && e.Name == "w2-b" {
			break
		}
	}
	if avail != 2 {
		t.Errorf("wave 2 started when the Deployment had %d available replicas, want 2", avail)
	}
	if res.Phase != SyncSucceeded || outcome(t, res, "Deployment", "api").Health.Status != Healthy {
		t.Errorf("result %s, Deployment %+v", res.Phase, outcome(t, res, "Deployment", "api").Health)
	}
	hist, err := st.History(t.Context(), "waves", "c1", 5)
	if err != nil || len(hist) != 1 || hist[0].Phase != "Succeeded" || len(hist[0].Objects) != len(wave) {
		t.Fatalf("history = %+v, %v; want one Succeeded record with %d objects", hist, err, len(wave))
	}
	// A second sync of the same objects changes nothing.
	res, err = m.Sync(t.Context(), SyncRequest{App: app, Objects: objs, Revision: "r1"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if a := outcome(t, res, "ConfigMap", "w0-a").Action; a != ActionUnchanged {
		t.Errorf("second sync: ConfigMap w0-a %s, want unchanged", a)
	}
}

// TestSyncHooks checks PreSync before the Deployment, PostSync after it is
// healthy, and the delete policies HookSucceeded and BeforeHookCreation.
func TestSyncHooks(t *testing.T) {
	m, _ := newManager(t, "c1", Options{})
	createNamespace(t, m, "hooks")
	app := testApp("hooks", "c1", "hooks")
	objs := objects(t, job("migrate", "PreSync", "HookSucceeded", false), deployment("api", 2, 0),
		job("smoke", "PostSync", "BeforeHookCreation", false))
	stop := recordEvents(t, m.client, "hooks", jobsGVR, deploymentsGVR)
	res, err := m.Sync(t.Context(), SyncRequest{App: app, Objects: objs, Revision: "r1"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	events := stop()
	if got := eventNames(events, watch.Added); namesString(got) != "Job/migrate Deployment/api Job/smoke" {
		t.Fatalf("created in order %v, want migrate, api, smoke", got)
	}
	var migrateDone, apiAvail bool
	for _, e := range events {
		switch {
		case e.Name == "migrate" && jobHealth(e.Obj).Status == Healthy:
			migrateDone = true
		case e.Name == "api" && e.Type == watch.Added && !migrateDone:
			t.Error("Deployment created before the PreSync Job completed")
		case e.Name == "api":
			apiAvail = deploymentHealth(e.Obj).Status == Healthy
		case e.Name == "smoke" && e.Type == watch.Added && !apiAvail:
			t.Error("PostSync Job created before the Deployment was healthy")
		}
	}
	if a := outcome(t, res, "Job", "migrate").Action; a != ActionHookSucceeded {
		t.Errorf("migrate: %s, want hookSucceeded", a)
	}
	waitGoneT(t, m, jobsGVR, "hooks", "migrate") // HookSucceeded deletes it
	first, err := m.client.Resource(jobsGVR).Namespace("hooks").Get(t.Context(), "smoke", metav1.GetOptions{})
	if err != nil {
		t.Fatalf("smoke (BeforeHookCreation) should stay after the sync: %v", err)
	}
	if _, err := m.Sync(t.Context(), SyncRequest{App: app, Objects: objs, Revision: "r2"}, nil); err != nil {
		t.Fatal(err)
	}
	second, err := m.client.Resource(jobsGVR).Namespace("hooks").Get(t.Context(), "smoke", metav1.GetOptions{})
	if err != nil || second.GetUID() == first.GetUID() {
		t.Errorf("smoke not recreated by the second sync (err %v)", err)
	}
}

// TestSyncFailingHook checks that a failing PreSync Job fails the sync,
// leaves the Deployment unapplied, runs the SyncFail hook and honours
// HookFailed.
func TestSyncFailingHook(t *testing.T) {
	m, st := newManager(t, "c1", Options{WaitTimeout: time.Minute})
	createNamespace(t, m, "failhook")
	app := testApp("failhook", "c1", "failhook")
	objs := objects(t, job("migrate", "PreSync", "HookFailed", true), deployment("api", 1, 0),
		`{apiVersion: v1, kind: ConfigMap, metadata: {name: alert, annotations: {argocd.argoproj.io/hook: SyncFail}}, data: {k: v}}`)
	res, err := m.Sync(t.Context(), SyncRequest{App: app, Objects: objs, Revision: "r1"}, nil)
	if err == nil || res.Phase != SyncFailed {
		t.Fatalf("sync = %v, %v; want Failed", res, err)
	}
	mig := outcome(t, res, "Job", "migrate")
	if mig.Action != ActionHookFailed || mig.Health.Status != Degraded || !containsAll(mig.Message, "DeadlineExceeded") {
		t.Errorf("migrate = %+v, want hookFailed, Degraded, DeadlineExceeded", mig)
	}
	if a := outcome(t, res, "Deployment", "api").Action; a != ActionNotApplied {
		t.Errorf("api = %s, want notApplied", a)
	}
	if a := outcome(t, res, "ConfigMap", "alert").Action; a != ActionHookSucceeded {
		t.Errorf("SyncFail hook alert = %s, want hookSucceeded", a)
	}
	waitGoneT(t, m, jobsGVR, "failhook", "migrate")
	hist, _ := st.History(t.Context(), "failhook", "c1", 1)
	if len(hist) != 1 || hist[0].Phase != "Failed" || !containsAll(hist[0].Message, "migrate") {
		t.Errorf("history = %+v, want a Failed record naming the hook", hist)
	}
}

// TestSyncCancel checks that a cancelled sync stops between objects and is
// recorded as Terminated with what was not applied.
func TestSyncCancel(t *testing.T) {
	m, st := newManager(t, "c1", Options{})
	createNamespace(t, m, "cancel")
	app := testApp("cancel", "c1", "cancel")
	objs := objects(t, deployment("api", 1, 0), configMap("later", 1))
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	res, err := m.Sync(ctx, SyncRequest{App: app, Objects: objs, Revision: "r1"}, func(e Event) {
		if e.Type == EventWaiting {
			cancel()
		}
	})
	if err == nil || res.Phase != SyncTerminated {
		t.Fatalf("sync = %+v, %v; want Terminated", res, err)
	}
	if a := outcome(t, res, "ConfigMap", "later").Action; a != ActionNotApplied {
		t.Errorf("later = %s, want notApplied", a)
	}
	hist, _ := st.History(t.Context(), "cancel", "c1", 1)
	if len(hist) != 1 || hist[0].Phase != "Terminated" {
		t.Fatalf("history = %+v, want Terminated", hist)
	}
	var recorded []string
	for _, o := range hist[0].Objects {
		recorded = append(recorded, o.Kind+"/"+o.Name+"="+o.Action)
	}
	if namesString(recorded) != "Deployment/api=created ConfigMap/later=notApplied" {
		t.Errorf("recorded %v", recorded)
	}
}

// waitGoneT waits up to 30s for an object to disappear.
func waitGoneT(t *testing.T, m *Manager, gvr schema.GroupVersionResource, ns, name string) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		if _, err := m.client.Resource(gvr).Namespace(ns).Get(t.Context(), name, metav1.GetOptions{}); err != nil {
			return
		}
		time.Sleep(200 * time.Millisecond)
	}
	t.Errorf("%s %s/%s still exists", gvr.Resource, ns, name)
}
