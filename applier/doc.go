// Package applier makes a cluster match a planned app, and tells how far the
// cluster is from it.
//
// The model: a Manager talks to one cluster. Sync takes the objects the
// planner rendered for an app, groups them into steps with planner.Steps
// (phase, then wave), and runs the steps in order: PreSync hooks, the Sync
// waves, PostSync hooks. Each step is applied in parallel with a bounded
// worker count using server-side apply under the field manager "gitwave",
// and the next step starts only when every object of the step is Healthy
// (Assess). A Progressing or Suspended object fails the wait at the app's
// deadline instead of blocking forever. A failed step runs the SyncFail
// hooks. After the last step the objects of the previous inventory that are
// no longer desired are pruned, in reverse wave order; the inventory is a
// recorded set, not a scan of the cluster.
//
// Every object gitwave applies carries the annotation gitwave.dev/tracking-id
// (APP:GROUP/KIND:NAMESPACE/NAME) and the label gitwave.dev/app. Prune never
// deletes an object whose tracking id names another app. Drift uses the label
// to keep one watch cache per kind, so that checking many apps when nothing
// changed costs few API requests.
//
// Diff compares what a server-side dry-run apply would produce with the live
// objects, after normalizing server-set fields, and speaks the planner's
// change-set language (planner.AppDiff). Fleet holds one Manager per cluster
// and syncs many apps on many clusters at once; one unreachable cluster fails
// only its own syncs.
//
// Sync records each run through a Recorder (the store), including the
// outcome of every object, and retries a failed run with the app's backoff
// unless the failure is terminal (an invalid manifest, a forbidden request).
// A running sync polls the Recorder for a terminate request and stops
// between objects when one comes, from this process or another replica. An
// automated sync that renders nothing but would prune what the app owns is
// refused (RefuseEmpty, Argo CD's allowEmpty guard).
//
// RemoveApp finishes an app that Git no longer produces: with the resources
// finalizer (Cascade) Delete removes its inventory's objects in reverse wave
// order, one wave at a time; without it the objects are recorded orphaned.
package applier
