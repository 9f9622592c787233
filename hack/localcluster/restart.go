package localcluster

import (
	"context"
	"fmt"
	"time"

	"k8s.io/client-go/kubernetes"
)

// Restart starts a stopped cluster again on the same ports, with its etcd
// data, certificates and node, and returns once the apiserver is ready and
// the node Ready: an outage that ends. Restarting a running cluster does
// nothing.
func (e *Env) Restart(ctx context.Context, name string) error {
	c, ok := e.clusters[name]
	if !ok {
		return fmt.Errorf("localcluster: unknown cluster %q", name)
	}
	if !c.isStopped() {
		return nil
	}
	ctx, cancel := context.WithTimeout(ctx, e.opts.StartTimeout)
	defer cancel()
	if err := c.restart(ctx); err != nil {
		c.stop()
		return fmt.Errorf("cluster %s: restart: %w", name, err)
	}
	return nil
}

// restart runs every component again over the cluster's existing files.
func (c *cluster) restart(ctx context.Context) error {
	c.mu.Lock()
	c.procs, c.stopped = nil, false
	c.mu.Unlock()
	began := time.Now()
	if err := c.run(Etcd); err != nil {
		return err
	}
	if err := c.waitFor(ctx, Etcd, c.etcdHealthy); err != nil {
		return err
	}
	if err := c.run(KubeAPIServer); err != nil {
		return err
	}
	probe := c.restConfig()
	probe.Timeout = 5 * time.Second
	cs, err := kubernetes.NewForConfig(probe)
	if err != nil {
		return err
	}
	if err := c.waitFor(ctx, KubeAPIServer, readyz(cs)); err != nil {
		return err
	}
	for _, comp := range []string{ControllerManager, Scheduler, Kwok} {
		if err := c.run(comp); err != nil {
			return err
		}
	}
	if err := c.waitFor(ctx, Kwok, nodeReady(cs)); err != nil {
		return err
	}
	c.opts.logf("localcluster: cluster %s: restarted after %s", c.name, time.Since(began).Round(time.Millisecond))
	return nil
}
