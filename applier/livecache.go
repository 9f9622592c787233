package applier

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/dynamic/dynamicinformer"
	"k8s.io/client-go/tools/cache"
)

// indexApp indexes cached objects by their gitwave.dev/app label.
const indexApp = "gitwave-app"

// liveCache keeps one watch per resource over the objects gitwave labelled,
// so that repeated drift checks read memory, not the API server: after the
// first LIST and WATCH of a kind, a check costs no request until something
// changes.
type liveCache struct {
	client dynamic.Interface

	mu        sync.Mutex
	ctx       context.Context
	cancel    context.CancelFunc
	informers map[schema.GroupVersionResource]cache.SharedIndexInformer

	// watchFailed is set when a watch broke and could not be restarted
	// (the cluster went away): the cache may be stale until a probe says
	// the cluster answers again.
	watchFailed atomic.Bool
}

func newLiveCache(client dynamic.Interface) *liveCache {
	return &liveCache{client: client}
}

// informer returns the synced informer of gvr, starting it on first use.
func (c *liveCache) informer(ctx context.Context, gvr schema.GroupVersionResource) (cache.SharedIndexInformer, error) {
	c.mu.Lock()
	if c.informers == nil {
		c.ctx, c.cancel = context.WithCancel(context.Background())
		c.informers = map[schema.GroupVersionResource]cache.SharedIndexInformer{}
	}
	inf, ok := c.informers[gvr]
	if !ok {
		inf = dynamicinformer.NewFilteredDynamicInformer(c.client, gvr, metav1.NamespaceAll, 0,
			cache.Indexers{indexApp: appLabelIndex},
			func(o *metav1.ListOptions) { o.LabelSelector = LabelApp }).Informer()
		_ = inf.SetWatchErrorHandlerWithContext(func(ctx context.Context, r *cache.Reflector, err error) {
			c.watchFailed.Store(true)
			cache.DefaultWatchErrorHandler(ctx, r, err)
		})
		c.informers[gvr] = inf
		go inf.RunWithContext(c.ctx)
	}
	c.mu.Unlock()
	if !cache.WaitForCacheSync(ctx.Done(), inf.HasSynced) {
		return nil, fmt.Errorf("watch %s: cache not synced: %w", gvr, context.Cause(ctx))
	}
	return inf, nil
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

// get returns the cached object, or nil.
func (c *liveCache) get(inf cache.SharedIndexInformer, namespace, name string) *unstructured.Unstructured {
	key := name
	if namespace != "" {
		key = namespace + "/" + name
	}
	obj, exists, err := inf.GetStore().GetByKey(key)
	if err != nil || !exists {
		return nil
	}
	u, _ := obj.(*unstructured.Unstructured)
	return u
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
	c.informers, c.cancel = nil, nil
}
