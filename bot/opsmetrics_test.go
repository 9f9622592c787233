package bot_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/gitwave/gitwave/bot"
)

// TestOperationalMetricsAfterAFlow: a pull request webhook shows in
// gitwave_webhook_requests_total and in the queue depth until a worker
// runs it, its Git fetch in gitwave_git_fetch_total and its render in
// gitwave_render_duration_seconds; syncs and cluster
// probes show with their labels.
func TestOperationalMetricsAfterAFlow(t *testing.T) {
	f := newFixture(t, fixtureOptions{})
	reg := prometheus.NewRegistry()
	ops := bot.NewOpsMetrics(reg, nil)
	f.opts.Registry, f.opts.Ops = reg, ops
	f.restart()
	bot.RegisterQueueMetrics(reg, f.store)
	scrape := func() string {
		r, _ := http.NewRequest(http.MethodGet, "/metrics", nil)
		rec := f.deliver(r)
		if rec.Code != http.StatusOK {
			t.Fatalf("GET /metrics = %d", rec.Code)
		}
		return rec.Body.String()
	}
	expect := func(body string, lines ...string) {
		t.Helper()
		for _, l := range lines {
			if !strings.Contains(body, "\n"+l+"\n") {
				t.Errorf("/metrics lacks %q", l)
			}
		}
	}
	f.opened(http.StatusAccepted)
	expect(scrape(), `gitwave_webhook_requests_total{host="github",result="accepted"} 1`, `gitwave_queue_depth 1`)
	if n := f.run(); n == 0 {
		t.Fatal("no job ran")
	}
	ops.ObserveSync("payment-service", "prod-east", "Succeeded", 3*time.Second)
	ops.SetReachable(map[string]bool{"prod-east": true, "prod-west": false})
	body := scrape()
	expect(body, `gitwave_queue_depth 0`, `gitwave_queue_oldest_seconds 0`,
		`gitwave_git_fetch_total{repo="acme/k8s-gitops",result="ok"} 1`,
		`gitwave_render_duration_seconds_count{trigger="pull_request"} 1`,
		`gitwave_sync_total{app="payment-service",cluster="prod-east",phase="Succeeded"} 1`,
		`gitwave_sync_duration_seconds_count{cluster="prod-east"} 1`,
		`gitwave_cluster_reachable{cluster="prod-east"} 1`, `gitwave_cluster_reachable{cluster="prod-west"} 0`)
}
