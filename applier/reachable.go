package applier

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"golang.org/x/sync/errgroup"
)

// reachTimeout bounds one reachability probe.
const reachTimeout = 5 * time.Second

// ServerVersion asks the cluster its version ("v1.37.2"): the probe of
// `gitwave cluster list` and of the gitwave_cluster_reachable metric.
func (m *Manager) ServerVersion(ctx context.Context) (string, error) {
	ctx, cancel := context.WithTimeout(ctx, reachTimeout)
	defer cancel()
	body, err := m.dc.RESTClient().Get().AbsPath("/version").Do(ctx).Raw()
	if err != nil {
		return "", fmt.Errorf("cluster %s: version: %w", m.opts.Cluster, err)
	}
	v, err := parseVersion(body)
	if err != nil {
		return "", fmt.Errorf("cluster %s: version: %w", m.opts.Cluster, err)
	}
	return v, nil
}

// Reachability probes every cluster of the Fleet in parallel and returns
// whether each answered, by name.
func (f *Fleet) Reachability(ctx context.Context) map[string]bool {
	names := f.Clusters()
	ok := make([]bool, len(names))
	var g errgroup.Group
	g.SetLimit(f.concurrency)
	for i, name := range names {
		g.Go(func() error {
			if m := f.Manager(name); m != nil {
				_, err := m.ServerVersion(ctx)
				ok[i] = err == nil
			}
			return nil
		})
	}
	_ = g.Wait()
	out := make(map[string]bool, len(names))
	for i, n := range names {
		out[n] = ok[i]
	}
	return out
}

// parseVersion reads gitVersion of the API server's /version answer.
func parseVersion(body []byte) (string, error) {
	var v struct {
		GitVersion string `json:"gitVersion"`
	}
	if err := json.Unmarshal(body, &v); err != nil {
		return "", err
	}
	return v.GitVersion, nil
}
