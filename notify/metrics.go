package notify

import (
	"errors"

	"github.com/prometheus/client_golang/prometheus"
)

// metrics are what /metrics serves about notifications.
type metrics struct {
	total *prometheus.CounterVec
}

func newMetrics(reg prometheus.Registerer) *metrics {
	m := &metrics{total: prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "gitwave_notifications_total",
		Help: "Notifications by service and result (sent, retried, failed, dropped).",
	}, []string{"service", "result"})}
	if reg == nil {
		return m
	}
	// An engine rebuilt from a changed ConfigMap counts on where the one
	// it replaces counted.
	var dup prometheus.AlreadyRegisteredError
	if err := reg.Register(m.total); errors.As(err, &dup) {
		m.total = dup.ExistingCollector.(*prometheus.CounterVec)
	} else if err != nil {
		panic(err)
	}
	return m
}

func (m *metrics) count(service, result string) {
	m.total.WithLabelValues(service, result).Inc()
}
