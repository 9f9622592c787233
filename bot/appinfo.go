package bot

import (
	"context"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/gitwave/gitwave/store"
)

// appInfoScrapeTimeout bounds the store read of one scrape.
const appInfoScrapeTimeout = 5 * time.Second

var appInfoDesc = prometheus.NewDesc("gitwave_app_info",
	"Every app on every cluster, as the reconcile loop last saw it: 1 with its project, sync status (Synced, OutOfSync, Unknown) and health status (Healthy, Progressing, Degraded, Suspended, Missing, Unknown), as Argo CD's argocd_app_info.",
	[]string{"app", "cluster", "project", "sync_status", "health_status"}, nil)

// RegisterAppMetrics registers gitwave_app_info, read from the app
// statuses in st at each scrape, so that every replica serves the status
// the leader's loop wrote.
func RegisterAppMetrics(reg *prometheus.Registry, st *store.Store) {
	reg.MustRegister(appInfoCollector{st: st})
}

// appInfoCollector turns the stored app statuses into one constant gauge
// each; nothing is kept between scrapes.
type appInfoCollector struct{ st *store.Store }

func (c appInfoCollector) Describe(ch chan<- *prometheus.Desc) { ch <- appInfoDesc }

func (c appInfoCollector) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), appInfoScrapeTimeout)
	defer cancel()
	sts, err := c.st.AppStatuses(ctx, store.AppStatusFilter{})
	if err != nil {
		ch <- prometheus.NewInvalidMetric(appInfoDesc, err)
		return
	}
	// Two served repositories may name the same app on the same cluster;
	// a series is emitted once (the first repository's, by name), since
	// Prometheus refuses a scrape with two equal label sets.
	type appCluster struct{ app, cluster string }
	seen := make(map[appCluster]bool, len(sts))
	for _, s := range sts {
		k := appCluster{s.App, s.Cluster}
		if seen[k] {
			continue
		}
		seen[k] = true
		ch <- prometheus.MustNewConstMetric(appInfoDesc, prometheus.GaugeValue, 1,
			s.App, s.Cluster, s.Project, orUnknown(s.Sync), orUnknown(s.Health))
	}
}

// orUnknown is s, or Unknown when s is empty.
func orUnknown(s string) string {
	if s == "" {
		return store.SyncUnknown
	}
	return s
}
