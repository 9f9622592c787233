package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"runtime/pprof"
	"time"

	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"

	"github.com/gitwave/gitwave/applier"
	"github.com/gitwave/gitwave/hack/localcluster"
	"github.com/gitwave/gitwave/planner"
	"github.com/gitwave/gitwave/store"
)

// clusterName names the benchmark's one cluster.
const clusterName = "bench"

// bench holds what every figure uses.
type bench struct {
	opts             Options
	original, edited *manifestSet
	manager          *applier.Manager
	// app is the app of the current run, deployed to its own namespace;
	// kubectlSpace is kubectl's namespace in that run.
	app          *planner.App
	kubectlSpace string
	cs           kubernetes.Interface
	kubectl      kubectl
	cpu          *cpuMeter
}

// run starts the cluster, measures both figures and prints them.
func run(ctx context.Context, o Options) error {
	work, err := os.MkdirTemp("", "applybench-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(work)
	b := &bench{opts: o}
	if b.original, b.edited, err = writeManifests(work, o.Objects, o.ChangedPercent); err != nil {
		return err
	}
	logf("starting cluster %s", clusterName)
	start := time.Now()
	env, err := localcluster.Start(ctx, localcluster.Options{
		Names: []string{clusterName}, KeepWorkDir: o.KeepCluster,
		// kwok started with only a stage file renews no node Lease, and its
		// heartbeat stage patches the node every 10 minutes, so the node
		// lifecycle controller marks the node NotReady ~50 s after start,
		// and every pod with it: Deployments lose Available mid-run. A
		// lease keeps the node Ready.
		ExtraArgs: map[string][]string{localcluster.Kwok: {"--node-lease-duration-seconds=40"}},
	})
	if err != nil {
		return fmt.Errorf("start local cluster: %w", err)
	}
	defer env.Close()
	if o.KeepCluster {
		logf("cluster directory (kept): %s", env.WorkDir())
	}
	logf("cluster ready in %.1f s", time.Since(start).Seconds())
	b.cpu = newCPUMeter(env.WorkDir())
	closeManager, err := b.connect(ctx, env, work)
	if err != nil {
		return err
	}
	defer closeManager()
	if o.CPUProfile != "" {
		stop, err := startProfile(o.CPUProfile)
		if err != nil {
			return err
		}
		defer stop()
	}
	sync, err := b.syncFigure(ctx)
	if err != nil {
		return fmt.Errorf("sync figure: %w", err)
	}
	diff, err := b.diffFigure(ctx)
	if err != nil {
		return fmt.Errorf("diff figure: %w", err)
	}
	printFigures(os.Stdout, o, sync, diff)
	return nil
}

// connect builds the applier (with a SQLite store, as `gitwave sync`
// has), the client-go clientset and kubectl for the cluster; it returns
// what closes them.
func (b *bench) connect(ctx context.Context, env *localcluster.Env, work string) (func(), error) {
	st, err := store.Open(ctx, store.Options{Driver: "sqlite", DSN: filepath.Join(work, "gitwave.db")})
	if err != nil {
		return nil, fmt.Errorf("open store: %w", err)
	}
	cfg := env.RESTConfig(clusterName)
	// The applier with the request rate `gitwave sync` has (its own
	// default, unless -qps), not the local cluster's test setting.
	applierCfg := rest.CopyConfig(cfg)
	applierCfg.QPS, applierCfg.Burst = float32(b.opts.QPS), 2*b.opts.QPS
	b.manager, err = applier.New(applierCfg, applier.Options{Store: st, Cluster: clusterName, Concurrency: b.opts.Concurrency})
	if err != nil {
		st.Close()
		return nil, err
	}
	if b.cs, err = kubernetes.NewForConfig(cfg); err != nil {
		st.Close()
		return nil, fmt.Errorf("clientset for %s: %w", clusterName, err)
	}
	b.kubectl = kubectl{
		bin:        filepath.Join(localcluster.BinDir(), "kubectl"),
		kubeconfig: env.KubeconfigPath(),
		context:    clusterName,
		cacheDir:   filepath.Join(work, "kubectl-cache"),
	}
	if err := b.kubectl.warm(ctx); err != nil {
		st.Close()
		return nil, err
	}
	return func() { b.manager.Close(); st.Close() }, nil
}

// startProfile writes a CPU profile of this process until the returned
// function is called.
func startProfile(path string) (func(), error) {
	f, err := os.Create(path)
	if err != nil {
		return nil, fmt.Errorf("create CPU profile: %w", err)
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		f.Close()
		return nil, fmt.Errorf("start CPU profile: %w", err)
	}
	return func() { pprof.StopCPUProfile(); f.Close() }, nil
}
