package reconcile

import (
	"context"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"k8s.io/client-go/kubernetes"

	"github.com/gitwave/gitwave/planner"
	"github.com/gitwave/gitwave/store"
)

// TestConvergeOnRealClusters is the loop as a user sees it, pass after
// pass: new apps are deployed, a manual app is only reported, an
// unreachable cluster's app is Unknown while the others proceed, a failing
// app is retried with backoff, drift is healed only with selfHeal, a
// Terminated sync is not restarted before a new revision, an app removed
// from the repository is handed to RemoveApp, and a repository outage
// keeps healing at the last known head.
func TestConvergeOnRealClusters(t *testing.T) {
	repo := fstest.MapFS{
		"apps/cv-new.yaml":      {Data: []byte(noHealApp("cv-new", "new", "east"))},
		"apps/cv-heal.yaml":     {Data: []byte(app("cv-heal", "0", "heal", "west"))},
		"apps/cv-manual.yaml":   {Data: []byte(manualApp("cv-manual", "manual", "east"))},
		"apps/cv-gone.yaml":     {Data: []byte(app("cv-gone", "0", "new", "gone"))},
		"apps/cv-broken.yaml":   {Data: []byte(app("cv-broken", "0", "broken", "west"))},
		"new/cm.yaml":           {Data: []byte(configMap("settings", "1"))},
		"heal/cm.yaml":          {Data: []byte(configMap("settings", "1"))},
		"manual/cm.yaml":        {Data: []byte(configMap("settings", "1"))},
		"broken/cm.yaml":        {Data: []byte(configMap("settings", "1"))},
		"broken/hook.yaml":      {Data: []byte(brokenHook)},
		"apps/cv-degraded.yaml": {Data: []byte(app("cv-degraded", "0", "degraded", "east"))},
		"degraded/crd.yaml":     {Data: []byte(widgetCRD)},
		"degraded/widget.yaml":  {Data: []byte(brokenWidget)},
	}
	l := newLoop(t, repo)
	env := shared.Need(t)
	east := kubernetes.NewForConfigOrDie(env.RESTConfig("east"))
	west := kubernetes.NewForConfigOrDie(env.RESTConfig("west"))

	c := &convergeCase{l: l, east: east, west: west, first: l.pass(t, l.desired())}
	t.Run("first pass deploys, reports and isolates", func(t *testing.T) { checkFirstPass(t, c) })
	t.Run("a failing app backs off, then retries", func(t *testing.T) { checkBackoff(t, c) })
	t.Run("drift is healed only with selfHeal", func(t *testing.T) { checkSelfHeal(t, c) })
	t.Run("a terminated sync waits for a new revision", func(t *testing.T) { checkTerminated(t, c) })
	t.Run("a repository outage keeps healing and says so", func(t *testing.T) { checkRepoOutage(t, c) })
	t.Run("an app no longer produced is removed", func(t *testing.T) { checkRemoval(t, c) })

	if !strings.Contains(strings.Join(l.obs.got, "\n"), "cv-gone@gone: ->Unknown") {
		t.Errorf("observer heard %v; want the first sight of cv-gone", l.obs.got)
	}
}

// widgetCRD defines Widgets, whose status is theirs to write: no
// subresource, no controller.
const widgetCRD = `apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: {name: widgets.converge.gitwave.dev}
spec:
  group: converge.gitwave.dev
  scope: Namespaced
  names: {plural: widgets, singular: widget, kind: Widget}
  versions:
    - name: v1
      served: true
      storage: true
      schema: {openAPIV3Schema: {type: object, x-kubernetes-preserve-unknown-fields: true}}
`

// brokenWidget says it is not Ready: Degraded, as Argo CD reads
// status.conditions.
const brokenWidget = `apiVersion: converge.gitwave.dev/v1
kind: Widget
metadata: {name: gear}
status:
  conditions: [{type: Ready, status: "False", reason: Broken, message: the gear is broken}]
`

// brokenHook is a PreSync hook the API server refuses: the app compares
// fine (hooks are not compared) and every sync of it fails.
const brokenHook = `apiVersion: v1
kind: ConfigMap
metadata:
  name: broken
  annotations: {argocd.argoproj.io/hook: PreSync}
bogus: field
`

// checkFirstPass: first pass deploys, reports and isolates.
func checkFirstPass(t *testing.T, c *convergeCase) {
	s, east := c.first, c.east
	want := map[string][2]string{"cv-new": {"Synced", "Healthy"}, "cv-heal": {"Synced", "Healthy"},
		"cv-manual": {"OutOfSync", "Missing"}, "cv-gone": {"Unknown", "Unknown"}, "cv-broken": {"OutOfSync", "Missing"}}
	for a, w := range want {
		if got := s[a]; got.Sync != w[0] || got.Health != w[1] {
			t.Errorf("%s: %s/%s, want %s/%s (%+v)", a, got.Sync, got.Health, w[0], w[1], got)
		}
	}
	if v := liveValue(t, east, "cv-new", "settings"); v != "1" {
		t.Errorf("cv-new on east: %q; want it deployed", v)
	}
	if v := liveValue(t, east, "cv-manual", "settings"); !strings.Contains(v, "not found") {
		t.Errorf("the manual app was deployed: %q", v)
	}
	if s["cv-new"].DeployedRevision != "r1" || s["cv-new"].LastSync.Result != store.PhaseSucceeded {
		t.Errorf("cv-new: %+v; want deployed at r1", s["cv-new"])
	}
	if !strings.Contains(s["cv-gone"].UnknownReason, "cluster gone unreachable") {
		t.Errorf("cv-gone: reason %q; want the cluster unreachable", s["cv-gone"].UnknownReason)
	}
	b := s["cv-broken"]
	if b.Attempts != 1 || b.LastSync.Result != store.PhaseFailed || !b.NextRetry.Equal(b.LastSync.FinishedAt.Add(10*time.Second)) {
		t.Errorf("cv-broken: %+v; want one failed attempt, retried 10s after it", b)
	}
}

// checkBackoff: a failing app backs off, then retries.
func checkBackoff(t *testing.T, c *convergeCase) {
	l := c.l
	l.pass(t, l.desired())
	if n := syncs(t, l.st, "cv-broken", "west"); n != 1 {
		t.Errorf("syncs of cv-broken before its retry = %d; want 1", n)
	}
	l.offset.Store(int64(11 * time.Second))
	s := l.pass(t, l.desired())
	if n := syncs(t, l.st, "cv-broken", "west"); n != 2 {
		t.Errorf("syncs of cv-broken after 11s = %d; want 2", n)
	}
	if b := s["cv-broken"]; b.Attempts != 2 || !b.NextRetry.Equal(b.LastSync.FinishedAt.Add(20*time.Second)) {
		t.Errorf("cv-broken: %+v; want attempt 2, 20s backoff", b)
	}
}

// checkSelfHeal: drift is healed only with selfHeal.
func checkSelfHeal(t *testing.T, c *convergeCase) {
	l, east, west := c.l, c.east, c.west
	setLive(t, east, "cv-new", "settings", "drifted")
	setLive(t, west, "cv-heal", "settings", "drifted")
	waitLive()
	s := l.pass(t, l.desired())
	if v := liveValue(t, west, "cv-heal", "settings"); v != "1" || s["cv-heal"].Sync != "Synced" {
		t.Errorf("cv-heal: live %q, %s; want healed back to 1", v, s["cv-heal"].Sync)
	}
	if v := liveValue(t, east, "cv-new", "settings"); v != "drifted" || s["cv-new"].Sync != "OutOfSync" {
		t.Errorf("cv-new: live %q, %s; want the drift left and reported OutOfSync", v, s["cv-new"].Sync)
	}
}

// checkTerminated: a terminated sync waits for a new revision.
func checkTerminated(t *testing.T, c *convergeCase) {
	l, west := c.l, c.west
	terminate(t, l.st, "cv-heal", "west", "r1")
	setLive(t, west, "cv-heal", "settings", "drifted")
	waitLive()
	l.pass(t, l.desired())
	if v := liveValue(t, west, "cv-heal", "settings"); v != "drifted" {
		t.Errorf("cv-heal was synced after its sync was terminated: %q", v)
	}
	next := l.desired()
	next.Head.Revision = "r2"
	s := l.pass(t, next)
	if v := liveValue(t, west, "cv-heal", "settings"); v != "1" || s["cv-heal"].DeployedRevision != "r2" {
		t.Errorf("cv-heal at a new revision: live %q, %+v; want it synced at r2", v, s["cv-heal"])
	}
}

// checkRepoOutage: a repository outage keeps healing and says so.
func checkRepoOutage(t *testing.T, c *convergeCase) {
	l, west := c.l, c.west
	setLive(t, west, "cv-heal", "settings", "drifted")
	waitLive()
	since := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	d := l.desired()
	d.Head.Revision, d.UnreachableSince = "r2", since
	s := l.pass(t, d)
	for a, st := range s {
		if st.Sync != "Unknown" || st.UnknownReason != "repository unreachable since 2026-03-01T12:00:00Z" {
			t.Errorf("%s: %s %q; want Unknown, repository unreachable", a, st.Sync, st.UnknownReason)
		}
	}
	if v := liveValue(t, west, "cv-heal", "settings"); v != "1" {
		t.Errorf("cv-heal not healed during the outage: %q", v)
	}
}

// checkRemoval: an app no longer produced is removed.
func checkRemoval(t *testing.T, c *convergeCase) {
	l := c.l
	var removed []string
	l.r.RemoveApp = func(_ context.Context, a *planner.App, rev string) error {
		removed = append(removed, a.Name+"@"+a.Cluster.Name+" from "+rev)
		return nil
	}
	d := l.desired()
	d.Head.Revision = "r2"
	d.Inv = &planner.Inventory{Apps: without(l.inv.Apps, "cv-new")}
	d.Inv.Errors = []error{errTest}
	l.pass(t, d)
	if len(removed) != 0 {
		t.Errorf("removed %v while the head did not discover cleanly; want nothing", removed)
	}
	d.Inv.Errors = nil
	s := l.pass(t, d)
	if len(removed) != 1 || removed[0] != "cv-new@east from r2" {
		t.Errorf("removed = %v; want cv-new@east from r2, where the new revision synced it", removed)
	}
	if _, ok := s["cv-new"]; ok {
		t.Error("cv-new still has a status")
	}
	if rows, _ := l.st.AppStatuses(t.Context(), store.AppStatusFilter{App: "cv-new"}); len(rows) != 0 {
		t.Errorf("status of cv-new kept: %+v", rows)
	}
}

// convergeCase is the state the passes of TestConvergeOnRealClusters
// share.
type convergeCase struct {
	l          *loop
	east, west kubernetes.Interface
	first      map[string]store.AppStatus
}

var errTest = errorString("an ApplicationSet did not expand")

type errorString string

func (e errorString) Error() string { return string(e) }

func without(apps []*planner.App, name string) []*planner.App {
	var out []*planner.App
	for _, a := range apps {
		if a.Name != name {
			out = append(out, a)
		}
	}
	return out
}

// terminate records a Terminated sync of app on cluster at rev, as
// /terminate does.
func terminate(t *testing.T, st *store.Store, app, cluster, rev string) {
	t.Helper()
	id, err := st.BeginSync(t.Context(), store.SyncRecord{App: app, Cluster: cluster, Revision: rev, Trigger: store.TriggerCommand, Initiator: "bob"})
	if err != nil {
		t.Fatal(err)
	}
	if err := st.FinishSync(t.Context(), id, store.PhaseTerminated, "terminated by bob", nil); err != nil {
		t.Fatal(err)
	}
}
