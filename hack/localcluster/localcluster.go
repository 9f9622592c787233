package localcluster

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sync"
	"time"

	"k8s.io/client-go/rest"
)

// Options configures Start. Only Names is required.
type Options struct {
	// Names are the clusters to start, one control plane each. A name is a
	// DNS label (lower-case letters, digits, '-'); it names the kubeconfig
	// context, cluster and user, and the cluster's directory.
	Names []string
	// BinDir holds the binaries; default BinDir().
	BinDir string
	// StagesFile is the kwok stage file; default DefaultStagesFile(BinDir).
	StagesFile string
	// WorkDir is the parent of the fresh temporary directory that holds the
	// clusters' data and logs; default os.TempDir(). Start also removes
	// directories there left by test processes that were killed.
	WorkDir string
	// Parallel bounds how many clusters start at once; default 3.
	Parallel int
	// StartTimeout bounds the start of each cluster; default 3 minutes.
	StartTimeout time.Duration
	// ExtraArgs appends command-line arguments per component, keyed by
	// component name (Etcd, KubeAPIServer, ...). Later flags win.
	ExtraArgs map[string][]string
	// KeepWorkDir keeps the work directory on Close, for post-mortems.
	KeepWorkDir bool
	// Logf, if set, receives progress lines (e.g. testing.T.Logf).
	Logf func(format string, args ...any)
}

// logf calls Logf if set.
func (o *Options) logf(format string, args ...any) {
	if o.Logf != nil {
		o.Logf(format, args...)
	}
}

var nameRE = regexp.MustCompile(`^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$`)

// withDefaults validates o and fills in defaults.
func (o Options) withDefaults() (Options, error) {
	if len(o.Names) == 0 {
		return o, errors.New("localcluster: Options.Names is empty")
	}
	seen := map[string]bool{}
	for _, n := range o.Names {
		if !nameRE.MatchString(n) {
			return o, fmt.Errorf("localcluster: cluster name %q is not a DNS label", n)
		}
		if seen[n] {
			return o, fmt.Errorf("localcluster: duplicate cluster name %q", n)
		}
		seen[n] = true
	}
	if o.BinDir == "" {
		o.BinDir = BinDir()
	}
	if o.StagesFile == "" {
		o.StagesFile = DefaultStagesFile(o.BinDir)
	}
	if o.WorkDir == "" {
		o.WorkDir = os.TempDir()
	}
	if o.Parallel <= 0 {
		o.Parallel = 3
	}
	if o.StartTimeout <= 0 {
		o.StartTimeout = 3 * time.Minute
	}
	return o, CheckBinaries(o.BinDir)
}

// Env is a set of running clusters. Its methods are safe for concurrent use.
// Accessors taking a cluster name panic on a name not given to Start.
type Env struct {
	opts           Options
	workDir        string
	clusters       map[string]*cluster
	kubeconfig     []byte
	kubeconfigPath string
	closeOnce      sync.Once
}

// Start starts the clusters in opts.Names, at most opts.Parallel at a time,
// and returns once every one is ready: /readyz answers, the fake node is
// Ready and ServiceAccount default/default exists. If any cluster fails,
// everything started is torn down and the error quotes the failing
// component's log.
func Start(ctx context.Context, opts Options) (*Env, error) {
	opts, err := opts.withDefaults()
	if err != nil {
		return nil, err
	}
	if err := os.MkdirAll(opts.WorkDir, 0o755); err != nil {
		return nil, err
	}
	removeStale(opts.WorkDir)
	workDir, err := os.MkdirTemp(opts.WorkDir, workDirPrefix)
	if err != nil {
		return nil, err
	}
	if err := writeOwner(workDir); err != nil {
		return nil, err
	}
	e := &Env{opts: opts, workDir: workDir, clusters: map[string]*cluster{}}
	list := make([]*cluster, len(opts.Names))
	for i, name := range opts.Names {
		list[i] = &cluster{name: name, dir: filepath.Join(workDir, name), opts: &e.opts}
		e.clusters[name] = list[i]
	}
	if err := startAll(ctx, list, opts); err != nil {
		e.Close()
		return nil, err
	}
	if e.kubeconfig, err = kubeconfig(list); err == nil {
		e.kubeconfigPath = filepath.Join(workDir, "kubeconfig")
		err = writeFileAtomic(e.kubeconfigPath, e.kubeconfig)
	}
	if err != nil {
		e.Close()
		return nil, err
	}
	return e, nil
}

// startAll starts clusters with bounded parallelism; it cancels the rest on
// the first failure and returns all errors.
func startAll(ctx context.Context, list []*cluster, opts Options) error {
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	sem := make(chan struct{}, opts.Parallel)
	errs := make([]error, len(list))
	var wg sync.WaitGroup
	for i, c := range list {
		wg.Go(func() {
			select {
			case sem <- struct{}{}:
				defer func() { <-sem }()
			case <-ctx.Done():
				errs[i] = fmt.Errorf("cluster %s: not started: %w", c.name, context.Cause(ctx))
				return
			}
			cctx, ccancel := context.WithTimeoutCause(ctx, opts.StartTimeout,
				fmt.Errorf("cluster %s not ready within %s", c.name, opts.StartTimeout))
			defer ccancel()
			if errs[i] = c.start(cctx); errs[i] != nil {
				cancel(fmt.Errorf("another cluster failed: %s", c.name))
			}
		})
	}
	wg.Wait()
	return errors.Join(errs...)
}

// Names returns the cluster names in the order given to Start.
func (e *Env) Names() []string {
	return append([]string(nil), e.opts.Names...)
}

// WorkDir returns the directory holding every cluster's data, logs and the
// kubeconfig. Close removes it unless Options.KeepWorkDir.
func (e *Env) WorkDir() string { return e.workDir }

// LogPath returns the log file of a component (Etcd, KubeAPIServer, ...) of
// cluster name.
func (e *Env) LogPath(name, component string) string {
	return filepath.Join(e.get(name).dir, component+".log")
}

// Kubeconfig returns a kubeconfig with one context per cluster, named after
// the cluster, authenticating as a system:masters user by bearer token. The
// current context is the first cluster.
func (e *Env) Kubeconfig() []byte { return append([]byte(nil), e.kubeconfig...) }

// KubeconfigPath returns the path of the file holding Kubeconfig().
func (e *Env) KubeconfigPath() string { return e.kubeconfigPath }

// RESTConfig returns a new admin client configuration for cluster name, with
// QPS 200 and Burst 400. Callers may modify it.
func (e *Env) RESTConfig(name string) *rest.Config { return e.get(name).restConfig() }

// Server returns the apiserver URL of cluster name (https://127.0.0.1:port).
func (e *Env) Server(name string) string { return e.get(name).server() }

// CAData returns the PEM CA certificate that signed the apiserver's serving
// certificate of cluster name.
func (e *Env) CAData(name string) []byte {
	return append([]byte(nil), e.get(name).pki.caPEM...)
}

// Token returns the admin bearer token of cluster name.
func (e *Env) Token(name string) string { return e.get(name).pki.token }

// Stop kills every process of cluster name, leaving its files until Close;
// its API stops answering. Stopping a stopped cluster does nothing.
func (e *Env) Stop(name string) error {
	c, ok := e.clusters[name]
	if !ok {
		return fmt.Errorf("localcluster: unknown cluster %q", name)
	}
	c.stop()
	return nil
}

// Stopped reports whether cluster name has been stopped.
func (e *Env) Stopped(name string) bool { return e.get(name).isStopped() }

// Close stops all clusters and removes the work directory (unless
// Options.KeepWorkDir). It is idempotent; use t.Cleanup(env.Close).
func (e *Env) Close() {
	e.closeOnce.Do(func() {
		var wg sync.WaitGroup
		for _, c := range e.clusters {
			wg.Go(c.stop)
		}
		wg.Wait()
		if e.opts.KeepWorkDir {
			_ = os.Remove(filepath.Join(e.workDir, ownerFile)) // exempt from removeStale
			e.opts.logf("localcluster: kept work dir %s", e.workDir)
			return
		}
		if err := os.RemoveAll(e.workDir); err != nil {
			e.opts.logf("localcluster: remove %s: %v", e.workDir, err)
		}
	})
}

// get returns cluster name or panics.
func (e *Env) get(name string) *cluster {
	c, ok := e.clusters[name]
	if !ok {
		panic(fmt.Sprintf("localcluster: unknown cluster %q", name))
	}
	return c
}

// writeFileAtomic writes data to path via a temporary file and rename.
func writeFileAtomic(path string, data []byte) error {
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, data, 0o600); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}
