package applier

import (
	"context"
	"slices"
	"testing"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/apimachinery/pkg/watch"

	"github.com/gitwave/gitwave/planner"
	"github.com/gitwave/gitwave/store"
)

// stoppedWorker is a worker's store as seen after the worker died: what it
// wrote while running stays, but it never records the sync's end.
type stoppedWorker struct{ Recorder }

func (stoppedWorker) FinishSync(context.Context, int64, string, string, []ObjectResult) error {
	return nil
}

func (stoppedWorker) SaveInventory(context.Context, string, string, string, []InventoryEntry) error {
	return nil
}

// workerAndReplica returns two managers of cluster c1 sharing one store:
// a, a worker that will stop (stoppedWorker), and b, the replica that
// resumes what it left.
func workerAndReplica(t *testing.T) (a, b *Manager, st *store.Store) {
	t.Helper()
	b, st = newManager(t, "c1", Options{})
	a, err := New(needEnv(t).RESTConfig("c1"), Options{Store: stoppedWorker{st}, Cluster: "c1"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(a.Close)
	return a, b, st
}

// TestResumedSyncDoesNotRunFinishedHooksAgain: a worker stops right after
// its PreSync migration Job succeeded, leaving the sync Running; the
// replica that resumes it (Resume) does not create the Job again, reports
// it as succeeded, applies its HookSucceeded delete policy, and carries on
// with the Deployment: one history record, Succeeded.
func TestResumedSyncDoesNotRunFinishedHooksAgain(t *testing.T) {
	a, b, st := workerAndReplica(t)
	createNamespace(t, b, "resume")
	app := testApp("resume", "c1", "resume")
	objs := objects(t, job("migrate", "PreSync", `"BeforeHookCreation,HookSucceeded"`, false), deployment("api", 1, 0))
	req := SyncRequest{App: app, Objects: objs, Revision: "r1", Trigger: "merge", Initiator: "alice"}

	ctx, die := context.WithCancel(t.Context())
	defer die()
	_, _ = a.Sync(ctx, req, func(e Event) {
		if e.Type == EventHookDone && e.Key.Name == "migrate" {
			die() // the worker stops as the migration is done
		}
	})
	running, err := st.Running(t.Context(), "resume", "c1")
	if err != nil || len(running) != 1 {
		t.Fatalf("after the worker stopped: running syncs %+v, %v; want the one it left", running, err)
	}

	ran, err := b.client.Resource(jobsGVR).Namespace("resume").Get(t.Context(), "migrate", metav1.GetOptions{})
	if err != nil {
		t.Fatalf("the migration the stopped worker ran: %v", err)
	}
	stop := recordEvents(t, b.client, "resume", jobsGVR, deploymentsGVR)
	req.Resume = true
	res, err := b.Sync(t.Context(), req, nil)
	events := stop()
	if err != nil {
		t.Fatal(err)
	}
	if created := createdSince(events, ran.GetUID()); namesString(created) != "Deployment/api" {
		t.Errorf("the resumed sync created %v; want only the Deployment (the migration ran before)", created)
	}
	if o := outcome(t, res, "Job", "migrate"); o.Action != ActionHookSucceeded || o.Message != "succeeded before the sync was resumed; not run again" {
		t.Errorf("migrate: %s %q; want hookSucceeded, not run again", o.Action, o.Message)
	}
	waitGoneT(t, b, jobsGVR, "resume", "migrate") // HookSucceeded, which the stopped worker never applied
	hist, err := st.History(t.Context(), "resume", "c1", 5)
	if err != nil || len(hist) != 1 || hist[0].ID != running[0].ID || hist[0].Phase != "Succeeded" {
		t.Errorf("history = %+v, %v; want the resumed sync %d once, Succeeded", hist, err, running[0].ID)
	}

	// A sync begun afresh runs the hook, whatever an earlier sync recorded.
	stop = recordEvents(t, b.client, "resume", jobsGVR)
	req.Resume, req.Revision = false, "r2"
	if _, err := b.Sync(t.Context(), req, nil); err != nil {
		t.Fatal(err)
	}
	if created := createdSince(stop(), ran.GetUID()); namesString(created) != "Job/migrate" {
		t.Errorf("a new sync created %v; want the migration Job again", created)
	}
}

// TestResumedRetryRunsEveryHookAgain: a worker whose attempt failed stops
// while waiting to retry; the replica that resumes the sync is running the
// retry, which, as in Argo CD, runs every hook again, the migration that
// succeeded in the failed attempt included.
func TestResumedRetryRunsEveryHookAgain(t *testing.T) {
	a, b, st := workerAndReplica(t)
	createNamespace(t, b, "resumeretry")
	app := testApp("resumeretry", "c1", "resumeretry")
	one := int64(1)
	app.Spec.SyncPolicy.Retry = &planner.RetryStrategy{Limit: 1, Backoff: &planner.Backoff{Duration: "1s", Factor: &one}}
	objs := objects(t, job("migrate", "PreSync", "", false), job("smoke", "PostSync", "", true))
	req := SyncRequest{App: app, Objects: objs, Revision: "r1", Trigger: "merge", Initiator: "alice"}

	ctx, die := context.WithCancel(t.Context())
	defer die()
	_, _ = a.Sync(ctx, req, func(e Event) {
		if e.Type == EventRetry {
			die() // the worker stops while it waits to retry
		}
	})
	running, err := st.Running(t.Context(), "resumeretry", "c1")
	if err != nil || len(running) != 1 {
		t.Fatalf("after the worker stopped: running syncs %+v, %v; want the one it left", running, err)
	}
	if done, err := st.SucceededHooks(t.Context(), running[0].ID); err != nil || len(done) != 0 {
		t.Fatalf("hooks recorded for the retry: %q, %v; want none", done, err)
	}
	ran, err := b.client.Resource(jobsGVR).Namespace("resumeretry").Get(t.Context(), "migrate", metav1.GetOptions{})
	if err != nil {
		t.Fatalf("the migration of the failed attempt: %v", err)
	}
	stop := recordEvents(t, b.client, "resumeretry", jobsGVR)
	req.Resume = true
	_, _ = b.Sync(t.Context(), req, nil) // smoke fails again
	if created := createdSince(stop(), ran.GetUID()); !slices.Contains(created, "Job/migrate") {
		t.Errorf("the resumed retry created %v; want the migration Job again", created)
	}
}

// createdSince returns "Kind/name" of the objects created while events were
// recorded: a watch also reports the objects that existed as Added, so
// those are told apart by uid (before, the one that existed).
func createdSince(events []watchEvent, before types.UID) []string {
	seen := map[types.UID]bool{before: true}
	var out []string
	for _, e := range events {
		if e.Type == watch.Added && !seen[e.Obj.GetUID()] {
			seen[e.Obj.GetUID()] = true
			out = append(out, e.Kind+"/"+e.Name)
		}
	}
	return out
}
