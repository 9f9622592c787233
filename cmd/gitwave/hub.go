package main

import (
	"context"
	"log/slog"
	"slices"
	"sync"
	"time"

	"github.com/gitwave/gitwave/applier"
	"github.com/gitwave/gitwave/config"
	"github.com/gitwave/gitwave/planner"
)

// hubRefresh is how often `gitwave serve` reads the hub's cluster Secrets
// again: new Secrets, changed tokens and removed Secrets take effect then.
const hubRefresh = 30 * time.Second

// hubClusters reads the clusters of cfg's clusterSecrets namespace; none
// when cfg names none.
func hubClusters(ctx context.Context, cfg *config.Config) ([]hubCluster, error) {
	if cfg == nil || cfg.ClusterSecrets == nil {
		return nil, nil
	}
	hub, err := applier.NewHubSecrets(*cfg.ClusterSecrets)
	if err != nil {
		return nil, err
	}
	cs, _, err := hub.List(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]hubCluster, len(cs))
	for i, c := range cs {
		out[i] = toHubCluster(c)
	}
	return out, nil
}

func toHubCluster(c config.Cluster) hubCluster {
	return hubCluster{
		config:  applier.ClusterConfig{Name: c.Name, Server: c.Server, Token: c.Token, CAData: []byte(c.CAData), Insecure: c.Insecure},
		cluster: planner.Cluster{Name: c.Name, Server: c.Server, Labels: c.Labels, Source: "clusterSecrets"},
	}
}

// hubWatcher keeps a Fleet in step with the hub's cluster Secrets.
// Clusters of gitwave.yaml win over a Secret of the same name.
type hubWatcher struct {
	hub    *applier.HubSecrets
	fleet  *applier.Fleet
	static map[string]bool
	known  map[string]bool
	log    *slog.Logger

	mu      sync.Mutex
	current []planner.Cluster
}

// Clusters returns the hub's clusters as last read, for the planner.
func (w *hubWatcher) Clusters() []planner.Cluster {
	w.mu.Lock()
	defer w.mu.Unlock()
	return slices.Clone(w.current)
}

func newHubWatcher(cs config.ClusterSecrets, fleet *applier.Fleet, static []applier.ClusterConfig, log *slog.Logger) (*hubWatcher, error) {
	hub, err := applier.NewHubSecrets(cs)
	if err != nil {
		return nil, err
	}
	w := &hubWatcher{hub: hub, fleet: fleet, static: map[string]bool{}, known: map[string]bool{}, log: log}
	for _, c := range static {
		w.static[c.Name] = true
	}
	return w, nil
}

// refresh reads the Secrets once and updates the Fleet and Clusters. It
// returns the hub's clusters.
func (w *hubWatcher) refresh(ctx context.Context) ([]planner.Cluster, error) {
	cs, errs, err := w.hub.List(ctx)
	if err != nil {
		return nil, err
	}
	for _, e := range errs {
		w.log.Warn("cluster Secret skipped", "error", e)
	}
	seen := map[string]bool{}
	var out []planner.Cluster
	for _, c := range cs {
		if w.static[c.Name] {
			w.log.Warn("cluster Secret ignored: gitwave.yaml configures a cluster of the same name", "cluster", c.Name)
			continue
		}
		h := toHubCluster(c)
		if err := w.fleet.Update(h.config); err != nil {
			w.log.Warn("cluster Secret skipped", "cluster", c.Name, "error", err)
			continue
		}
		if !w.known[c.Name] {
			w.log.Info("cluster added from a cluster Secret", "cluster", c.Name, "server", c.Server)
		}
		seen[c.Name] = true
		out = append(out, h.cluster)
	}
	for name := range w.known {
		if !seen[name] {
			w.fleet.Remove(name)
			w.log.Info("cluster removed: its cluster Secret is gone", "cluster", name)
		}
	}
	w.known = seen
	w.mu.Lock()
	w.current = out
	w.mu.Unlock()
	return out, nil
}

// run refreshes every interval until ctx ends; a failed read keeps the
// clusters as they were.
func (w *hubWatcher) run(ctx context.Context, interval time.Duration) error {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
			if _, err := w.refresh(ctx); err != nil {
				w.log.Warn("cluster Secrets not read; clusters kept as they were", "error", err)
			}
		}
	}
}
