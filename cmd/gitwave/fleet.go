package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"

	"k8s.io/client-go/tools/clientcmd"

	"github.com/gitwave/gitwave/applier"
	"github.com/gitwave/gitwave/config"
	"github.com/gitwave/gitwave/planner"
	"github.com/gitwave/gitwave/reconcile"
	"github.com/gitwave/gitwave/store"
)

// clusterConfigs returns the configured clusters with their connections:
// those of --config, then one per context of --kubeconfig (named after the
// context) that --config does not name.
func clusterConfigs(cfg *config.Config, kubeconfig string) ([]applier.ClusterConfig, []planner.Cluster, error) {
	var ccs []applier.ClusterConfig
	var pcs []planner.Cluster
	if cfg != nil {
		for _, c := range cfg.Clusters {
			cc, err := fromConfig(cfg, c)
			if err != nil {
				return nil, nil, err
			}
			ccs = append(ccs, cc)
			pcs = append(pcs, planner.Cluster{Name: c.Name, Labels: c.Labels, KubeVersion: c.KubeVersion, Source: "config"})
		}
	}
	if kubeconfig != "" {
		raw, err := clientcmd.LoadFromFile(kubeconfig)
		if err != nil {
			return nil, nil, fmt.Errorf("read kubeconfig %s: %w", kubeconfig, err)
		}
		names := make([]string, 0, len(raw.Contexts))
		for name := range raw.Contexts {
			names = append(names, name)
		}
		slices.Sort(names)
		for _, name := range names {
			if slices.ContainsFunc(ccs, func(c applier.ClusterConfig) bool { return c.Name == name }) {
				continue
			}
			ccs = append(ccs, applier.ClusterConfig{Name: name, Kubeconfig: kubeconfig, Context: name})
			pcs = append(pcs, planner.Cluster{Name: name, Source: "config"})
		}
	}
	for i := range ccs {
		rc, err := ccs[i].RESTConfig()
		if err != nil {
			return nil, nil, err
		}
		pcs[i].Server = rc.Host
	}
	return ccs, pcs, nil
}

func fromConfig(cfg *config.Config, c config.Cluster) (applier.ClusterConfig, error) {
	cc := applier.ClusterConfig{Name: c.Name, Kubeconfig: cfg.Path(c.Kubeconfig), Context: c.Context, Server: c.Server, Token: c.Token,
		CAData: []byte(c.CAData), Insecure: c.Insecure}
	if c.TokenFile != "" {
		// Read again whenever it changes: a rotated token needs no restart.
		cc.TokenFile = cfg.Path(c.TokenFile)
	}
	if c.CAFile != "" {
		ca, err := os.ReadFile(cfg.Path(c.CAFile))
		if err != nil {
			return cc, fmt.Errorf("cluster %s: read caFile: %w", c.Name, err)
		}
		cc.CAData = ca
	}
	return cc, nil
}

// openStore opens the state store of --config, or SQLite in dataDir.
func openStore(ctx context.Context, cfg *config.Config, dataDir string) (*store.Store, error) {
	opts := store.Options{Driver: "sqlite"}
	if cfg != nil {
		if dataDir == "" {
			dataDir = cfg.Path(cfg.DataDir)
		}
		if cfg.State.Driver == "postgres" {
			opts = store.Options{Driver: "postgres", DSN: cfg.State.DSN}
		}
	}
	if opts.Driver == "sqlite" {
		if dataDir == "" {
			dataDir = "data"
		}
		if err := os.MkdirAll(dataDir, 0o755); err != nil {
			return nil, fmt.Errorf("create data dir: %w", err)
		}
		opts.DSN = filepath.Join(dataDir, "gitwave.db")
	}
	return store.Open(ctx, opts)
}

// live is a workspace with clusters and a store: what sync, drift and live
// diffs need.
type live struct {
	*workspace
	store      *store.Store
	fleet      *applier.Fleet
	reconciler *reconcile.Reconciler
}

func loadLive(ctx context.Context, f *repoFlags, dataDir string) (*live, error) {
	w, err := loadWorkspace(ctx, f)
	if err != nil {
		return nil, err
	}
	l, err := attachLive(ctx, w, f, dataDir)
	if err != nil {
		w.Close()
		return nil, err
	}
	return l, nil
}

// attachLive opens the store and reaches the clusters for w, which it
// neither discovers nor closes: closeClusters undoes it.
func attachLive(ctx context.Context, w *workspace, f *repoFlags, dataDir string) (*live, error) {
	l := &live{workspace: w}
	var err error
	if l.store, err = openStore(ctx, w.cfg, dataDir); err != nil {
		return nil, err
	}
	ccs, _, err := clusterConfigs(w.cfg, f.kubeconfig)
	if err != nil {
		l.closeClusters()
		return nil, err
	}
	if l.fleet, err = applier.NewFleet(ccs, applier.FleetOptions{Manager: applier.Options{Store: l.store}}); err != nil {
		l.closeClusters()
		return nil, err
	}
	l.reconciler = &reconcile.Reconciler{Planner: w.planner, Fleet: l.fleet, History: l.store,
		Source: func(ctx context.Context, rev string) (planner.Source, error) { return w.opened.source(ctx, f, rev) }}
	return l, nil
}

// closeClusters closes what attachLive opened.
func (l *live) closeClusters() {
	if l.fleet != nil {
		l.fleet.Close()
	}
	if l.store != nil {
		_ = l.store.Close()
	}
}

func (l *live) Close() {
	l.closeClusters()
	l.workspace.Close()
}
