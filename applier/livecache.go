package applier

import (
	"context"
	"fmt"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/dynamic/dynamicinformer"
	"k8s.io/client-go/tools/cache"
	"k8s.io/klog/v2"

	"github.com/gitwave/gitwave/planner"
)

// indexApp indexes cached objects by their gitwave.dev/app label.
const indexApp = "gitwave-app"

// Bounds of the record of gitwave's own writes (liveCache.recent): long
// enough for the watch to deliver them, large enough for a big wave.
const (
	recentTTL  = time.Minute
	recentSize = 20000
)

// liveCache keeps one watch per resource over the objects gitwave labelled,
// so that drift checks, syncs and diffs read memory, not the API server:
// after the first LIST and WATCH of a kind, reading an object costs no
// request.
type liveCache struct {
	client dynamic.Interface

	mu        sync.Mutex
	ctx       context.Context
	cancel    context.CancelFunc
	informers map[schema.GroupVersionResource]*watchedKind
	failed    map[schema.GroupVersionResource]failedList
	// changed is closed, and replaced, whenever a watch delivers an event.
	changed chan struct{}

	// watchFailed is set when a watch broke and could not be restarted
	// (the cluster went away): the cache may be stale until a probe says
	// the cluster answers again.
	watchFailed atomic.Bool
}

// listRetry is how long a kind whose LIST failed is read without a watch.
const listRetry = time.Minute

// failedList is a kind's failed LIST: when, and why.
type failedList struct {
	at  time.Time
	err error
}

// watchedKind is the watch of one resource and the objects gitwave wrote
// to it that the watch may not have delivered yet.
type watchedKind struct {
	inf    cache.SharedIndexInformer
	recent cache.MutationCache
	cancel context.CancelFunc
	// listErr is set when the first LIST failed (the kind cannot be
	// listed or watched, say for want of permission).
	listErr atomic.Pointer[error]
}

func newLiveCache(client dynamic.Interface) *liveCache {
	return &liveCache{client: client, changed: make(chan struct{})}
}

// informer returns the synced informer of gvr, starting it on first use.
func (c *liveCache) informer(ctx context.Context, gvr schema.GroupVersionResource) (cache.SharedIndexInformer, error) {
	w, err := c.kind(ctx, gvr)
	if err != nil {
		return nil, err
	}
	return w.inf, nil
}

// kind returns the synced watch of gvr, starting it on first use. A kind
// whose first LIST fails (gitwave may only read some namespaces) is an
// error, and is tried afresh after listRetry.
func (c *liveCache) kind(ctx context.Context, gvr schema.GroupVersionResource) (*watchedKind, error) {
	w, err := c.start(gvr)
	if err != nil {
		return nil, err
	}
	for !w.inf.HasSynced() {
		if errp := w.listErr.Load(); errp != nil {
			err := fmt.Errorf("watch %s: %w", gvr, *errp)
			c.forget(gvr, w, err)
			return nil, err
		}
		select {
		case <-ctx.Done():
			return nil, fmt.Errorf("watch %s: cache not synced: %w", gvr, context.Cause(ctx))
		case <-time.After(10 * time.Millisecond):
		}
	}
	return w, nil
}

// start returns the watch of gvr, starting it when there is none, or the
// error of its last start when that failed less than listRetry ago.
func (c *liveCache) start(gvr schema.GroupVersionResource) (*watchedKind, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.informers == nil {
		c.ctx, c.cancel = context.WithCancel(context.Background())
		c.informers = map[schema.GroupVersionResource]*watchedKind{}
		c.failed = map[schema.GroupVersionResource]failedList{}
	}
	if w, ok := c.informers[gvr]; ok {
		return w, nil
	}
	if f, ok := c.failed[gvr]; ok && time.Since(f.at) < listRetry {
		return nil, f.err
	}
	inf := dynamicinformer.NewFilteredDynamicInformer(c.client, gvr, metav1.NamespaceAll, 0,
		cache.Indexers{indexApp: appLabelIndex},
		func(o *metav1.ListOptions) { o.LabelSelector = LabelApp }).Informer()
	w := &watchedKind{inf: inf, recent: cache.NewIntegerResourceVersionMutationCacheWithOptions(klog.Background(), inf.GetStore(),
		cache.MutationCacheOptions{TTL: recentTTL, MaxCacheSize: recentSize, IncludeAdds: true})}
	_ = inf.SetWatchErrorHandlerWithContext(func(ctx context.Context, r *cache.Reflector, err error) {
		if !inf.HasSynced() {
			w.listErr.Store(&err)
		}
		c.watchFailed.Store(true)
		cache.DefaultWatchErrorHandler(ctx, r, err)
	})
	_, _ = inf.AddEventHandler(cache.ResourceEventHandlerFuncs{
		AddFunc:    func(obj any) { w.seen(obj); c.notify() },
		UpdateFunc: func(_, obj any) { w.seen(obj); c.notify() },
		DeleteFunc: func(obj any) { w.gone(obj); c.notify() },
	})
	var ctx context.Context
	ctx, w.cancel = context.WithCancel(c.ctx)
	c.informers[gvr] = w
	go inf.RunWithContext(ctx)
	return w, nil
}

// forget stops the watch w of gvr, whose LIST failed with err, so that a
// use after listRetry starts another.
func (c *liveCache) forget(gvr schema.GroupVersionResource, w *watchedKind, err error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.informers[gvr] == w {
		delete(c.informers, gvr)
		c.failed[gvr] = failedList{at: time.Now(), err: err}
	}
	w.cancel()
}

// notify wakes whoever waits on changes.
func (c *liveCache) notify() {
	c.mu.Lock()
	defer c.mu.Unlock()
	close(c.changed)
	c.changed = make(chan struct{})
}

// changes returns a channel closed when a watch next delivers an event.
func (c *liveCache) changes() <-chan struct{} {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.changed
}

// appLabelIndex indexes an object by its app label value.
func appLabelIndex(obj any) ([]string, error) {
	u, ok := obj.(*unstructured.Unstructured)
	if !ok {
		return nil, nil
	}
	if v, ok := u.GetLabels()[LabelApp]; ok {
		return []string{v}, nil
	}
	return nil, nil
}

// cacheKey is the store key of an object.
func cacheKey(namespace, name string) string {
	if namespace != "" {
		return namespace + "/" + name
	}
	return name
}

// get returns the cached object, or nil.
func (c *liveCache) get(inf cache.SharedIndexInformer, namespace, name string) *unstructured.Unstructured {
	obj, exists, err := inf.GetStore().GetByKey(cacheKey(namespace, name))
	if err != nil || !exists {
		return nil
	}
	u, _ := obj.(*unstructured.Unstructured)
	return u
}

// newest returns the newer of the watched object and the one gitwave last
// wrote (record), or nil when neither exists. The caller must not modify it.
func (w *watchedKind) newest(namespace, name string) *unstructured.Unstructured {
	obj, exists, err := w.recent.GetByKey(cacheKey(namespace, name))
	if err != nil || !exists {
		return nil
	}
	u, _ := obj.(*unstructured.Unstructured)
	return u
}

// record notes an object as an apply returned it, for newest to return
// until the watch delivers it or something newer.
func (w *watchedKind) record(u *unstructured.Unstructured) {
	if integerVersion(u) {
		w.recent.Mutation(u)
	}
}

// seen tells the record of writes that the watch delivered obj.
func (w *watchedKind) seen(obj any) {
	if u, ok := obj.(*unstructured.Unstructured); ok && integerVersion(u) {
		w.recent.OnAddOrUpdate(u)
	}
}

// integerVersion reports whether u's resource version is an integer, as
// etcd's are: the record of writes compares versions as integers (and
// panics on others), so objects of other API servers are not recorded.
func integerVersion(u *unstructured.Unstructured) bool {
	_, err := strconv.ParseUint(u.GetResourceVersion(), 10, 64)
	return err == nil
}

// gone tells the record of writes that the watch saw obj deleted.
func (w *watchedKind) gone(obj any) {
	if d, ok := obj.(cache.DeletedFinalStateUnknown); ok {
		obj = d.Obj
	}
	if u, ok := obj.(*unstructured.Unstructured); ok && integerVersion(u) {
		w.recent.OnDelete(u)
	}
}

// byApp returns the cached objects labelled for app.
func (c *liveCache) byApp(inf cache.SharedIndexInformer, app string) []*unstructured.Unstructured {
	objs, err := inf.GetIndexer().ByIndex(indexApp, AppLabelValue(app))
	if err != nil {
		return nil
	}
	out := make([]*unstructured.Unstructured, 0, len(objs))
	for _, o := range objs {
		if u, ok := o.(*unstructured.Unstructured); ok {
			out = append(out, u)
		}
	}
	return out
}

// stop ends every watch; the next use starts them again.
func (c *liveCache) stop() {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.cancel != nil {
		c.cancel()
	}
	c.informers, c.failed, c.cancel = nil, nil, nil
}

// cachedLive returns an object as the watch cache holds it (nil when it
// does not exist there), the newer of the watch and gitwave's own last
// write, without a request once the kind is watched. ok is false when the
// kind cannot be watched: the caller reads the object itself. The watch
// holds only objects labelled gitwave.dev/app: an object another tool
// created is not in it.
func (m *Manager) cachedLive(ctx context.Context, rm *meta.RESTMapping, key planner.ResourceKey) (live *unstructured.Unstructured, ok bool) {
	w, err := m.cache.kind(ctx, rm.Resource)
	if err != nil {
		return nil, false
	}
	return w.newest(key.Namespace, key.Name), true
}

// recordApplied keeps an object an apply returned, so that reads from the
// cache see it before the watch delivers it.
func (m *Manager) recordApplied(ctx context.Context, rm *meta.RESTMapping, u *unstructured.Unstructured) {
	if w, err := m.cache.kind(ctx, rm.Resource); err == nil {
		w.record(u)
	}
}
