// Command applybench times gitwave's applier against kubectl on one local
// cluster, with the same objects for both: the figures of issue 4.
//
// It starts one cluster with hack/localcluster, writes OBJECTS objects in
// five sync waves (ConfigMaps of a few KB, and in every wave a few
// Deployments and Services, so that the health waits are real) as one file
// per wave plus all.yaml, and then measures, RUNS times each, medians kept:
//
//   - sync: applier.Manager.Sync of all waves into one namespace,
//     against `kubectl apply --server-side` of wave-N.yaml, wave by wave, into
//     a namespace of its own, each wave with Deployments followed by
//     `kubectl wait --for=condition=Available deployment --all`. Every run
//     has two fresh namespaces (the previous run's are deleted and waited
//     for until gone first) and a fresh gitwave app, so both tools start
//     from empty; the two tools take turns going first.
//   - diff: after the data of CHANGED percent of the objects (ConfigMaps
//     spread over the waves) is edited in
//     the desired objects, applier.Manager.Diff over all objects against
//     `kubectl diff --server-side -f all.yaml`. Both must find exactly the
//     edited objects, or the run fails: a faster diff that misses changes
//     proves nothing.
//
// The figures go to standard output as KEY=VALUE lines (seconds, request
// counts of both tools, ratios gitwave/kubectl) for hack/bench/apply.sh;
// gitwave's requests are counted by its client, kubectl's from the
// request lines of its -v=6 log, which it writes in every run; progress goes to
// standard error, each timed run with the CPU seconds every process spent
// in it (apiserver, etcd, controller-manager, kwok, this process, kubectl),
// which shows whether a run waited on the cluster or on the client.
//
// Usage:
//
//	applybench [-runs 3] [-objects 1000] [-changed 10] [-concurrency 0] [-qps 0] [-cpuprofile FILE] [-keep]
//
// The cluster binaries, kubectl included, come from localcluster.BinDir()
// (hack/kube/build.sh builds them).
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"time"
)

// Options are the command's flags.
type Options struct {
	// Runs is how many times each tool is timed per figure.
	Runs int
	// Objects is how many objects the app has, in five waves.
	Objects int
	// ChangedPercent is the share of objects whose data the diff figure
	// edits.
	ChangedPercent int
	// Concurrency is the applier's Options.Concurrency; 0 keeps its default.
	Concurrency int
	// QPS is the applier's request rate (burst twice as many); 0 keeps
	// its default.
	QPS int
	// CPUProfile, if set, receives a CPU profile of this process while it
	// measures (kubectl runs in child processes and is not in it).
	CPUProfile string
	// KeepCluster keeps the cluster's directory (component logs) on exit.
	KeepCluster bool
}

func main() {
	var o Options
	flag.IntVar(&o.Runs, "runs", 3, "timed runs per tool and figure (median kept)")
	flag.IntVar(&o.Objects, "objects", 1000, "objects in the app, in 5 waves")
	flag.IntVar(&o.ChangedPercent, "changed", 10, "percent of objects whose data the diff figure edits")
	flag.IntVar(&o.Concurrency, "concurrency", 0, "applier concurrency (0: its default)")
	flag.IntVar(&o.QPS, "qps", 0, "applier requests a second, burst twice as many (0: its default)")
	flag.StringVar(&o.CPUProfile, "cpuprofile", "", "write a CPU profile of this process while it measures to this file")
	flag.BoolVar(&o.KeepCluster, "keep", false, "keep the cluster's directory, with its component logs, on exit")
	flag.Parse()
	if o.Runs < 1 || o.Objects < 50 || o.ChangedPercent < 1 || o.ChangedPercent > 100 {
		fmt.Fprintln(os.Stderr, "applybench: need -runs >= 1, -objects >= 50 and 1 <= -changed <= 100")
		os.Exit(2)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	ctx, cancel := context.WithTimeout(ctx, 30*time.Minute)
	defer cancel()
	if err := run(ctx, o); err != nil {
		fmt.Fprintln(os.Stderr, "applybench:", err)
		os.Exit(1)
	}
}

// logf writes a progress line to standard error.
func logf(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "applybench: "+format+"\n", args...)
}
