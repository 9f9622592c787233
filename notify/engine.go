package notify

import (
	"context"
	"fmt"
	"log/slog"
	"maps"
	"strings"
	"sync"
	"time"

	"github.com/argoproj/notifications-engine/pkg/services"
	"github.com/argoproj/notifications-engine/pkg/subscriptions"
	"github.com/argoproj/notifications-engine/pkg/triggers"
	"github.com/prometheus/client_golang/prometheus"
	"k8s.io/apimachinery/pkg/labels"

	"github.com/gitwave/gitwave/backoff"
)

// Ledger records the notifications sent; *store.Store is one. Claim must
// be atomic across replicas; a claim not confirmed within lease (its sender
// died) may be claimed again.
type Ledger interface {
	ClaimNotification(ctx context.Context, scope, key string, lease time.Duration) (bool, error)
	ConfirmNotification(ctx context.Context, scope, key string) error
	ReleaseNotification(ctx context.Context, scope, key string) error
}

// Options configure an Engine. Zero values are documented per field.
type Options struct {
	// Ledger is required.
	Ledger Ledger
	// Logger defaults to slog.Default().
	Logger *slog.Logger
	// Registerer receives gitwave_notifications_total; nil registers
	// nowhere.
	Registerer prometheus.Registerer
	// ArgocdURL is context.argocdUrl; empty means the ConfigMap's context
	// key, then StatusURL.
	ArgocdURL string
	// StatusURL is gitwave's status page.
	StatusURL string
	// Workers deliver at most this many notifications at once (default 4).
	Workers int
	// QueueSize bounds the notifications waiting for a worker (default
	// 1000); beyond it a notification is dropped, logged and counted, and
	// its claim released, so that Observe never waits.
	QueueSize int
	// Attempts per notification (default 4), each bounded by Timeout
	// (default 15s), with Backoff (default 1s) doubling between them.
	Attempts int
	Timeout  time.Duration
	Backoff  time.Duration
	// Clock times the waits between attempts; default the wall clock.
	Clock backoff.Clock
	// ClaimLease is how long a claimed notification may go unconfirmed
	// before another pass sends it again, when the process that claimed it
	// died while sending (default 10m).
	ClaimLease time.Duration
}

func (o *Options) applyDefaults() {
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	if o.Workers <= 0 {
		o.Workers = 4
	}
	if o.QueueSize <= 0 {
		o.QueueSize = 1000
	}
	if o.Attempts <= 0 {
		o.Attempts = 4
	}
	if o.Timeout <= 0 {
		o.Timeout = 15 * time.Second
	}
	if o.Backoff <= 0 {
		o.Backoff = time.Second
	}
	if o.Clock == nil {
		o.Clock = backoff.Wall
	}
	if o.ClaimLease <= 0 {
		o.ClaimLease = 10 * time.Minute
	}
}

// Engine evaluates triggers on status changes and delivers what they send.
type Engine struct {
	cfg     *Config
	opts    Options
	log     *slog.Logger
	context map[string]string
	senders map[string]sender
	metrics *metrics

	queue   chan delivery
	pending sync.WaitGroup
	workers sync.WaitGroup
	stop    context.CancelFunc
}

// New builds the services of cfg and starts the delivery workers; Close
// stops them.
func New(cfg *Config, opts Options) (*Engine, error) {
	if opts.Ledger == nil {
		return nil, fmt.Errorf("notifications: a ledger (the store) is required")
	}
	opts.applyDefaults()
	senders, err := newSenders(cfg)
	if err != nil {
		return nil, cfg.redact.err(err)
	}
	e := &Engine{
		cfg: cfg, opts: opts, log: opts.Logger.With("component", "notify"),
		context: maps.Clone(cfg.Context), senders: senders, metrics: newMetrics(opts.Registerer),
		queue: make(chan delivery, opts.QueueSize),
	}
	switch {
	case opts.ArgocdURL != "":
		e.context["argocdUrl"] = opts.ArgocdURL
	case e.context["argocdUrl"] == "":
		e.context["argocdUrl"] = opts.StatusURL
	}
	e.context["argocdUrl"] = strings.TrimRight(e.context["argocdUrl"], "/")
	bridgeEngineLogs(e.log, cfg.redact)
	ctx, stop := context.WithCancel(context.Background())
	e.stop = stop
	for range opts.Workers {
		e.workers.Add(1)
		go e.work(ctx)
	}
	return e, nil
}

// Close stops the workers; notifications still queued are not sent and
// their claims stay, as after a crash: a later pass sends them once
// ClaimLease has passed.
func (e *Engine) Close() {
	e.stop()
	e.workers.Wait()
}

// Drain waits until every notification handed to the workers so far has
// been delivered or has failed, or ctx ends.
func (e *Engine) Drain(ctx context.Context) error {
	done := make(chan struct{})
	go func() { e.pending.Wait(); close(done) }()
	select {
	case <-done:
		return nil
	case <-ctx.Done():
		return fmt.Errorf("drain notifications: %w", ctx.Err())
	}
}

// Observe evaluates the triggers the app × cluster of cur is subscribed to
// and queues what they send. It is gitwave's StatusObserver: it never waits
// for a service. prev is the status before the change.
func (e *Engine) Observe(ctx context.Context, prev, cur AppState) {
	app := cur.Application()
	dests := e.destinations(app)
	if len(dests) == 0 {
		return
	}
	vars := e.vars(app)
	for _, trigger := range sortedKeys(dests) {
		results, err := e.cfg.triggers.Run(trigger, vars)
		if err != nil {
			e.log.Warn("notification trigger failed", "app", cur.Scope(), "trigger", trigger, "error", e.cfg.redact.err(err))
			continue
		}
		for _, cr := range results {
			for _, d := range dests[trigger] {
				e.handle(ctx, cur, vars, trigger, cr, d)
			}
		}
	}
}

// destinations are the app's subscriptions (annotations) and the default
// subscriptions its labels select, by trigger.
func (e *Engine) destinations(app map[string]any) services.Destinations {
	meta := asMap(app["metadata"])
	annotations, appLabels := stringMap(meta["annotations"]), stringMap(meta["labels"])
	dests := subscriptions.NewAnnotations(annotations).GetDestinations(e.cfg.DefaultTriggers, e.cfg.ServiceDefaultTriggers)
	for _, s := range e.cfg.Subscriptions {
		ts := s.Triggers
		if len(ts) == 0 {
			ts = e.cfg.DefaultTriggers
		}
		for _, t := range ts {
			if !s.MatchesTrigger(t) || !s.Selector.Matches(labels.Set(appLabels)) {
				continue
			}
			for _, r := range s.Recipients {
				svc, rcpt, _ := strings.Cut(r, ":")
				dests[t] = append(dests[t], services.Destination{Service: svc, Recipient: rcpt})
			}
		}
	}
	return dests.Dedup()
}

// handle applies Argo CD's notified state for one condition and
// destination: a condition that no longer holds forgets its key (unless
// oncePer keeps it); one that holds is sent when its key is claimed.
func (e *Engine) handle(ctx context.Context, st AppState, vars map[string]any, trigger string, cr triggers.ConditionResult, d services.Destination) {
	key := stateKey(trigger, cr, d)
	scope := st.Scope()
	if !cr.Triggered {
		if err := e.opts.Ledger.ReleaseNotification(ctx, scope, key); err != nil {
			e.log.Warn("forget notification", "app", scope, "trigger", trigger, "error", err)
		}
		return
	}
	claimed, err := e.opts.Ledger.ClaimNotification(ctx, scope, key, e.opts.ClaimLease)
	if err != nil {
		e.log.Warn("record notification", "app", scope, "trigger", trigger, "error", err)
		return
	}
	if !claimed {
		return
	}
	n, err := e.render(vars, cr.Templates, d)
	if err != nil {
		e.fail(ctx, delivery{scope: scope, key: key, trigger: trigger, dest: d}, fmt.Errorf("render %s: %w", strings.Join(cr.Templates, ", "), err))
		return
	}
	e.enqueue(ctx, delivery{scope: scope, key: key, trigger: trigger, dest: d, notification: *n})
}

// stateKey is Argo CD's notified-state key.
func stateKey(trigger string, cr triggers.ConditionResult, d services.Destination) string {
	key := fmt.Sprintf("%s:%s:%s:%s", trigger, cr.Key, d.Service, d.Recipient)
	if cr.OncePer != "" {
		key = cr.OncePer + ":" + key
	}
	return key
}

// vars are what expressions see.
func (e *Engine) vars(app map[string]any) map[string]any {
	v := maps.Clone(exprNamespaces)
	v["app"] = app
	v["context"] = e.context
	return v
}

// render formats the templates for one destination, with serviceType and
// recipient set as Argo CD sets them.
func (e *Engine) render(vars map[string]any, names []string, d services.Destination) (*services.Notification, error) {
	in := maps.Clone(vars)
	in["serviceType"] = d.Service
	in["recipient"] = d.Recipient
	return e.cfg.templates.FormatNotification(in, names...)
}

func stringMap(v any) map[string]string {
	out := map[string]string{}
	for k, val := range asMap(v) {
		if s, ok := val.(string); ok {
			out[k] = s
		}
	}
	if m, ok := v.(map[string]string); ok {
		maps.Copy(out, m)
	}
	return out
}
