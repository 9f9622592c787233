package main

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/gitwave/gitwave/applier"
	"github.com/gitwave/gitwave/planner"
)

// samples are one tool's measurements, one per run.
type samples struct {
	total, wait []time.Duration
	requests    []int64
}

func (s *samples) add(total, wait time.Duration, requests int64) {
	s.total = append(s.total, total)
	s.wait = append(s.wait, wait)
	s.requests = append(s.requests, requests)
}

// comparison is one figure: gitwave's and kubectl's samples.
type comparison struct {
	gitwave, kubectl samples
	// changed is how many objects both diffs found changed (diff only).
	changed int
}

// syncFigure times Sync against kubectl, wave by wave, from empty
// namespaces; the tools take turns going first. Every run has fresh
// namespaces, the previous run's are deleted first, and gitwave a fresh
// app (no inventory: a first sync, as kubectl's). The last run's
// namespaces are left synced for the diff figure.
func (b *bench) syncFigure(ctx context.Context) (*comparison, error) {
	c := &comparison{}
	for i := range b.opts.Runs {
		if err := b.nextRun(ctx, i); err != nil {
			return nil, err
		}
		steps := []func() error{
			func() error { return b.syncGitwave(ctx, i, &c.gitwave) },
			func() error { return b.syncKubectl(ctx, i, &c.kubectl) },
		}
		if i%2 == 1 {
			slices.Reverse(steps)
		}
		for _, step := range steps {
			if err := step(); err != nil {
				return nil, err
			}
		}
	}
	return c, nil
}

// nextRun deletes the namespaces of the previous run and makes run's.
func (b *bench) nextRun(ctx context.Context, run int) error {
	var old []string
	if b.app != nil {
		old = []string{b.app.Namespace, b.kubectlSpace}
	}
	name := fmt.Sprintf("applybench-%d", run+1)
	app := &planner.App{Name: name, Project: "default", Namespace: "gitwave-" + name, Cluster: planner.Cluster{Name: clusterName}}
	kubectlSpace := "kubectl-" + name
	if err := replaceNamespaces(ctx, b.cs, old, []string{app.Namespace, kubectlSpace}); err != nil {
		return err
	}
	b.app, b.kubectlSpace = app, kubectlSpace
	return nil
}

func (b *bench) syncGitwave(ctx context.Context, run int, s *samples) error {
	before, cpu := b.manager.Requests(), b.cpu.sample()
	start := time.Now()
	res, err := b.manager.Sync(ctx, applier.SyncRequest{
		App: b.app, Objects: b.original.objects, Revision: fmt.Sprintf("run-%d", run), Trigger: "cli",
	}, nil)
	took := time.Since(start)
	if err != nil {
		return err
	}
	if n := len(res.Outcomes()); n != len(b.original.objects) {
		return fmt.Errorf("gitwave sync run %d: %d outcomes for %d objects", run, n, len(b.original.objects))
	}
	requests := b.manager.Requests() - before
	s.add(took, res.WaitDuration, requests)
	logf("sync run %d: gitwave %.2f s (health waits %.2f s, %d requests; %s)", run+1, took.Seconds(), res.WaitDuration.Seconds(), requests, b.cpu.since(cpu))
	return nil
}

func (b *bench) syncKubectl(ctx context.Context, run int, s *samples) error {
	cpu := b.cpu.sample()
	took, wait, requests, err := b.kubectl.syncWaves(ctx, b.kubectlSpace, b.original)
	if err != nil {
		return err
	}
	s.add(took, wait, requests)
	logf("sync run %d: kubectl %.2f s (kubectl wait %.2f s, %d requests; %s)", run+1, took.Seconds(), wait.Seconds(), requests, b.cpu.since(cpu))
	return nil
}

// diffFigure times a live diff of the edited set against the synced
// namespaces. Both tools must find exactly the edited objects changed.
func (b *bench) diffFigure(ctx context.Context) (*comparison, error) {
	c := &comparison{changed: b.edited.edited}
	for i := range b.opts.Runs {
		before, cpu := b.manager.Requests(), b.cpu.sample()
		start := time.Now()
		d, err := b.manager.Diff(ctx, b.app, b.edited.objects, applier.DiffOptions{})
		took := time.Since(start)
		if err != nil {
			return nil, err
		}
		gitwaveCPU := b.cpu.since(cpu)
		added, changed, removed := d.Counts()
		if n := added + changed + removed; n != c.changed {
			return nil, fmt.Errorf("gitwave diff run %d: %d objects differ (%s), want the %d edited", i+1, n, d.Status, c.changed)
		}
		requests := b.manager.Requests() - before
		c.gitwave.add(took, 0, requests)

		cpu, start = b.cpu.sample(), time.Now()
		n, kRequests, err := b.kubectl.diff(ctx, b.kubectlSpace, b.edited.all)
		kTook := time.Since(start)
		if err != nil {
			return nil, err
		}
		if n != c.changed {
			return nil, fmt.Errorf("kubectl diff run %d: %d objects differ, want the %d edited", i+1, n, c.changed)
		}
		c.kubectl.add(kTook, 0, kRequests)
		logf("diff run %d: gitwave %.2f s (%d requests; %s)", i+1, took.Seconds(), requests, gitwaveCPU)
		logf("diff run %d: kubectl %.2f s (%d requests; %s); %d objects differ", i+1, kTook.Seconds(), kRequests, b.cpu.since(cpu), n)
	}
	return c, nil
}
