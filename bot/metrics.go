package bot

import (
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// metrics are what /metrics serves about webhooks and jobs.
type metrics struct {
	webhooks *prometheus.CounterVec
	requests *prometheus.CounterVec
	accept   *prometheus.HistogramVec
	jobs     *prometheus.CounterVec
	jobTime  *prometheus.HistogramVec
}

func newMetrics(reg *prometheus.Registry) *metrics {
	m := &metrics{
		webhooks: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "gitwave_webhooks_total",
			Help: "Webhook deliveries by host and outcome (accepted, duplicate, ignored, unauthorized, invalid, busy, error).",
		}, []string{"host", "outcome"}),
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "gitwave_webhook_requests_total",
			Help: "Webhook requests by host and result (the outcomes of gitwave_webhooks_total), as Argo CD users chart them.",
		}, []string{"host", "result"}),
		accept: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "gitwave_webhook_seconds",
			Help:    "Time from a webhook's arrival to its answer, signature check and store write included.",
			Buckets: []float64{.001, .002, .005, .01, .02, .05, .1, .25, .5, 1, 2.5},
		}, []string{"host"}),
		jobs: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "gitwave_jobs_total",
			Help: "Jobs run by kind and outcome (done, retry, failed).",
		}, []string{"kind", "outcome"}),
		jobTime: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "gitwave_job_seconds",
			Help:    "Time a job ran, by kind.",
			Buckets: prometheus.ExponentialBuckets(0.05, 2.5, 10),
		}, []string{"kind"}),
	}
	reg.MustRegister(m.webhooks, m.requests, m.accept, m.jobs, m.jobTime)
	return m
}

func (m *metrics) webhook(host, outcome string, start time.Time) {
	m.webhooks.WithLabelValues(host, outcome).Inc()
	m.requests.WithLabelValues(host, outcome).Inc()
	m.accept.WithLabelValues(host).Observe(time.Since(start).Seconds())
}

func (m *metrics) job(kind, outcome string, start time.Time) {
	m.jobs.WithLabelValues(kind, outcome).Inc()
	m.jobTime.WithLabelValues(kind).Observe(time.Since(start).Seconds())
}
