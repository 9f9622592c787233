package reconcile

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"testing/fstest"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/gitwave/gitwave/notify"
	"github.com/gitwave/gitwave/planner"
	"github.com/gitwave/gitwave/store"
)

// hookSink is a webhook service: it records each request's body and time
// and answers status.
type hookSink struct {
	*httptest.Server
	mu     sync.Mutex
	bodies []string
	times  []time.Time
}

func newHookSink(t *testing.T, status int) *hookSink {
	s := &hookSink{}
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		s.mu.Lock()
		s.bodies, s.times = append(s.bodies, string(b)), append(s.times, time.Now())
		s.mu.Unlock()
		w.WriteHeader(status)
	}))
	t.Cleanup(s.Close)
	return s
}

func (s *hookSink) got() ([]string, []time.Time) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.bodies...), append([]time.Time(nil), s.times...)
}

// notificationsCM is the guide's ConfigMap shape: triggers with when and
// send, templates with a message, and two webhook services, one of which
// always answers 500.
func notificationsCM(alerts, down string) string {
	return `apiVersion: v1
kind: ConfigMap
metadata: {name: argocd-notifications-cm}
data:
  service.webhook.alerts: |
    url: ` + alerts + `
  service.webhook.down: |
    url: ` + down + `
  trigger.on-sync-failed: |
    - description: Application sync has failed
      send: [sync-failed]
      when: app.status.operationState.phase in ['Error', 'Failed']
  trigger.on-health-degraded: |
    - description: Application health has degraded
      send: [health-degraded]
      when: app.status.health.status == 'Degraded'
  trigger.on-sync-running: |
    - description: Application is being synced
      send: [sync-running]
      when: app.status.operationState.phase in ['Running']
  template.sync-failed: |
    message: "sync-failed {{.app.metadata.name}} {{.app.status.operationState.phase}} {{.app.status.operationState.syncResult.revision}} {{.app.spec.destination.server}}"
  template.health-degraded: |
    message: "health-degraded {{.app.metadata.name}} {{.app.status.health.status}} {{.app.spec.destination.server}}"
  template.sync-running: |
    message: "sync-running {{.app.metadata.name}}"
`
}

// subscribedApp is app with notification subscriptions as annotations.
func subscribedApp(name, wave, path, cluster string, subs ...string) string {
	a := app(name, wave, path, cluster)
	anns := `argocd.argoproj.io/sync-wave: "` + wave + `"`
	for _, s := range subs {
		anns += `, notifications.argoproj.io/subscribe.` + s + `: ""`
	}
	return strings.Replace(a, `argocd.argoproj.io/sync-wave: "`+wave+`"`, anns, 1)
}

// notifyEngine is an engine on the loop's store, as serve builds it.
func notifyEngine(t *testing.T, l *loop, alerts, down string, reg prometheus.Registerer) *notify.Engine {
	t.Helper()
	cfg, err := notify.ParseConfig([]byte(notificationsCM(alerts, down)), nil)
	if err != nil {
		t.Fatal(err)
	}
	e, err := notify.New(cfg, notify.Options{Ledger: l.st, Registerer: reg, Logger: slog.New(slog.DiscardHandler),
		Attempts: 3, Backoff: 5 * time.Second, Timeout: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(e.Close)
	return e
}

func drainEngine(t *testing.T, e *notify.Engine) {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
	defer cancel()
	if err := e.Drain(ctx); err != nil {
		t.Fatal(err)
	}
}

// TestNotificationsFromTheLoopOnRealClusters: the loop's status changes
// reach the notifications engine. A failing PreSync hook sends exactly one
// on-sync-failed message, rendered with the app's name, phase, revision
// and cluster server; a Degraded app sends one on-health-degraded; a
// service answering 500 is retried while the deploy completes; a
// restarted loop and engine on the same store send nothing again; and a
// new failed sync (it passes through Running) sends again, as in Argo CD.
func TestNotificationsFromTheLoopOnRealClusters(t *testing.T) {
	repo := fstest.MapFS{
		"apps/nt-broken.yaml":   {Data: []byte(subscribedApp("nt-broken", "0", "broken", "west", "on-sync-failed.alerts"))},
		"broken/cm.yaml":        {Data: []byte(configMap("settings", "1"))},
		"broken/hook.yaml":      {Data: []byte(brokenHook)},
		"apps/nt-degraded.yaml": {Data: []byte(subscribedApp("nt-degraded", "0", "degraded", "east", "on-health-degraded.alerts"))},
		"degraded/crd.yaml":     {Data: []byte(widgetCRD)},
		"degraded/widget.yaml":  {Data: []byte(brokenWidget)},
		"apps/nt-ok.yaml":       {Data: []byte(subscribedApp("nt-ok", "-1", "ok", "east", "on-sync-running.down"))},
		"ok/cm.yaml":            {Data: []byte(configMap("settings", "1"))},
	}
	l := newLoop(t, repo)
	// The clock stands still but for the offset: no retry comes due
	// however long the passes take, until the test moves it.
	base := time.Now()
	l.r.Now = func() time.Time { return base.Add(time.Duration(l.offset.Load())) }
	alerts, down := newHookSink(t, http.StatusOK), newHookSink(t, http.StatusInternalServerError)
	reg := prometheus.NewRegistry()
	e := notifyEngine(t, l, alerts.URL, down.URL, reg)
	n := &notify.StatusNotifier{History: l.st}
	n.Swap(e)
	l.r.Observer = n

	l.pass(t, l.desired())
	l.pass(t, l.desired()) // health is read again after the sync
	drainEngine(t, e)
	west, east := shared.Need(t).Server("west"), shared.Need(t).Server("east")
	msgs, _ := alerts.got()
	wantFailed := "sync-failed nt-broken Failed r1 " + west
	wantDegraded := "health-degraded nt-degraded Degraded " + east
	if count(msgs, wantFailed) != 1 || count(msgs, wantDegraded) != 1 || len(msgs) != 2 {
		t.Fatalf("alerts got %q; want exactly %q and %q", msgs, wantFailed, wantDegraded)
	}

	t.Run("a service answering 500 is retried and does not delay the deploy", func(t *testing.T) {
		bodies, times := down.got()
		if len(bodies) != 3 || bodies[0] != "sync-running nt-ok" {
			t.Fatalf("the failing service got %q; want sync-running nt-ok, tried 3 times", bodies)
		}
		recs, err := l.st.History(t.Context(), "nt-ok", "east", 1)
		if err != nil || len(recs) != 1 || recs[0].Phase != store.PhaseSucceeded {
			t.Fatalf("nt-ok history %+v (%v); want its sync succeeded", recs, err)
		}
		if !recs[0].FinishedAt.Before(times[len(times)-1]) {
			t.Errorf("nt-ok synced at %s, after the last delivery attempt at %s: the deploy waited for the service",
				recs[0].FinishedAt, times[len(times)-1])
		}
		if v := notificationsTotal(t, reg, "down", "failed"); v != 1 {
			t.Errorf("gitwave_notifications_total{service=down,result=failed} = %v; want 1", v)
		}
	})

	t.Run("a restarted loop and engine send nothing again", func(t *testing.T) {
		e2 := notifyEngine(t, l, alerts.URL, down.URL, nil)
		n2 := &notify.StatusNotifier{History: l.st}
		n2.Swap(e2)
		r2 := &Reconciler{Planner: l.r.Planner, Fleet: l.r.Fleet, History: l.st, Source: l.r.Source,
			Status: l.st, Observer: n2, Now: l.r.Now}
		if _, err := r2.Converge(t.Context(), Desired{Repo: "acme/gitops", Head: l.src, Inv: l.inv}); err != nil {
			t.Fatal(err)
		}
		// Even a replica that hears every status as new sends nothing:
		// the store remembers what was sent.
		sts, err := l.st.AppStatuses(t.Context(), store.AppStatusFilter{Repo: "acme/gitops"})
		if err != nil {
			t.Fatal(err)
		}
		for _, st := range sts {
			n2.ObserveStatus(t.Context(), l.inv.App(planner.AppKey{App: st.App, Cluster: st.Cluster}), store.AppStatus{}, st)
		}
		drainEngine(t, e2)
		if msgs, _ := alerts.got(); len(msgs) != 2 {
			t.Errorf("after the restart alerts got %q; want nothing more", msgs[2:])
		}
	})

	t.Run("a sync started elsewhere sends on-sync-running too", func(t *testing.T) {
		// A merge deploy, /sync or /rollback syncs through SyncRevision
		// with the repository the loop keeps the statuses under.
		before, _ := down.got()
		ok := l.inv.App(planner.AppKey{App: "nt-ok", Cluster: "east"})
		res := l.r.SyncRevision(t.Context(), l.r.Planner.NewRevision(l.src, l.inv), []*planner.App{ok},
			SyncOptions{Trigger: store.TriggerMerge, Initiator: "carol", StatusRepo: "acme/gitops"})
		if len(res) != 1 || res[0].Err != nil {
			t.Fatalf("merge deploy of nt-ok: %+v", res)
		}
		drainEngine(t, e)
		if after, _ := down.got(); count(after, "sync-running nt-ok") != count(before, "sync-running nt-ok")+3 {
			t.Errorf("the service got %q; want one more sync-running nt-ok (tried 3 times)", after[len(before):])
		}
		l.pass(t, l.desired())
		sts, err := l.st.AppStatuses(t.Context(), store.AppStatusFilter{Repo: "acme/gitops", App: "nt-ok"})
		if err != nil || len(sts) != 1 || sts[0].LastSync.Result != store.PhaseSucceeded {
			t.Errorf("after the next pass nt-ok's status is %+v (%v); want its last sync Succeeded", sts, err)
		}
	})

	t.Run("a new failed sync sends again", func(t *testing.T) {
		l.offset.Store(int64(20 * time.Minute))
		l.pass(t, l.desired())
		drainEngine(t, e)
		if msgs, _ := alerts.got(); count(msgs, wantFailed) != 2 {
			t.Errorf("alerts got %q; want a second %q for the retried sync", msgs, wantFailed)
		}
	})
}

func count(msgs []string, want string) int {
	n := 0
	for _, m := range msgs {
		if m == want {
			n++
		}
	}
	return n
}

// notificationsTotal reads gitwave_notifications_total{service,result}.
func notificationsTotal(t *testing.T, reg *prometheus.Registry, service, result string) float64 {
	t.Helper()
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, mf := range mfs {
		if mf.GetName() != "gitwave_notifications_total" {
			continue
		}
		for _, m := range mf.GetMetric() {
			labels := map[string]string{}
			for _, lp := range m.GetLabel() {
				labels[lp.GetName()] = lp.GetValue()
			}
			if labels["service"] == service && labels["result"] == result {
				return m.GetCounter().GetValue()
			}
		}
	}
	return 0
}
