package applier

import (
	"context"
	"fmt"
	"sort"

	"golang.org/x/sync/errgroup"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/clientcmd"
)

// ClusterConfig says how to reach one cluster: a kubeconfig file and
// context, or a server URL with a bearer token and CA certificate.
type ClusterConfig struct {
	// Name is the cluster's name in apps (destination.name).
	Name string
	// Kubeconfig is a kubeconfig file; Context its context (default the
	// current one).
	Kubeconfig, Context string
	// Server, Token and CAData reach the cluster without a kubeconfig.
	Server string
	Token  string
	CAData []byte
}

// RESTConfig builds the client configuration of c.
func (c ClusterConfig) RESTConfig() (*rest.Config, error) {
	if c.Kubeconfig != "" {
		rules := &clientcmd.ClientConfigLoadingRules{ExplicitPath: c.Kubeconfig}
		cfg, err := clientcmd.NewNonInteractiveDeferredLoadingClientConfig(rules,
			&clientcmd.ConfigOverrides{CurrentContext: c.Context}).ClientConfig()
		if err != nil {
			return nil, fmt.Errorf("cluster %s: kubeconfig %s context %q: %w", c.Name, c.Kubeconfig, c.Context, err)
		}
		return cfg, nil
	}
	if c.Server == "" {
		return nil, fmt.Errorf("cluster %s: neither a kubeconfig nor a server URL is given", c.Name)
	}
	return &rest.Config{Host: c.Server, BearerToken: c.Token, TLSClientConfig: rest.TLSClientConfig{CAData: c.CAData}}, nil
}

// FleetOptions configures a Fleet.
type FleetOptions struct {
	// Manager is the template of every cluster's Manager options; Cluster
	// is set per cluster.
	Manager Options
	// Concurrency bounds the syncs that run at once; default 4.
	Concurrency int
}

// Fleet holds one Manager per cluster, by cluster name.
type Fleet struct {
	managers    map[string]*Manager
	concurrency int
}

// NewFleet builds a Manager per cluster. It makes no request, so an
// unreachable cluster does not stop the others; a bad configuration does,
// naming the cluster.
func NewFleet(clusters []ClusterConfig, opts FleetOptions) (*Fleet, error) {
	f := &Fleet{managers: map[string]*Manager{}, concurrency: opts.Concurrency}
	if f.concurrency <= 0 {
		f.concurrency = 4
	}
	for _, c := range clusters {
		cfg, err := c.RESTConfig()
		if err != nil {
			return nil, err
		}
		mo := opts.Manager
		mo.Cluster = c.Name
		m, err := New(cfg, mo)
		if err != nil {
			return nil, fmt.Errorf("cluster %s: %w", c.Name, err)
		}
		f.managers[c.Name] = m
	}
	return f, nil
}

// Manager returns the Manager of cluster name, or nil.
func (f *Fleet) Manager(name string) *Manager { return f.managers[name] }

// Clusters returns the cluster names, sorted.
func (f *Fleet) Clusters() []string {
	names := make([]string, 0, len(f.managers))
	for n := range f.managers {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// Close stops every Manager's watch caches.
func (f *Fleet) Close() {
	for _, m := range f.managers {
		m.Close()
	}
}

// FleetResult is the outcome of one request of SyncAll.
type FleetResult struct {
	App, Cluster string
	// Result is nil when the sync could not start.
	Result *Result
	// Err is non-nil when the sync did not succeed.
	Err error
}

// SyncAll runs the requests in parallel, bounded by FleetOptions.Concurrency,
// each on the Manager of its app's cluster. A failing or unreachable
// cluster fails only its own requests; results are in the order of reqs.
// Syncs of one app on one cluster run one at a time (the Manager's lock and
// the store's guard).
func (f *Fleet) SyncAll(ctx context.Context, reqs []SyncRequest, progress func(Event)) []FleetResult {
	out := make([]FleetResult, len(reqs))
	var g errgroup.Group
	g.SetLimit(f.concurrency)
	for i, req := range reqs {
		g.Go(func() error {
			if req.App == nil {
				out[i].Err = fmt.Errorf("request %d: no app", i)
				return nil
			}
			out[i].App, out[i].Cluster = req.App.Name, req.App.Cluster.Name
			m := f.managers[req.App.Cluster.Name]
			if m == nil {
				out[i].Err = fmt.Errorf("sync %s: cluster %q is not configured", req.App.Name, req.App.Cluster.Name)
				return nil
			}
			out[i].Result, out[i].Err = m.Sync(ctx, req, progress)
			return nil
		})
	}
	_ = g.Wait()
	return out
}
