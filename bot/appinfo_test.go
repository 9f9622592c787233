package bot_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/gitwave/gitwave/bot"
	"github.com/gitwave/gitwave/store"
)

// metricsServer is a Bot without hosts on st, serving /metrics with the
// operational metrics registered as `gitwave serve` registers them.
func metricsServer(t testing.TB, st *store.Store) (*bot.OpsMetrics, func() string) {
	t.Helper()
	reg := prometheus.NewRegistry()
	ops := bot.NewOpsMetrics(reg, st)
	b, err := bot.New(bot.Options{Store: st, GitDir: filepath.Join(t.TempDir(), "git"), Registry: reg, Ops: ops})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(b.Close)
	return ops, func() string {
		rec := httptest.NewRecorder()
		b.Handler().ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/metrics", nil))
		if rec.Code != http.StatusOK {
			t.Fatalf("GET /metrics = %d: %s", rec.Code, rec.Body)
		}
		body, _ := io.ReadAll(rec.Body)
		return string(body)
	}
}

func openStore(t testing.TB) *store.Store {
	t.Helper()
	st, err := store.Open(context.Background(), store.Options{DSN: filepath.Join(t.TempDir(), "gitwave.db")})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

// TestAppInfoFollowsTheStoredStatus: gitwave_app_info has one series per
// app × cluster with the project, sync and health status the loop wrote,
// changes with them, and drops an app whose status was deleted.
func TestAppInfoFollowsTheStoredStatus(t *testing.T) {
	ctx := context.Background()
	st := openStore(t)
	_, scrape := metricsServer(t, st)
	save := func(s store.AppStatus) {
		t.Helper()
		s.Repo = "acme/k8s-gitops"
		if err := st.SaveAppStatus(ctx, s); err != nil {
			t.Fatal(err)
		}
	}
	save(store.AppStatus{App: "payment-service", Cluster: "production-use1", Project: "payments", Sync: "Synced", Health: "Healthy"})
	save(store.AppStatus{App: "payment-service", Cluster: "staging", Project: "payments", Sync: "OutOfSync", Health: "Degraded"})
	save(store.AppStatus{App: "redis", Cluster: "staging", Project: "default", Sync: "Unknown", Health: "Unknown",
		UnknownReason: "cluster staging unreachable"})
	body := scrape()
	expectLines(t, body,
		`gitwave_app_info{app="payment-service",cluster="production-use1",health_status="Healthy",project="payments",sync_status="Synced"} 1`,
		`gitwave_app_info{app="payment-service",cluster="staging",health_status="Degraded",project="payments",sync_status="OutOfSync"} 1`,
		`gitwave_app_info{app="redis",cluster="staging",health_status="Unknown",project="default",sync_status="Unknown"} 1`)

	save(store.AppStatus{App: "payment-service", Cluster: "staging", Project: "payments", Sync: "Synced", Health: "Progressing"})
	if err := st.DeleteAppStatus(ctx, "acme/k8s-gitops", "redis", "staging"); err != nil {
		t.Fatal(err)
	}
	body = scrape()
	expectLines(t, body,
		`gitwave_app_info{app="payment-service",cluster="staging",health_status="Progressing",project="payments",sync_status="Synced"} 1`)
	if strings.Contains(body, `sync_status="OutOfSync"`) || strings.Contains(body, `app="redis"`) {
		t.Errorf("/metrics still shows a status that changed or was deleted:\n%s", grepLines(body, "gitwave_app_info{"))
	}
	if n := strings.Count(body, "\ngitwave_app_info{"); n != 2 {
		t.Errorf("%d gitwave_app_info series; want 2:\n%s", n, grepLines(body, "gitwave_app_info{"))
	}
}

// TestAppInfoSameAppInTwoRepositories: two repositories naming the same
// app on the same cluster still give a scrape Prometheus accepts (one
// series), not a 500.
func TestAppInfoSameAppInTwoRepositories(t *testing.T) {
	ctx := context.Background()
	st := openStore(t)
	_, scrape := metricsServer(t, st)
	for _, repo := range []string{"acme/a", "acme/b"} {
		if err := st.SaveAppStatus(ctx, store.AppStatus{Repo: repo, App: "web", Cluster: "staging", Project: "default",
			Sync: "Synced", Health: "Healthy"}); err != nil {
			t.Fatal(err)
		}
	}
	if n := strings.Count(scrape(), "\ngitwave_app_info{"); n != 1 {
		t.Errorf("%d gitwave_app_info series; want 1", n)
	}
}

func expectLines(t *testing.T, body string, lines ...string) {
	t.Helper()
	for _, l := range lines {
		if !strings.Contains(body, "\n"+l+"\n") {
			t.Errorf("/metrics lacks %s\n%s", l, grepLines(body, strings.SplitN(l, "{", 2)[0]))
		}
	}
}

// grepLines returns the lines of body that start with prefix.
func grepLines(body, prefix string) string {
	var out []string
	for _, l := range strings.Split(body, "\n") {
		if strings.HasPrefix(l, prefix) {
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n")
}

// BenchmarkMetricsFleet scrapes /metrics with a fleet of 1,000 apps × 3
// clusters: a status each, a sync counted on each (some failed too), a
// fetch and a render; it reports the body's size (goal: under 1 MB) and
// the time of one scrape.
func BenchmarkMetricsFleet(b *testing.B) {
	const apps = 1000
	ctx := context.Background()
	st := openStore(b)
	ops, scrape := metricsServer(b, st)
	clusters := []string{"staging", "production-apne2", "production-use1"}
	reach := map[string]bool{}
	for _, c := range clusters {
		reach[c] = true
	}
	ops.SetReachable(reach)
	for i := range apps {
		for _, c := range clusters {
			app := fmt.Sprintf("service-%04d-%s", i, c)
			if err := st.SaveAppStatus(ctx, store.AppStatus{Repo: "acme/k8s-gitops", App: app, Cluster: c,
				Project: fmt.Sprintf("team-%02d", i%40), Sync: "Synced", Health: "Healthy"}); err != nil {
				b.Fatal(err)
			}
			ops.ObserveSync(app, c, "Succeeded", 12*time.Second)
			if i%10 == 0 {
				ops.ObserveSync(app, c, "Failed", 40*time.Second)
			}
		}
	}
	ops.ObserveFetch("acme/k8s-gitops", nil)
	ops.ObserveRender("merge", time.Now().Add(-time.Second))
	var size int
	b.ResetTimer()
	for range b.N {
		size = len(scrape())
	}
	b.StopTimer()
	b.ReportMetric(float64(size), "body-bytes")
	if size >= 1<<20 {
		b.Errorf("/metrics with %d apps × %d clusters is %d bytes; the goal is under 1 MB", apps, len(clusters), size)
	}
}
