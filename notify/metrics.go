package notify

import "github.com/prometheus/client_golang/prometheus"

// metrics are what /metrics serves about notifications.
type metrics struct {
	total *prometheus.CounterVec
}

func newMetrics(reg prometheus.Registerer) *metrics {
	m := &metrics{total: prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "gitwave_notifications_total",
		Help: "Notifications by service and result (sent, retried, failed, dropped).",
	}, []string{"service", "result"})}
	if reg != nil {
		reg.MustRegister(m.total)
	}
	return m
}

func (m *metrics) count(service, result string) {
	m.total.WithLabelValues(service, result).Inc()
}
