package bot

import (
	"context"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/gitwave/gitwave/store"
)

// OpsMetrics are the operational metrics that other parts of gitwave feed:
// syncs (from the applier), Git fetches, cluster reachability and the job
// queue (read from the store at each scrape). Names follow what Argo CD
// users chart.
type OpsMetrics struct {
	syncs     *prometheus.CounterVec
	syncTime  *prometheus.HistogramVec
	fetches   *prometheus.CounterVec
	reachable *prometheus.GaugeVec
	render    *prometheus.HistogramVec
}

// NewOpsMetrics registers the operational metrics on reg, with the queue
// and the app statuses read from st when st is not nil (see
// RegisterQueueMetrics and RegisterAppMetrics).
func NewOpsMetrics(reg *prometheus.Registry, st *store.Store) *OpsMetrics {
	m := &OpsMetrics{
		syncs: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "gitwave_sync_total",
			Help: "Syncs by app, cluster and final phase (Succeeded, Failed, Terminated).",
		}, []string{"app", "cluster", "phase"}),
		syncTime: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "gitwave_sync_duration_seconds",
			Help:    "Time one sync took, retries and health waits included, by cluster.",
			Buckets: prometheus.ExponentialBuckets(0.5, 2, 12),
		}, []string{"cluster"}),
		fetches: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "gitwave_git_fetch_total",
			Help: "Git fetches of served repositories by repository and result (ok, error).",
		}, []string{"repo", "result"}),
		reachable: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "gitwave_cluster_reachable",
			Help: "1 when the cluster answered the last probe of its API server, else 0.",
		}, []string{"cluster"}),
		render: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "gitwave_render_duration_seconds",
			Help:    "Time to render the apps of a change at both revisions and diff them, by what asked (pull_request, merge).",
			Buckets: prometheus.ExponentialBuckets(0.05, 2, 12),
		}, []string{"trigger"}),
	}
	reg.MustRegister(m.syncs, m.syncTime, m.fetches, m.reachable, m.render)
	if st != nil {
		RegisterQueueMetrics(reg, st)
		RegisterAppMetrics(reg, st)
	}
	return m
}

// RegisterQueueMetrics registers gitwave_queue_depth and
// gitwave_queue_oldest_seconds, read from st at each scrape.
func RegisterQueueMetrics(reg *prometheus.Registry, st *store.Store) {
	reg.MustRegister(queueCollector{st: st})
}

// ObserveSync counts one finished sync; it fits applier.Options.OnSync.
func (m *OpsMetrics) ObserveSync(app, cluster, phase string, took time.Duration) {
	if m == nil {
		return
	}
	m.syncs.WithLabelValues(app, cluster, phase).Inc()
	m.syncTime.WithLabelValues(cluster).Observe(took.Seconds())
}

// ObserveRender records a render of a change that started at start.
func (m *OpsMetrics) ObserveRender(trigger string, start time.Time) {
	if m == nil {
		return
	}
	m.render.WithLabelValues(trigger).Observe(time.Since(start).Seconds())
}

// ObserveFetch counts one Git fetch of repo.
func (m *OpsMetrics) ObserveFetch(repo string, err error) {
	if m == nil {
		return
	}
	result := "ok"
	if err != nil {
		result = "error"
	}
	m.fetches.WithLabelValues(repo, result).Inc()
}

// SetReachable records the last probe of each cluster; clusters missing
// from probe are dropped from the metric.
func (m *OpsMetrics) SetReachable(probe map[string]bool) {
	m.reachable.Reset()
	for name, ok := range probe {
		v := 0.0
		if ok {
			v = 1
		}
		m.reachable.WithLabelValues(name).Set(v)
	}
}

// queueScrapeTimeout bounds the store read of one scrape.
const queueScrapeTimeout = 2 * time.Second

var (
	queueDepthDesc = prometheus.NewDesc("gitwave_queue_depth",
		"Jobs waiting in the durable queue for a worker.", nil, nil)
	queueOldestDesc = prometheus.NewDesc("gitwave_queue_oldest_seconds",
		"How long the longest-waiting due job has waited; 0 when none is due.", nil, nil)
)

// queueCollector reads the queue from the store at each scrape, so that
// every replica reports the shared queue as it is.
type queueCollector struct{ st *store.Store }

func (c queueCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- queueDepthDesc
	ch <- queueOldestDesc
}

func (c queueCollector) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), queueScrapeTimeout)
	defer cancel()
	qs, err := c.st.QueueStats(ctx)
	if err != nil {
		ch <- prometheus.NewInvalidMetric(queueDepthDesc, err)
		return
	}
	ch <- prometheus.MustNewConstMetric(queueDepthDesc, prometheus.GaugeValue, float64(qs.Depth))
	ch <- prometheus.MustNewConstMetric(queueOldestDesc, prometheus.GaugeValue, qs.Oldest.Seconds())
}
