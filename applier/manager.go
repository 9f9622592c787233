package applier

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"k8s.io/apimachinery/pkg/api/meta"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/discovery"
	"k8s.io/client-go/discovery/cached/memory"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/restmapper"

	"github.com/gitwave/gitwave/backoff"
)

// DefaultFieldManager is the field manager of every apply gitwave makes.
const DefaultFieldManager = "gitwave"

// DefaultQPS is the request rate a Manager allows itself (burst twice as
// many) when its rest.Config sets none.
const DefaultQPS = 1000

// Clock tells the time and waits; tests replace it to run backoffs instantly.
type Clock = backoff.Clock

// Options configures a Manager. The zero value is usable.
type Options struct {
	// FieldManager names gitwave's field ownership; default "gitwave".
	FieldManager string
	// Concurrency bounds the objects applied, or waited for, at once within
	// one step; default 8.
	Concurrency int
	// WaitTimeout bounds each health wait (one per step) and each hook; an
	// app overrides it with the annotation gitwave.dev/sync-timeout.
	// Default 5 minutes.
	WaitTimeout time.Duration
	// Store records syncs and keeps inventories. Nil records nothing and
	// prunes nothing (there is no inventory to prune from).
	Store Recorder
	// Clock tells the time; default the wall clock.
	Clock Clock
	// Cluster names the cluster in records and errors; default the API
	// server's host.
	Cluster string
	// OnSync, when set, is told of every finished sync (not dry runs): the
	// app, the cluster, the final phase and how long it took.
	OnSync func(app, cluster, phase string, took time.Duration)
}

func (o Options) withDefaults(cfg *rest.Config) Options {
	if o.FieldManager == "" {
		o.FieldManager = DefaultFieldManager
	}
	if o.Concurrency <= 0 {
		o.Concurrency = 8
	}
	if o.WaitTimeout <= 0 {
		o.WaitTimeout = 5 * time.Minute
	}
	if o.Clock == nil {
		o.Clock = backoff.Wall
	}
	if o.Cluster == "" {
		o.Cluster = cfg.Host
	}
	return o
}

// Manager applies, waits for, prunes and diffs the objects of apps on one
// cluster. Its methods are safe for concurrent use; Sync runs one sync at a
// time per app.
type Manager struct {
	opts     Options
	client   dynamic.Interface
	mapper   *restmapper.DeferredDiscoveryRESTMapper
	dc       discovery.DiscoveryInterface
	requests atomic.Int64

	locksMu sync.Mutex
	locks   map[string]*sync.Mutex

	cache *liveCache
}

// New returns a Manager for the cluster cfg points at. It makes no request:
// an unreachable cluster fails the first call that needs it. New copies cfg
// and counts every request made through the copy (Requests).
func New(cfg *rest.Config, opts Options) (*Manager, error) {
	if cfg == nil {
		return nil, errors.New("applier: nil rest.Config")
	}
	m := &Manager{opts: opts.withDefaults(cfg), locks: map[string]*sync.Mutex{}}
	cfg = rest.CopyConfig(cfg)
	if cfg.QPS == 0 && cfg.RateLimiter == nil {
		// client-go's default of 5 requests a second throttles a wave of
		// parallel applies, and so did 200: a wave of 1,000 objects took
		// 3 s at that rate alone. Options.Concurrency bounds what a sync
		// has in flight, and the API server's own priority and fairness
		// protects it.
		cfg.QPS, cfg.Burst = DefaultQPS, 2*DefaultQPS
	}
	cfg.Wrap(func(rt http.RoundTripper) http.RoundTripper { return countingTransport{next: rt, n: &m.requests} })
	dc, err := discovery.NewDiscoveryClientForConfig(cfg)
	if err != nil {
		return nil, fmt.Errorf("cluster %s: discovery client: %w", m.opts.Cluster, err)
	}
	m.dc = dc
	m.mapper = restmapper.NewDeferredDiscoveryRESTMapper(memory.NewMemCacheClient(dc))
	if m.client, err = dynamic.NewForConfig(cfg); err != nil {
		return nil, fmt.Errorf("cluster %s: dynamic client: %w", m.opts.Cluster, err)
	}
	m.cache = newLiveCache(m.client)
	return m, nil
}

// Cluster returns the cluster name the Manager reports under.
func (m *Manager) Cluster() string { return m.opts.Cluster }

// Requests returns how many HTTP requests the Manager has made to its
// cluster, watches and discovery included.
func (m *Manager) Requests() int64 { return m.requests.Load() }

// Close stops the Manager's watch caches. The Manager stays usable; a later
// Drift starts them again.
func (m *Manager) Close() { m.cache.stop() }

// appLock returns the mutex that serializes syncs of app on this cluster.
func (m *Manager) appLock(app string) *sync.Mutex {
	m.locksMu.Lock()
	defer m.locksMu.Unlock()
	l, ok := m.locks[app]
	if !ok {
		l = &sync.Mutex{}
		m.locks[app] = l
	}
	return l
}

// mappingBackoff spaces the discovery resets of mapping: 0.2 s doubling,
// 12.6 s over the 8 attempts.
var mappingBackoff = backoff.Schedule{First: 200 * time.Millisecond, Factor: 2}

// mapping resolves a kind to its resource. A kind the cached discovery does
// not know resets the cache and asks again for about 13 seconds, so that a CRD
// applied in an earlier wave is usable in a later one.
func (m *Manager) mapping(ctx context.Context, gvk schema.GroupVersionKind) (*meta.RESTMapping, error) {
	pause := mappingBackoff.Start(m.opts.Clock)
	for attempt := 0; ; attempt++ {
		rm, err := m.mapper.RESTMapping(gvk.GroupKind(), gvk.Version)
		if err == nil || !meta.IsNoMatchError(err) || attempt == 7 {
			if err != nil {
				return nil, fmt.Errorf("resolve kind %s: %w", gvk, err)
			}
			return rm, nil
		}
		m.mapper.Reset()
		if attempt > 0 {
			if err := pause.Wait(ctx); err != nil {
				return nil, err
			}
		}
	}
}

// resource returns the dynamic client of an object's resource and namespace.
func (m *Manager) resource(rm *meta.RESTMapping, namespace string) dynamic.ResourceInterface {
	if rm.Scope.Name() == meta.RESTScopeNameNamespace {
		return m.client.Resource(rm.Resource).Namespace(namespace)
	}
	return m.client.Resource(rm.Resource)
}

// countingTransport counts requests for Requests.
type countingTransport struct {
	next http.RoundTripper
	n    *atomic.Int64
}

func (t countingTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	t.n.Add(1)
	return t.next.RoundTrip(r)
}
