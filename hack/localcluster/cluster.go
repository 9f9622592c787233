package localcluster

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
)

// pollInterval is how often start polls for readiness.
const pollInterval = 200 * time.Millisecond

// cluster is one control plane: its files, ports and processes.
type cluster struct {
	name  string
	dir   string
	opts  *Options
	ports ports
	pki   *pki

	mu      sync.Mutex
	procs   []*process // in start order
	stopped bool
}

// server returns the apiserver URL.
func (c *cluster) server() string {
	return fmt.Sprintf("https://127.0.0.1:%d", c.ports.apiserver)
}

// restConfig returns a fresh admin client configuration.
func (c *cluster) restConfig() *rest.Config {
	return &rest.Config{
		Host:            c.server(),
		BearerToken:     c.pki.token,
		TLSClientConfig: rest.TLSClientConfig{CAData: c.pki.caPEM},
		QPS:             200,
		Burst:           400,
	}
}

// start brings the cluster up, retrying with fresh ports when a component
// lost a port race.
func (c *cluster) start(ctx context.Context) error {
	const attempts = 3
	for i := 1; ; i++ {
		err := c.startOnce(ctx)
		if err == nil {
			return nil
		}
		c.stop()
		if i == attempts || !isPortClash(err) || ctx.Err() != nil {
			return fmt.Errorf("cluster %s: %w", c.name, err)
		}
		c.opts.logf("localcluster: cluster %s: port clash, retrying with new ports", c.name)
		if err := os.RemoveAll(c.dir); err != nil {
			return err
		}
		c.mu.Lock()
		c.procs, c.stopped = nil, false
		c.mu.Unlock()
	}
}

// startOnce does one start attempt: files, processes, node, and the waits.
func (c *cluster) startOnce(ctx context.Context) error {
	p, err := freePorts(3)
	if err != nil {
		return err
	}
	c.ports = ports{etcdClient: p[0], etcdPeer: p[1], apiserver: p[2]}
	if c.pki, err = writePKI(filepath.Join(c.dir, "pki")); err != nil {
		return err
	}
	if err := writeKubeconfig(filepath.Join(c.dir, "admin.kubeconfig"), []*cluster{c}); err != nil {
		return err
	}
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
	c.opts.logf("localcluster: cluster %s: apiserver ready at %s after %s", c.name, c.server(), time.Since(began).Round(time.Millisecond))
	for _, comp := range []string{ControllerManager, Scheduler, Kwok} {
		if err := c.run(comp); err != nil {
			return err
		}
	}
	if err := createNode(ctx, cs, c.name); err != nil {
		return err
	}
	if err := c.waitFor(ctx, Kwok, nodeReady(cs)); err != nil {
		return err
	}
	if err := c.waitFor(ctx, ControllerManager, defaultServiceAccount(cs)); err != nil {
		return err
	}
	c.opts.logf("localcluster: cluster %s: ready after %s", c.name, time.Since(began).Round(time.Millisecond))
	return nil
}

// run starts one component with its arguments plus Options.ExtraArgs.
func (c *cluster) run(component string) error {
	args := append(c.args(component), c.opts.ExtraArgs[component]...)
	p, err := startProcess(component, filepath.Join(c.opts.BinDir, component), args,
		filepath.Join(c.dir, component+".log"))
	if err != nil {
		return err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.procs = append(c.procs, p)
	if c.stopped { // stop raced with start
		p.stop()
		return fmt.Errorf("cluster %s stopped while starting", c.name)
	}
	return nil
}

// waitFor polls cond until it holds. It fails early when any process of the
// cluster has exited, and on ctx expiry quotes the log of component, the one
// expected to make cond true.
func (c *cluster) waitFor(ctx context.Context, component string, cond func(context.Context) (bool, string)) error {
	tick := time.NewTicker(pollInterval)
	defer tick.Stop()
	last := "not checked yet"
	for {
		if err := c.exitedProcess(); err != nil {
			return err
		}
		ok, why := cond(ctx)
		if ok {
			return nil
		}
		if why != "" {
			last = why
		}
		select {
		case <-ctx.Done():
			log := filepath.Join(c.dir, component+".log")
			return fmt.Errorf("waiting for %s: %w (last: %s); tail of %s:\n%s",
				component, context.Cause(ctx), last, log, logTail(log))
		case <-tick.C:
		}
	}
}

// exitedProcess returns an error for the first process that has exited.
func (c *cluster) exitedProcess() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, p := range c.procs {
		if p.exited() {
			return p.exitError()
		}
	}
	return nil
}

// stop kills all processes, last started first. It is idempotent.
func (c *cluster) stop() {
	c.mu.Lock()
	c.stopped = true
	procs := c.procs
	c.mu.Unlock()
	for i := len(procs) - 1; i >= 0; i-- {
		procs[i].stop()
	}
}

// isStopped reports whether stop has been called.
func (c *cluster) isStopped() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.stopped
}

// probeClient is the HTTP client for etcd health probes.
var probeClient = &http.Client{Timeout: 2 * time.Second}

// etcdHealthy reports whether etcd answers /health with health true.
func (c *cluster) etcdHealthy(ctx context.Context) (bool, string) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, c.ports.etcdURL()+"/health", nil)
	if err != nil {
		return false, err.Error()
	}
	resp, err := probeClient.Do(req)
	if err != nil {
		return false, err.Error()
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 512))
	return resp.StatusCode == http.StatusOK && strings.Contains(string(body), `"true"`), string(body)
}
