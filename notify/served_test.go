package notify

import (
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/gitwave/gitwave/config"
	"github.com/gitwave/gitwave/planner"
	"github.com/gitwave/gitwave/store"
)

// servedCM is a ConfigMap whose on-sync-failed message starts with
// version.
func servedCM(url, version string) []byte {
	return []byte(`apiVersion: v1
kind: ConfigMap
metadata: {name: argocd-notifications-cm}
data:
  service.webhook.hooks: |
    url: ` + url + `
  trigger.on-sync-failed: |
    - when: app.status.operationState.phase in ['Error', 'Failed']
      send: [failed]
  template.failed: |
    message: "` + version + ` {{.app.metadata.name}} on {{.app.spec.destination.server}}"
`)
}

func failedStatus(app string) (*planner.App, store.AppStatus) {
	a := &planner.App{Name: app, Cluster: planner.Cluster{Name: "east", Server: "https://east.example:6443"},
		Annotations: map[string]string{"notifications.argoproj.io/subscribe.on-sync-failed.hooks": ""}}
	t0 := time.Date(2026, 12, 2, 10, 0, 0, 0, time.UTC)
	return a, store.AppStatus{Repo: "acme/gitops", App: app, Cluster: "east", Sync: "OutOfSync", Health: "Missing",
		DesiredRevision: "r1", LastSync: store.LastSync{Result: store.PhaseFailed, StartedAt: t0, FinishedAt: t0.Add(time.Second)}}
}

// TestServedReadsTheRootsDefaultBranchAndRebuildsOnChange: with repoPath,
// serve's notifier has no engine until the loop reads the roots
// repository's default branch; another repository's branch is ignored; a
// changed ConfigMap rebuilds the engine (counting on the same metric); a
// broken one keeps the engine that runs.
func TestServedReadsTheRootsDefaultBranchAndRebuildsOnChange(t *testing.T) {
	hook := newFakeHTTP(t, "")
	dir := t.TempDir()
	p := filepath.Join(dir, "gitwave.yaml")
	yaml := "repos:\n- {name: acme/other, host: none, url: https://example.com/other.git}\n" +
		"- {name: acme/gitops, host: github, url: https://example.com/gitops.git}\n" +
		"notifications: {repoPath: argocd/cm.yaml}\n"
	if err := os.WriteFile(p, []byte(yaml), 0o600); err != nil {
		t.Fatal(err)
	}
	c, err := config.Load(p)
	if err != nil {
		t.Fatal(err)
	}
	reg := prometheus.NewRegistry()
	s, err := NewServed(c, Options{Ledger: openStore(t), Registerer: reg, Logger: slog.New(slog.DiscardHandler),
		Backoff: time.Millisecond}, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close(time.Second)
	head := func(version string) planner.Source {
		return planner.Source{Revision: version, Repo: fstest.MapFS{"argocd/cm.yaml": {Data: servedCM(hook.URL, version)}}}
	}
	roots := config.Repo{Name: "acme/gitops", Host: "github"}

	s.OnDefaultBranch(t.Context(), config.Repo{Name: "acme/other", Host: "none"}, head("other"))
	if s.Engine() != nil {
		t.Fatal("another repository's branch configured notifications")
	}
	s.OnDefaultBranch(t.Context(), roots, head("v1"))
	first := s.Engine()
	if first == nil {
		t.Fatal("no engine after the roots repository's default branch was read")
	}
	s.ObserveStatus(t.Context(), nil, store.AppStatus{}, store.AppStatus{App: "unknown"}) // no app: nothing
	a, st := failedStatus("payments")
	s.ObserveStatus(t.Context(), a, store.AppStatus{}, st)
	drain(t, first)

	s.OnDefaultBranch(t.Context(), roots, head("v1"))
	if s.Engine() != first {
		t.Error("the same ConfigMap rebuilt the engine")
	}
	broken := planner.Source{Revision: "bad", Repo: fstest.MapFS{"argocd/cm.yaml": {Data: []byte("data: [")}}}
	s.OnDefaultBranch(t.Context(), roots, broken)
	if s.Engine() != first {
		t.Error("a broken ConfigMap replaced the running engine")
	}
	s.OnDefaultBranch(t.Context(), roots, head("v2"))
	second := s.Engine()
	if second == first || second == nil {
		t.Fatal("a changed ConfigMap did not rebuild the engine")
	}
	a, st = failedStatus("orders")
	s.ObserveStatus(t.Context(), a, store.AppStatus{}, st)
	drain(t, second)

	var got []string
	for _, r := range hook.requests() {
		got = append(got, r.Body)
	}
	want := "v1 payments on https://east.example:6443|v2 orders on https://east.example:6443"
	if strings.Join(got, "|") != want {
		t.Errorf("webhook got %q; want %q", got, want)
	}
	if out, _ := reg.Gather(); len(out) != 1 {
		t.Errorf("registry holds %d metric families; want gitwave_notifications_total once", len(out))
	}
}
