package applier

import (
	"context"
	"fmt"
	"sort"
	"sync"

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
	// TokenFile, instead of Token, is read again whenever it changes.
	TokenFile string
	// Insecure skips the server certificate's verification.
	Insecure bool
}

// RESTConfig builds the client configuration of c.
func (c ClusterConfig) RESTConfig() (*rest.Config, error) {
	cfg, _, err := c.restConfig()
	return cfg, err
}

// restConfig builds the client configuration of c and, for a server URL,
// the token its requests carry, which can change under it.
func (c ClusterConfig) restConfig() (*rest.Config, *BearerToken, error) {
	if c.Kubeconfig != "" {
		rules := &clientcmd.ClientConfigLoadingRules{ExplicitPath: c.Kubeconfig}
		cfg, err := clientcmd.NewNonInteractiveDeferredLoadingClientConfig(rules,
			&clientcmd.ConfigOverrides{CurrentContext: c.Context}).ClientConfig()
		if err != nil {
			return nil, nil, fmt.Errorf("cluster %s: kubeconfig %s context %q: %w", c.Name, c.Kubeconfig, c.Context, err)
		}
		return cfg, nil, nil
	}
	if c.Server == "" {
		return nil, nil, fmt.Errorf("cluster %s: neither a kubeconfig nor a server URL is given", c.Name)
	}
	tok := NewStaticToken(c.Token)
	if c.TokenFile != "" {
		var err error
		if tok, err = NewFileToken(c.TokenFile); err != nil {
			return nil, nil, fmt.Errorf("cluster %s: %w", c.Name, err)
		}
	}
	cfg := &rest.Config{Host: c.Server, TLSClientConfig: rest.TLSClientConfig{CAData: c.CAData, Insecure: c.Insecure}}
	cfg.WrapTransport = tok.wrap
	return cfg, tok, nil
}

// sameConnection says whether a and b reach the same server the same way,
// tokens aside.
func sameConnection(a, b ClusterConfig) bool {
	return a.Name == b.Name && a.Kubeconfig == b.Kubeconfig && a.Context == b.Context && a.Server == b.Server &&
		string(a.CAData) == string(b.CAData) && a.TokenFile == b.TokenFile && a.Insecure == b.Insecure
}

// FleetOptions configures a Fleet.
type FleetOptions struct {
	// Manager is the template of every cluster's Manager options; Cluster
	// is set per cluster.
	Manager Options
	// Concurrency bounds the syncs that run at once; default 4.
	Concurrency int
}

// Fleet holds one Manager per cluster, by cluster name. Update and Remove
// change its clusters while it is used.
type Fleet struct {
	mu          sync.RWMutex
	members     map[string]*member
	opts        Options
	concurrency int
}

// member is one cluster of a Fleet.
type member struct {
	config  ClusterConfig
	token   *BearerToken
	manager *Manager
}

// NewFleet builds a Manager per cluster. It makes no request, so an
// unreachable cluster does not stop the others; a bad configuration does,
// naming the cluster.
func NewFleet(clusters []ClusterConfig, opts FleetOptions) (*Fleet, error) {
	f := &Fleet{members: map[string]*member{}, opts: opts.Manager, concurrency: opts.Concurrency}
	if f.concurrency <= 0 {
		f.concurrency = 4
	}
	for _, c := range clusters {
		if err := f.Update(c); err != nil {
			f.Close()
			return nil, err
		}
	}
	return f, nil
}

// Update adds cluster c or changes how it is reached. A new token on the
// same connection is only swapped in, so the next request carries it;
// any other change replaces the cluster's Manager (a sync already running
// finishes on the old one).
func (f *Fleet) Update(c ClusterConfig) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if old := f.members[c.Name]; old != nil && old.token != nil && sameConnection(old.config, c) {
		if c.TokenFile == "" {
			old.token.Set(c.Token)
		}
		old.config = c
		return nil
	}
	cfg, tok, err := c.restConfig()
	if err != nil {
		return err
	}
	mo := f.opts
	mo.Cluster = c.Name
	m, err := New(cfg, mo)
	if err != nil {
		return fmt.Errorf("cluster %s: %w", c.Name, err)
	}
	if old := f.members[c.Name]; old != nil {
		old.manager.Close()
	}
	f.members[c.Name] = &member{config: c, token: tok, manager: m}
	return nil
}

// Remove drops cluster name; its syncs already running finish.
func (f *Fleet) Remove(name string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if old := f.members[name]; old != nil {
		old.manager.Close()
		delete(f.members, name)
	}
}

// Manager returns the Manager of cluster name, or nil.
func (f *Fleet) Manager(name string) *Manager {
	f.mu.RLock()
	defer f.mu.RUnlock()
	if m := f.members[name]; m != nil {
		return m.manager
	}
	return nil
}

// Clusters returns the cluster names, sorted.
func (f *Fleet) Clusters() []string {
	f.mu.RLock()
	defer f.mu.RUnlock()
	names := make([]string, 0, len(f.members))
	for n := range f.members {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// Close stops every Manager's watch caches.
func (f *Fleet) Close() {
	f.mu.RLock()
	defer f.mu.RUnlock()
	for _, m := range f.members {
		m.manager.Close()
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
			m := f.Manager(req.App.Cluster.Name)
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
